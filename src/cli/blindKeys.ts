/** `sectoken keys blind-public-key --sector S`: a blind sector's VOPRF public key per live key version, to publish for backends to pin. */
import { Command } from 'commander';
import { readSettings } from '../config/env.js';
import { loadConfigFile } from '../config/schema.js';
import { blindKeyPair } from '../derivation/blind/keys.js';
import type { Keyring } from '../keys/keyring.js';
import { CliError } from './errors.js';

export function blindPublicKeyCommand(openKeyring: () => Keyring): Command {
  return new Command('blind-public-key')
    .description(
      "print a blind sector's public key of every live key version (VERSION:KEY, base64url), as GET /v1/blind/keys/{sector} publishes them",
    )
    .requiredOption('--sector <id>', 'a sector whose policy is blind')
    .action((opts: { sector: string }) => {
      const config = loadConfigFile(readSettings().configPath);
      const sector = Object.hasOwn(config.sectors, opts.sector) ? config.sectors[opts.sector] : undefined;
      if (sector?.policy !== 'blind')
        throw new CliError(`sector "${opts.sector}" is not a blind sector of the configuration`);
      const keys = openKeyring().sectors.get(opts.sector);
      if (!keys) throw new CliError(`the keyring has no keys for sector "${opts.sector}"`);
      for (let v = keys.minVersion; v <= keys.current; v++) {
        const { publicKey } = blindKeyPair(keys.versions.get(v)!, opts.sector, v);
        process.stdout.write(`${v}:${Buffer.from(publicKey).toString('base64url')}\n`);
      }
    });
}
