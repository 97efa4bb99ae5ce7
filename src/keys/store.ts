/**
 * Reading and writing the sealed keyring and the KEK on disk (SPEC "Keys"). Start-up rules: key
 * material is made only by `sectoken keys init`, or for the development sample at the default
 * paths (said loudly); anything else missing, a development keyring outside the development sample,
 * a wrong KEK, a damaged keyring and one the configuration does not pin are each refused with a
 * one-line reason.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileReason } from '../fileReason.js';
import { addSector, generateKeyring, KeyringError, parseKeyring, serializeKeyring, type Keyring } from './keyring.js';
import { keyringFingerprint } from './fingerprint.js';
import { newKek, parseKek } from './seal.js';
import { describeKek, fileKek, type KeyEncryptionKey } from './kek.js';
import { pkcs11Kek } from './pkcs11/kek.js';
import type { Pkcs11Settings } from './pkcs11/session.js';

/** What the keyring store needs of the settings (src/config/env.ts): kept here so that keys/ imports nothing above it. */
export interface KeyringSettings {
  production: boolean;
  keyringPath: string;
  kek: string | undefined;
  kekFile: string | undefined;
  pkcs11: Pkcs11Settings | undefined;
  requireHsm: boolean;
}

export interface LoadedKeyring {
  keyring: Keyring;
  kek: KeyEncryptionKey;
  /** keyringFingerprint(keyring): what the configuration pins and /readyz reports. */
  fingerprint: string;
  /** What start-up created or changed, to be said loudly. */
  notices: string[];
}

/** Writes through a temporary file and a rename, so a crash never leaves half a keyring. */
export function writeSecretFile(path: string, content: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, content, { mode: 0o600 });
  renameSync(tmp, path);
}

/** A file KEK's bytes stand for that KEK. */
const asKek = (kek: KeyEncryptionKey | Uint8Array): KeyEncryptionKey =>
  kek instanceof Uint8Array ? fileKek(kek) : kek;

export function saveKeyring(path: string, keyring: Keyring, kek: KeyEncryptionKey | Uint8Array): void {
  const plaintext = serializeKeyring(keyring);
  // Sealed before anything is written: a token that refuses leaves the old file as it was.
  const sealed = asKek(kek).seal(plaintext, keyring.development);
  plaintext.fill(0);
  writeSecretFile(path, sealed);
}

/**
 * The KEK the settings name, for a keyring that exists or is about to: a PKCS#11 token, or a file
 * KEK (`fileKek` finds it, with its development fallback). Both at once, or a file KEK where
 * SECTOKEN_REQUIRE_HSM=true, is refused.
 */
export function settingsKek(
  settings: Pick<KeyringSettings, 'kek' | 'kekFile' | 'pkcs11' | 'requireHsm'>,
  fileBytes: () => Uint8Array,
): KeyEncryptionKey {
  if (settings.pkcs11) {
    const file = settings.kek ? 'SECTOKEN_KEK' : settings.kekFile ? 'SECTOKEN_KEK_FILE' : undefined;
    // Two KEKs would leave the operator guessing which one sealed the keyring.
    if (file)
      throw new KeyringError(
        `both ${file} and SECTOKEN_PKCS11_MODULE are set: unset one of them (only \`sectoken keys rewrap\` takes both)`,
      );
    return pkcs11Kek(settings.pkcs11);
  }
  refuseFileKek(settings);
  return fileKek(fileBytes());
}

/** SECTOKEN_REQUIRE_HSM=true: the KEK must be in a PKCS#11 token. */
export function refuseFileKek(settings: Pick<KeyringSettings, 'requireHsm'>): void {
  if (settings.requireHsm)
    throw new KeyringError(
      'SECTOKEN_REQUIRE_HSM=true refuses a file KEK: set SECTOKEN_PKCS11_MODULE, SECTOKEN_PKCS11_TOKEN and SECTOKEN_PKCS11_PIN_FILE (move a keyring into the token with `sectoken keys rewrap --to pkcs11`)',
    );
}

