/** `sectoken keys …`: make a KEK, create the keyring, add a sector, rotate a sector's key. Offline only. */
import { existsSync } from 'node:fs';
import { Command } from 'commander';
import { readSettings, type Settings } from '../config/env.js';
import { loadConfigFile } from '../config/schema.js';
import { addSector, generateKeyring, KeyringError, rotateSector } from '../keys/keyring.js';
import { newKek, kekFingerprint } from '../keys/seal.js';
import { devKekPath, openKeyringFile, readKek, requireKek, saveKeyring } from '../keys/store.js';

/** Production needs SECTOKEN_KEK(_FILE); development falls back to the generated keys/dev.kek. */
function kekFor(settings: Settings): Uint8Array {
  const given = readKek(settings);
  if (given) return given;
  const devKek = devKekPath(settings);
  if (!settings.production && existsSync(devKek)) return requireKek({ kek: undefined, kekFile: devKek });
  return requireKek(settings);
}

function updateKeyring(change: (settings: Settings, keyring: ReturnType<typeof openKeyringFile>) => string): void {
  const settings = readSettings();
  const kek = kekFor(settings);
  const keyring = openKeyringFile(settings.keyringPath, kek);
  const said = change(settings, keyring);
  saveKeyring(settings.keyringPath, keyring, kek);
  process.stderr.write(`${said}; restart the service (or send it SIGHUP) to use it\n`);
}

export function keysCommand(): Command {
  const keys = new Command('keys').description('manage the keyring (offline; never in the request path)');

  keys
    .command('new-kek')
    .description('print a new random key-encryption key (32 bytes, hex) for SECTOKEN_KEK or SECTOKEN_KEK_FILE')
    .action(() => {
      process.stdout.write(newKek() + '\n');
    });

  keys
    .command('init')
    .description('create a production keyring for every sector of the configuration, sealed under the KEK')
    .action(() => {
      const settings = readSettings();
      const kek = requireKek(settings);
      if (existsSync(settings.keyringPath)) throw new KeyringError(`${settings.keyringPath} exists already: refusing to overwrite a keyring`);
      const config = loadConfigFile(settings.configPath);
      const keyring = generateKeyring(Object.keys(config.sectors), false);
      saveKeyring(settings.keyringPath, keyring, kek);
      process.stderr.write(`created keyring ${settings.keyringPath} (sectors: ${[...keyring.sectors.keys()].join(', ')}; KEK fingerprint ${kekFingerprint(kek)})\n`);
    });

  keys
    .command('add-sector')
    .description('add version 1 keys for a new sector')
    .requiredOption('--sector <id>', 'sector id')
    .action((opts: { sector: string }) => {
      updateKeyring((_s, keyring) => {
        addSector(keyring, opts.sector);
        return `added keys for sector "${opts.sector}"`;
      });
    });

  keys
    .command('rotate')
    .description("add a new key version to a sector and make it current; older versions still open")
    .requiredOption('--sector <id>', 'sector id')
    .action((opts: { sector: string }) => {
      updateKeyring((_s, keyring) => `sector "${opts.sector}" now issues tokens under key version ${rotateSector(keyring, opts.sector)}`);
    });

  keys
    .command('min-version')
    .description('refuse tokens of a sector made under key versions below N (after upgrading them)')
    .requiredOption('--sector <id>', 'sector id')
    .requiredOption('--version <n>', 'the oldest version still accepted', (v) => Number.parseInt(v, 10))
    .action((opts: { sector: string; version: number }) => {
      updateKeyring((_s, keyring) => {
        const keys = keyring.sectors.get(opts.sector);
        if (!keys) throw new KeyringError(`the keyring has no keys for sector "${opts.sector}"`);
        if (!Number.isInteger(opts.version) || opts.version < 1 || opts.version > keys.current) {
          throw new KeyringError(`--version must be between 1 and the current version ${keys.current}`);
        }
        keys.minVersion = opts.version;
        return `sector "${opts.sector}" now accepts key versions ${opts.version}..${keys.current}`;
      });
    });

  return keys;
}
