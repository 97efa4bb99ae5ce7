/**
 * The keyring at rest: XChaCha20-Poly1305 (@noble/ciphers) under a key derived from the KEK, with
 * the header as associated data. The header names a fingerprint of the KEK so that a wrong KEK
 * and a damaged file get different one-line reasons.
 */
import { randomBytes } from 'node:crypto';
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { z } from 'zod';
import { KeyringError } from './keyring.js';

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
const SALT = utf8('sectoken/v1');

/** The format of a keyring sealed under a file KEK (docs/AUDIT.md §8). */
export const SEALED_FORMAT = 'sectoken-sealed-keyring/1';

const headerSchema = z.strictObject({
  format: z.literal(SEALED_FORMAT),
  development: z.boolean(),
  kekFingerprint: z.string().regex(/^[0-9a-f]{16}$/),
  nonce: z.string().regex(/^[A-Za-z0-9_-]{32}$/),
  ciphertext: z.string().regex(/^[A-Za-z0-9_-]+$/),
});

export function kekFingerprint(kek: Uint8Array): string {
  return Buffer.from(hkdf(sha256, kek, SALT, utf8('sectoken/v1/kek-fingerprint'), 8)).toString('hex');
}

const aeadKey = (kek: Uint8Array): Uint8Array => hkdf(sha256, kek, SALT, utf8('sectoken/v1/keyring-aead'), 32);
const aad = (development: boolean, fingerprint: string): Uint8Array =>
  utf8(`sectoken-sealed-keyring/1|development=${development}|kek=${fingerprint}`);

export function sealKeyring(plaintext: Uint8Array, kek: Uint8Array, development: boolean): string {
  const fingerprint = kekFingerprint(kek);
  const nonce = new Uint8Array(randomBytes(24));
  const ciphertext = xchacha20poly1305(aeadKey(kek), nonce, aad(development, fingerprint)).encrypt(plaintext);
  const file = {
    format: SEALED_FORMAT,
    development,
    kekFingerprint: fingerprint,
    nonce: Buffer.from(nonce).toString('base64url'),
    ciphertext: Buffer.from(ciphertext).toString('base64url'),
  };
  return JSON.stringify(file, null, 2) + '\n';
}

/**
 * Returns the plaintext; throws KeyringError saying "wrong KEK", "development keyring" or
 * "damaged", naming the file (`where`).
 */
export function openKeyring(
  fileText: string,
  kek: Uint8Array,
  where = 'the keyring file',
): { plaintext: Uint8Array; development: boolean } {
  let raw: unknown;
  try {
    raw = JSON.parse(fileText);
  } catch {
    throw new KeyringError(`${where} is damaged: it is not JSON`);
  }
  const header = headerSchema.safeParse(raw);
  if (!header.success) throw new KeyringError(`${where} is damaged: it is not a sealed sectoken keyring`);
  const { development, kekFingerprint: fingerprint, nonce, ciphertext } = header.data;
  if (fingerprint !== kekFingerprint(kek)) {
    // A development keyring is sealed under its generated dev.kek: under a production KEK the
    // useful news is what the file is, not that the key differs.
    if (development) {
      throw new KeyringError(
        `${where} is a development keyring (sealed under its generated dev.kek, not this KEK): production needs one made with \`sectoken keys init\``,
      );
    }
    throw new KeyringError(`wrong key-encryption key: ${where} was sealed under another KEK`);
  }
  try {
    const plaintext = xchacha20poly1305(
      aeadKey(kek),
      Buffer.from(nonce, 'base64url'),
      aad(development, fingerprint),
    ).decrypt(Buffer.from(ciphertext, 'base64url'));
    return { plaintext, development };
  } catch {
    throw new KeyringError(`${where} is damaged: authentication failed (modified or truncated)`);
  }
}

/** A KEK is 32 bytes, given as 64 hex digits or 43 base64url characters. */
export function parseKek(text: string, source: string): Uint8Array {
  const s = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(s)) return new Uint8Array(Buffer.from(s, 'hex'));
  if (/^[A-Za-z0-9_-]{43}$/.test(s)) return new Uint8Array(Buffer.from(s, 'base64url'));
  throw new KeyringError(
    `${source} is not a key-encryption key: expected 32 bytes as 64 hex digits or 43 base64url characters (make one with \`sectoken keys new-kek\`)`,
  );
}

export const newKek = (): string => randomBytes(32).toString('hex');
