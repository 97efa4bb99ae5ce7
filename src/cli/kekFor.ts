/** The KEK and keyring the `keys` commands use, as the service would open them. */
import { existsSync } from 'node:fs';
import type { Settings } from '../config/env.js';
import type { KeyEncryptionKey } from '../keys/kek.js';
import type { Keyring } from '../keys/keyring.js';
import { devKekPath, openKeyringFile, readKek, requireKek, settingsKek } from '../keys/store.js';

/** The KEK the settings name: a PKCS#11 token, or a file KEK (fileKekFor). */
export function kekFor(settings: Settings): KeyEncryptionKey {
  return settingsKek(settings, () => fileKekFor(settings));
}

/** Production needs SECTOKEN_KEK(_FILE); development falls back to the generated keys/dev.kek. */
export function fileKekFor(settings: Settings): Uint8Array {
  const given = readKek(settings);
  if (given) return given;
  const devKek = devKekPath(settings);
  if (!settings.production && existsSync(devKek)) return requireKek({ kek: undefined, kekFile: devKek });
  return requireKek(settings);
}

/** The keyring as the service would open it (the development one falls back to its dev.kek). */
export function openKeyringFor(settings: Settings): Keyring {
  return openKeyringFile(settings.keyringPath, kekFor(settings));
}
