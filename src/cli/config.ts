/**
 * `sectoken config init <path>`: writes a production configuration skeleton (the sample's sectors
 * and legal bases, no clients, `development: false`) where the operator says, never over a file.
 * With SECTOKEN_KEYRING naming an existing keyring (and its KEK), the skeleton pins it; otherwise
 * `keys init` makes the keyring and pins it, as the lines printed say.
 */
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Command } from 'commander';
import { DEV_CONFIG_PATH, readSettings } from '../config/env.js';
import { parseConfig } from '../config/schema.js';
import { productionSkeleton } from '../config/skeleton.js';
import { fileReason } from '../fileReason.js';
import { keyringFingerprint } from '../keys/fingerprint.js';
import { KeyringError } from '../keys/keyring.js';
import { openKeyringFile } from '../keys/store.js';
import { kekFor } from './kekFor.js';
import { CliError } from './errors.js';

/** The named keyring's fingerprint, after checking it can serve a production configuration of these sectors. */
function namedKeyringPin(keyringPath: string, sectors: string[]): { pin: string; said: string } {
  // Only the keyring's KEK is read from these settings (a file or a PKCS#11 token, as `keys` commands take it).
  const settings = readSettings({ ...process.env, SECTOKEN_CONFIG: DEV_CONFIG_PATH });
  const keyring = openKeyringFile(keyringPath, kekFor({ ...settings, production: true }));
  if (keyring.development)
    throw new KeyringError(
      `${keyringPath} is a development keyring: a production configuration needs a keyring made by \`sectoken keys init\``,
    );
  const pin = keyringFingerprint(keyring);
  const missing = sectors.filter((s) => !keyring.sectors.has(s));
  const add = missing.map((s) => `\`sectoken keys add-sector --sector ${s}\``).join(', ');
  return {
    pin,
    said: `pinned keyring ${keyringPath} (${pin})${missing.length ? `; it has no keys yet for ${missing.join(', ')}: run ${add}` : ''}`,
  };
}

function writeNew(path: string, text: string): void {
  if (existsSync(path)) {
    const what = statSync(path).isDirectory() ? 'a directory' : 'a file';
    throw new CliError(`${path} is ${what} already: refusing to overwrite it (name a new file)`);
  }
  try {
    writeFileSync(path, text, { flag: 'wx', mode: 0o640 });
  } catch (err) {
    throw new CliError(
      `cannot write ${path}: ${fileReason(err)} (is ${dirname(resolve(path))} a directory you may write?)`,
    );
  }
}

export function configCommand(): Command {
  const config = new Command('config').description('make a configuration file');
  config
    .command('init')
    .description(
      'write a production configuration skeleton (sectors, legal bases, limits; no clients; "development": false) to <path>, never over an existing file',
    )
    .argument('<path>', 'the new configuration file, e.g. /etc/sectoken/sectoken.json')
    .action((path: string) => {
      const keyringPath = process.env.SECTOKEN_KEYRING;
      const sectors = Object.keys(productionSkeleton(undefined).sectors as object);
      const named = keyringPath && existsSync(keyringPath) ? namedKeyringPin(keyringPath, sectors) : undefined;
      const skeleton = productionSkeleton(named?.pin);
      parseConfig(skeleton, path);
      writeNew(path, JSON.stringify(skeleton, null, 2) + '\n');
      const bases = (skeleton.legalBases as { id: string }[]).map((b) => b.id).join(', ');
      process.stderr.write(
        `wrote a production configuration to ${path} (sectors: ${sectors.join(', ')}; legal bases: ${bases}; no clients)\n` +
          `next: set its sectors and legal bases to your deployment's, then with SECTOKEN_CONFIG=${path}:\n` +
          (named
            ? `  ${named.said}\n`
            : `  \`sectoken keys init\` makes the keyring (SECTOKEN_KEYRING, sealed under SECTOKEN_KEK_FILE) and pins it here\n`) +
          `  \`sectoken clients add\` makes each client and prints its API key once\n`,
      );
    });
  return config;
}