export { describeKek };

/** The KEK from SECTOKEN_KEK or SECTOKEN_KEK_FILE; undefined when neither is set. */
export function readKek(settings: Pick<KeyringSettings, 'kek' | 'kekFile'>): Uint8Array | undefined {
  // Two sources would leave the operator guessing which one sealed the keyring.
  if (settings.kek && settings.kekFile)
    throw new KeyringError('both SECTOKEN_KEK and SECTOKEN_KEK_FILE are set: unset one of them');
  if (settings.kek) return parseKek(settings.kek, 'SECTOKEN_KEK');
  if (settings.kekFile) {
    let text: string;
    try {
      text = readFileSync(settings.kekFile, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') {
        throw new KeyringError(
          `no key-encryption key at ${settings.kekFile} (SECTOKEN_KEK_FILE): correct SECTOKEN_KEK_FILE, or make a KEK with \`sectoken keys new-kek\` and a keyring with \`sectoken keys init\``,
        );
      }
      throw new KeyringError(`cannot read SECTOKEN_KEK_FILE ${settings.kekFile}: ${fileReason(err)}`);
    }
    return parseKek(text, `SECTOKEN_KEK_FILE ${settings.kekFile}`);
  }
  return undefined;
}

/** Where development keeps its generated KEK: beside the keyring. */
export const devKekPath = (settings: Pick<KeyringSettings, 'keyringPath'>): string =>
  join(dirname(settings.keyringPath), 'dev.kek');

export function requireKek(settings: Pick<KeyringSettings, 'kek' | 'kekFile'>): Uint8Array {
  const kek = readKek(settings);
  if (!kek) {
    throw new KeyringError(
      'no key-encryption key: set SECTOKEN_KEK or SECTOKEN_KEK_FILE (make one with `sectoken keys new-kek > kek && chmod 600 kek`)',
    );
  }
  return kek;
}

export function openKeyringFile(path: string, kek: KeyEncryptionKey | Uint8Array): Keyring {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new KeyringError(`no keyring at ${path}: create one with \`sectoken keys init\``);
    throw new KeyringError(`cannot read keyring ${path}: ${fileReason(err)}`);
  }
  const where = `keyring ${path}`;
  const { plaintext, development } = asKek(kek).open(text, where);
  const keyring = parseKeyring(plaintext, where);
  plaintext.fill(0);
  if (keyring.development !== development) throw new KeyringError(`${where} is damaged: header and content disagree`);
  return keyring;
}

/**
 * What the configuration expects of its keyring (src/config/keyringTerms.ts builds it): checked by
 * loadKeyring on every load, at start and on reload alike.
 */
export interface KeyringTerms {
  sectorIds: readonly string[];
  /** The configuration's `keyringFingerprint`: the keyring must be this one. */
  fingerprint: string | undefined;
  /** The configuration is the development sample (`development: true`). */
  developmentConfig: boolean;
  /**
   * Development key material may be created (KEK, keyring, sector keys): only for the development
   * sample at its default paths, never for a pinned configuration (SPEC "Keys").
   */
  mayCreate: boolean;
  /** Names the configuration in refusals. */
  configPath: string;
}

const INIT = 'create one with `sectoken keys init`';

/**
 * Opens the keyring the settings name, under the terms of the configuration; creates development
 * material only where terms.mayCreate. Every refusal is one line naming the file and the fix.
 */
