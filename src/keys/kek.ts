/**
 * The key-encryption key (SPEC "Keys"), wherever it lives: a file (or SECTOKEN_KEK) whose bytes
 * this process holds, or a PKCS#11 token that seals and unseals inside itself (src/keys/pkcs11/).
 * The keyring store seals and opens through this one interface.
 */
import { openKeyring, sealKeyring, SEALED_FORMAT } from './seal.js';
import { KeyringError } from './keyring.js';
import { PKCS11_SEALED_FORMAT } from './pkcs11/sealed.js';

/** Where the KEK lives: what /readyz and the `keys` commands say; never a secret, never the PIN. */
export type KekLocation = { kind: 'file' } | { kind: 'pkcs11'; token: string; key: string };

export interface KeyEncryptionKey {
  readonly location: KekLocation;
  /** The sealed keyring file's text. */
  seal(plaintext: Uint8Array, development: boolean): string;
  /** The plaintext; a one-line KeyringError naming the file (`where`) otherwise. */
  open(fileText: string, where: string): { plaintext: Uint8Array; development: boolean };
}

/** Which kind of KEK sealed a keyring file; undefined for a file that is neither (damaged). */
export function sealedUnder(fileText: string): KekLocation['kind'] | undefined {
  try {
    const format = (JSON.parse(fileText) as { format?: unknown }).format;
    return format === SEALED_FORMAT ? 'file' : format === PKCS11_SEALED_FORMAT ? 'pkcs11' : undefined;
  } catch {
    return undefined;
  }
}

export const describeKek = (location: KekLocation): string =>
  location.kind === 'file'
    ? 'a file KEK (SECTOKEN_KEK or SECTOKEN_KEK_FILE)'
    : `key "${location.key}" of PKCS#11 token "${location.token}"`;

export function fileKek(kek: Uint8Array): KeyEncryptionKey {
  return {
    location: { kind: 'file' },
    seal: (plaintext, development) => sealKeyring(plaintext, kek, development),
    open: (fileText, where) => {
      if (sealedUnder(fileText) === 'pkcs11') {
        throw new KeyringError(
          `${where} is sealed under a key in a PKCS#11 token: set SECTOKEN_PKCS11_MODULE, SECTOKEN_PKCS11_TOKEN and SECTOKEN_PKCS11_PIN_FILE instead of SECTOKEN_KEK(_FILE)`,
        );
      }
      return openKeyring(fileText, kek, where);
    },
  };
}
