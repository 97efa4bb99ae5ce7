/** `sectoken keys …`: make a KEK, create the keyring (and pin it), show its fingerprint, add a sector, rotate a sector's key. Offline only. */
import { existsSync } from 'node:fs';
import { Command } from 'commander';
import { readSettings, type Settings } from '../config/env.js';
import { loadConfigFile, type Config } from '../config/schema.js';
import { addSector, generateKeyring, KeyringError, rotateSector, type Keyring } from '../keys/keyring.js';
import { keyringFingerprint } from '../keys/fingerprint.js';
import { newKek, kekFingerprint } from '../keys/seal.js';
import { devKekPath, openKeyringFile, readKek, requireKek, saveKeyring } from '../keys/store.js';
import { tokenFormat } from '../derivation/format.js';
import { pinInConfiguration } from './pin.js';
import { blindPublicKeyCommand } from './blindKeys.js';
import { CliError } from './errors.js';

/** Production needs SECTOKEN_KEK(_FILE); development falls back to the generated keys/dev.kek. */
export function kekFor(settings: Settings): Uint8Array {
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

/** The configured sector, or a one-line refusal: keys for a sector the service does not know are a typo. */
function configuredSector(settings: Settings, sector: string): Config['sectors'][string] {
  const config = loadConfigFile(settings.configPath);
  const found = Object.hasOwn(config.sectors, sector) ? config.sectors[sector] : undefined;
  if (!found) {
    throw new CliError(
      `sector "${sector}" is not in the configuration ${settings.configPath} (it has ${Object.keys(config.sectors).join(', ')}): add it there first`,
    );
  }
  return found;
}

function updateKeyring(change: (settings: Settings, keyring: Keyring) => string): void {
  const settings = readSettings();
  const kek = kekFor(settings);
  const keyring = openKeyringFile(settings.keyringPath, kek);
  const said = change(settings, keyring);
  saveKeyring(settings.keyringPath, keyring, kek);
  process.stderr.write(
    `${said}; restart the service (or send it SIGHUP) to use it (keyring ${keyringFingerprint(keyring)})\n`,
  );
}

const positiveInt = (v: string): number => (/^[1-9][0-9]{0,5}$/.test(v) ? Number(v) : Number.NaN);

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
    .description(
      'create a production keyring for every sector of the configuration, sealed under the KEK, and pin it in the configuration',
    )
    .action(() => {
      const settings = readSettings();
      const kek = requireKek(settings);
      if (existsSync(settings.keyringPath))
        throw new KeyringError(`${settings.keyringPath} exists already: refusing to overwrite a keyring`);
      const config = loadConfigFile(settings.configPath);
      if (config.keyringFingerprint !== undefined) {
        // A second keyring for a pinned configuration would serve other tokens for the same people.
        throw new KeyringError(
          `${settings.configPath} already pins keyring ${config.keyringFingerprint}: serve that one (check SECTOKEN_KEYRING); to replace it for good, remove "keyringFingerprint" from the configuration first`,
        );
      }
      const keyring = generateKeyring(Object.keys(config.sectors), false);
      saveKeyring(settings.keyringPath, keyring, kek);
      const fingerprint = keyringFingerprint(keyring);
      process.stderr.write(
        `created keyring ${settings.keyringPath} (sectors: ${[...keyring.sectors.keys()].join(', ')}; KEK fingerprint ${kekFingerprint(kek)}; keyring fingerprint ${fingerprint})\n`,
      );
      // The development sample (a tracked file) is left as it is: it needs no pin.
      const pinned = config.development
        ? `${settings.configPath} is a development configuration, which needs no pin: to pin this keyring, add "keyringFingerprint": "${fingerprint}"`
        : pinInConfiguration(settings.configPath, fingerprint);
      process.stderr.write(`${pinned}\n`);
      process.stdout.write(fingerprint + '\n');
    });

  keys
    .command('fingerprint')
    .description(
      'print the keyring\'s fingerprint, which the configuration pins as "keyringFingerprint" (every instance of a fleet serves the same)',
    )
    .action(() => {
      const settings = readSettings();
      const fingerprint = keyringFingerprint(openKeyringFor(settings));
      const pinned = loadConfigFile(settings.configPath).keyringFingerprint;
      const line = `"keyringFingerprint": "${fingerprint}"`;
      process.stderr.write(
        pinned === fingerprint
          ? `${settings.configPath} pins this keyring\n`
          : pinned === undefined
            ? `${settings.configPath} pins no keyring: add ${line} to it\n`
            : `${settings.configPath} pins another keyring, ${pinned}: this is not the keyring it is served with\n`,
      );
      process.stdout.write(fingerprint + '\n');
    });

  keys
    .command('add-sector')
    .description('add version 1 keys for a sector newly added to the configuration')
    .requiredOption('--sector <id>', 'sector id')
    .action((opts: { sector: string }) => {
      updateKeyring((settings, keyring) => {
        configuredSector(settings, opts.sector);
        addSector(keyring, opts.sector);
        return `added keys for sector "${opts.sector}"`;
      });
    });

  keys
    .command('rotate')
    .description('add a new key version to a sector and make it current; older versions still open')
    .requiredOption('--sector <id>', 'sector id')
    .action((opts: { sector: string }) => {
      updateKeyring((settings, keyring) => {
        const { maxVersions } = tokenFormat(configuredSector(settings, opts.sector));
        return `sector "${opts.sector}" now issues tokens under key version ${rotateSector(keyring, opts.sector, maxVersions)}`;
      });
    });

  keys
    .command('min-version')
    .description(
      'retire the key versions of a sector below N: their tokens are refused as token_retired (after upgrading them)',
    )
    .requiredOption('--sector <id>', 'sector id')
    // Not --version: commander's program-wide --version would take it and print the version.
    .requiredOption('--min <n>', 'the oldest key version still accepted', positiveInt)
    .action((opts: { sector: string; min: number }) => {
      updateKeyring((settings, keyring) => {
        configuredSector(settings, opts.sector);
        const keys = keyring.sectors.get(opts.sector);
        if (!keys)
          throw new KeyringError(
            `the keyring has no keys for sector "${opts.sector}": run \`sectoken keys add-sector --sector ${opts.sector}\``,
          );
        if (!Number.isInteger(opts.min) || opts.min > keys.current) {
          throw new CliError(`--min must be a whole number between 1 and the current version ${keys.current}`);
        }
        const missing = Array.from({ length: keys.current - opts.min + 1 }, (_, i) => opts.min + i).find(
          (v) => !keys.versions.has(v),
        );
        if (missing !== undefined) {
          throw new CliError(
            `the keyring no longer holds the key of version ${missing} of sector "${opts.sector}": --min must be ${keys.minVersion} or more`,
          );
        }
        keys.minVersion = opts.min;
        return `sector "${opts.sector}" now accepts key versions ${opts.min}..${keys.current}`;
      });
    });

  keys
    .command('public-key')
    .description(
      'print the Ed25519 public key that signs audit checkpoints (base64url), to pin with `audit verify --public-key`',
    )
    .action(() => {
      process.stdout.write(openKeyringFor(readSettings()).auditSigning.x + '\n');
    });

  keys
    .command('audit-mac-key')
    .description(
      "print the raw audit MAC key (32 bytes, hex) for an independent verifier's MAC check (docs/AUDIT.md §2); a secret",
    )
    .action(() => {
      const key = openKeyringFor(readSettings()).auditMac;
      // The key goes to stdout alone (to be redirected into a file); the warning to the terminal.
      process.stderr.write(
        'sectoken: this is the audit MAC key, a secret: whoever holds it can write records whose MACs verify (only checkpoints catch a rewritten chain). ' +
          'Give it only to an auditor entitled to check MACs, over a protected channel; never to a regulator or service.\n',
      );
      process.stdout.write(Buffer.from(key).toString('hex') + '\n');
    });

  keys.addCommand(blindPublicKeyCommand(() => openKeyringFor(readSettings())));

  return keys;
}