export function loadKeyring(settings: KeyringSettings, terms: KeyringTerms): LoadedKeyring {
  const notices: string[] = [];
  const kek = kekOf(settings, terms, notices);
  let keyring: Keyring;
  if (existsSync(settings.keyringPath)) {
    keyring = openKeyringFile(settings.keyringPath, kek);
  } else if (terms.mayCreate) {
    keyring = generateKeyring(terms.sectorIds, true);
    saveKeyring(settings.keyringPath, keyring, kek);
    notices.push(
      `created a DEVELOPMENT keyring at ${settings.keyringPath}; never use it in production (NODE_ENV=production refuses it)`,
    );
  } else {
    throw new KeyringError(`no keyring at ${settings.keyringPath}: ${INIT} (or correct SECTOKEN_KEYRING)`);
  }
  if (keyring.development && (settings.production || !terms.developmentConfig)) {
    throw new KeyringError(
      `${settings.keyringPath} is a development keyring, and ${settings.production ? 'production' : `${terms.configPath} (not a development configuration)`} needs a keyring made with \`sectoken keys init\``,
    );
  }
  const fingerprint = checkPin(settings, terms, keyring);
  addMissingSectors(settings, terms, keyring, kek, notices);
  return { keyring, kek, fingerprint, notices };
}

/**
 * SECTOKEN_KEK(_FILE), or else the development `dev.kek` beside the keyring. A new dev.kek only
 * where a new keyring may be made too: never beside an existing keyring (it could not open it).
 */
function kekOf(settings: KeyringSettings, terms: KeyringTerms, notices: string[]): KeyEncryptionKey {
  return settingsKek(settings, () => fileKekBytes(settings, terms, notices));
}

function fileKekBytes(settings: KeyringSettings, terms: KeyringTerms, notices: string[]): Uint8Array {
  if (settings.production || !terms.developmentConfig) return requireKek(settings);
  const given = readKek(settings);
  if (given) return given;
  const kekPath = devKekPath(settings);
  if (existsSync(kekPath)) return parseKek(readFileSync(kekPath, 'utf8'), kekPath);
  if (existsSync(settings.keyringPath)) {
    throw new KeyringError(
      `${kekPath} is missing but the keyring ${settings.keyringPath} exists: restore that dev.kek, or set SECTOKEN_KEK_FILE to the KEK that sealed it (a new KEK could not open it)`,
    );
  }
  if (!terms.mayCreate)
    throw new KeyringError(`no keyring at ${settings.keyringPath}: ${INIT} (or correct SECTOKEN_KEYRING)`);
  writeSecretFile(kekPath, newKek() + '\n');
  notices.push(`created a DEVELOPMENT key-encryption key at ${kekPath}`);
  return parseKek(readFileSync(kekPath, 'utf8'), kekPath);
}

/** Sectors configured but not in the keyring: added to a development keyring where terms.mayCreate, else refused. */
function addMissingSectors(
  settings: KeyringSettings,
  terms: KeyringTerms,
  keyring: Keyring,
  kek: KeyEncryptionKey,
  notices: string[],
): void {
  const missing = terms.sectorIds.filter((sector) => !keyring.sectors.has(sector));
  if (missing.length === 0) return;
  if (!keyring.development || !terms.mayCreate) {
    throw new KeyringError(
      `the keyring has no key for sector "${missing[0]}": run \`sectoken keys add-sector --sector ${missing[0]}\``,
    );
  }
  for (const sector of missing) addSector(keyring, sector);
  saveKeyring(settings.keyringPath, keyring, kek);
  notices.push(`added DEVELOPMENT keys for sector(s) ${missing.join(', ')} to ${settings.keyringPath}`);
}

/** The configuration's pin (SPEC "Keys": no instance of a fleet serves another keyring); production requires one. */
function checkPin(settings: KeyringSettings, terms: KeyringTerms, keyring: Keyring): string {
  const actual = keyringFingerprint(keyring);
  if (terms.fingerprint === undefined) {
    if (settings.production) {
      throw new KeyringError(
        `${terms.configPath} pins no keyring: production needs "keyringFingerprint" in it (\`sectoken keys fingerprint\` prints the line for the keyring \`sectoken keys init\` made)`,
      );
    }
    return actual;
  }
  if (actual !== terms.fingerprint) {
    throw new KeyringError(
      `the keyring ${settings.keyringPath} has fingerprint ${actual}, but ${terms.configPath} pins ${terms.fingerprint}: start with the keyring the configuration pins (check SECTOKEN_KEYRING)`,
    );
  }
  return actual;
}
