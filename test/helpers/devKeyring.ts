/**
 * A development keyring and its dev.kek beside it, made by the test, at a path of its own: the
 * service makes development key material only for the sample at the default paths (which a test
 * must not write), and refuses a missing SECTOKEN_KEYRING. Returns the keyring's path.
 */
import { readFileSync } from 'node:fs';
import { generateKeyring } from '../../src/keys/keyring.js';
import { newKek, parseKek } from '../../src/keys/seal.js';
import { devKekPath, saveKeyring, writeSecretFile } from '../../src/keys/store.js';
import { DEV_CONFIG_PATH } from './service.js';

export function devKeyring(keyringPath: string, configPath = DEV_CONFIG_PATH): string {
  const sectors = Object.keys((JSON.parse(readFileSync(configPath, 'utf8')) as { sectors: object }).sectors);
  const kek = newKek();
  writeSecretFile(devKekPath({ keyringPath }), kek + '\n');
  saveKeyring(keyringPath, generateKeyring(sectors, true), parseKek(kek, 'test'));
  return keyringPath;
}
