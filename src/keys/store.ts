/**
 * Reading and writing the sealed keyring and the KEK on disk (SPEC "Keys"). Start-up rules:
 * development creates what is missing and says so; production refuses a development keyring, a
 * missing or wrong KEK and a damaged keyring, each with a one-line reason.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { addSector, generateKeyring, KeyringError, parseKeyring, serializeKeyring, type Keyring } from './keyring.js';
import { newKek, openKeyring, parseKek, sealKeyring } from './seal.js';

/** What the keyring store needs of the settings (src/config/env.ts): kept here so that keys/ imports nothing above it. */
export interface KeyringSettings {
  production: boolean;
  keyringPath: string;
  kek: string | undefined;
  kekFile: string | undefined;
}

export interface LoadedKeyring {
  keyring: Keyring;
  kek: Uint8Array;
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

export function saveKeyring(path: string, keyring: Keyring, kek: Uint8Array): void {
  writeSecretFile(path, sealKeyring(serializeKeyring(keyring), kek, keyring.development));
}

/** The KEK from SECTOKEN_KEK or SECTOKEN_KEK_FILE; undefined when neither is set. */
export function readKek(settings: Pick<KeyringSettings, 'kek' | 'kekFile'>): Uint8Array | undefined {
  // Two sources would leave the operator guessing which one sealed the keyring.
  if (settings.kek && settings.kekFile) throw new KeyringError('both SECTOKEN_KEK and SECTOKEN_KEK_FILE are set: unset one of them');
  if (settings.kek) return parseKek(settings.kek, 'SECTOKEN_KEK');
  if (settings.kekFile) {
    let text: string;
    try {
      text = readFileSync(settings.kekFile, 'utf8');
    } catch (err) {
      throw new KeyringError(`cannot read SECTOKEN_KEK_FILE ${settings.kekFile}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    }
    return parseKek(text, `SECTOKEN_KEK_FILE ${settings.kekFile}`);
  }
  return undefined;
}

/** Where development keeps its generated KEK: beside the keyring. */
export const devKekPath = (settings: Pick<KeyringSettings, 'keyringPath'>): string => join(dirname(settings.keyringPath), 'dev.kek');

export function requireKek(settings: Pick<KeyringSettings, 'kek' | 'kekFile'>): Uint8Array {
  const kek = readKek(settings);
  if (!kek) {
    throw new KeyringError('no key-encryption key: set SECTOKEN_KEK or SECTOKEN_KEK_FILE (make one with `sectoken keys new-kek > kek && chmod 600 kek`)');
  }
  return kek;
}

export function openKeyringFile(path: string, kek: Uint8Array): Keyring {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new KeyringError(`no keyring at ${path}: create one with \`sectoken keys init\``);
    throw new KeyringError(`cannot read keyring ${path}: ${code ?? String(err)}`);
  }
  const where = `keyring ${path}`;
  const { plaintext, development } = openKeyring(text, kek, where);
  const keyring = parseKeyring(plaintext, where);
  plaintext.fill(0);
  if (keyring.development !== development) throw new KeyringError(`${where} is damaged: header and content disagree`);
  return keyring;
}

export function loadKeyring(settings: KeyringSettings, sectorIds: readonly string[]): LoadedKeyring {
  return settings.production ? loadProduction(settings, sectorIds) : loadDevelopment(settings, sectorIds);
}

function loadProduction(settings: KeyringSettings, sectorIds: readonly string[]): LoadedKeyring {
  const kek = requireKek(settings);
  const keyring = openKeyringFile(settings.keyringPath, kek);
  if (keyring.development) {
    throw new KeyringError(`${settings.keyringPath} is a development keyring: production needs one made with \`sectoken keys init\``);
  }
  for (const sector of sectorIds) {
    if (!keyring.sectors.has(sector)) {
      throw new KeyringError(`the keyring has no key for sector "${sector}": run \`sectoken keys add-sector --sector ${sector}\``);
    }
  }
  return { keyring, kek, notices: [] };
}

function loadDevelopment(settings: KeyringSettings, sectorIds: readonly string[]): LoadedKeyring {
  const notices: string[] = [];
  let kek = readKek(settings);
  if (!kek) {
    const kekPath = devKekPath(settings);
    if (!existsSync(kekPath)) {
      writeSecretFile(kekPath, newKek() + '\n');
      notices.push(`created a DEVELOPMENT key-encryption key at ${kekPath}`);
    }
    kek = parseKek(readFileSync(kekPath, 'utf8'), kekPath);
  }
  if (!existsSync(settings.keyringPath)) {
    const keyring = generateKeyring(sectorIds, true);
    saveKeyring(settings.keyringPath, keyring, kek);
    notices.push(`created a DEVELOPMENT keyring at ${settings.keyringPath}; never use it in production (NODE_ENV=production refuses it)`);
    return { keyring, kek, notices };
  }
  const keyring = openKeyringFile(settings.keyringPath, kek);
  const missing = sectorIds.filter((sector) => !keyring.sectors.has(sector));
  if (missing.length > 0) {
    if (!keyring.development) {
      throw new KeyringError(`the keyring has no key for sector "${missing[0]}": run \`sectoken keys add-sector --sector ${missing[0]}\``);
    }
    for (const sector of missing) addSector(keyring, sector);
    saveKeyring(settings.keyringPath, keyring, kek);
    notices.push(`added DEVELOPMENT keys for sector(s) ${missing.join(', ')} to ${settings.keyringPath}`);
  }
  return { keyring, kek, notices };
}
