/**
 * `sectoken keys rewrap --to pkcs11|file`: the same keyring sealed under another KEK, so that a
 * deployment moves its KEK into a PKCS#11 token (or back) without a single token changing. Both
 * KEKs are set for this one command: SECTOKEN_KEK(_FILE) and SECTOKEN_PKCS11_*. The new file is
 * opened again under its KEK and compared before it replaces the old one, in one rename.
 */
import { Command } from 'commander';
import { readSettings, type Settings } from '../config/env.js';
import { keyringFingerprint } from '../keys/fingerprint.js';
import { describeKek, fileKek, sealedUnder, type KeyEncryptionKey } from '../keys/kek.js';
import { KeyringError, parseKeyring, serializeKeyring } from '../keys/keyring.js';
import { pkcs11Kek } from '../keys/pkcs11/kek.js';
import { openKeyringFile, refuseFileKek, requireKek, writeSecretFile } from '../keys/store.js';
import { CliError, readNamedFile } from './errors.js';
import { fileKekFor } from './kekFor.js';

type Target = 'pkcs11' | 'file';

const PKCS11_SETTINGS = 'SECTOKEN_PKCS11_MODULE, SECTOKEN_PKCS11_TOKEN and SECTOKEN_PKCS11_PIN_FILE';

function tokenKek(settings: Settings, why: string, create: boolean): KeyEncryptionKey {
  if (!settings.pkcs11) throw new CliError(`${why}: set ${PKCS11_SETTINGS}`);
  return pkcs11Kek(settings.pkcs11, {
    create,
    onCreated: (said) => process.stderr.write(`${said}\n`),
  });
}

/** The KEK that sealed the file as it is. */
function currentKek(settings: Settings, sealed: Target): KeyEncryptionKey {
  if (sealed === 'pkcs11') return tokenKek(settings, `${settings.keyringPath} is sealed in a PKCS#11 token`, false);
  return fileKek(fileKekFor(settings));
}

/** The KEK to seal under. */
function targetKek(settings: Settings, to: Target): KeyEncryptionKey {
  if (to === 'pkcs11') return tokenKek(settings, '--to pkcs11 needs the token', true);
  refuseFileKek(settings);
  return fileKek(requireKek(settings));
}

export function rewrapCommand(): Command {
  return new Command('rewrap')
    .description(
      'seal the keyring under another KEK, with every key unchanged (no token changes): --to pkcs11 moves it into the token of SECTOKEN_PKCS11_* (its key made if missing), --to file under SECTOKEN_KEK_FILE',
    )
    .requiredOption('--to <where>', 'pkcs11 or file')
    .action((opts: { to: string }) => {
      if (opts.to !== 'pkcs11' && opts.to !== 'file') throw new CliError('--to must be pkcs11 or file');
      const to: Target = opts.to;
      const settings = readSettings();
      const path = settings.keyringPath;
      const sealed = sealedUnder(readNamedFile(path, 'keyring'));
      if (!sealed) throw new KeyringError(`keyring ${path} is damaged: it is not a sealed sectoken keyring`);
      if (sealed === to)
        throw new CliError(
          `keyring ${path} is sealed under ${to === 'file' ? 'a file KEK' : 'a PKCS#11 token'} already: nothing to move (\`keys rewrap --to ${to === 'file' ? 'pkcs11' : 'file'}\` moves it the other way)`,
        );
      const from = currentKek(settings, sealed);
      const target = targetKek(settings, to);
      const keyring = openKeyringFile(path, from);
      const plaintext = serializeKeyring(keyring);
      const text = target.seal(plaintext, keyring.development);
      // Opened again under the new KEK before the old file goes: the same bytes, or nothing is written.
      const again = target.open(text, `the keyring sealed under ${describeKek(target.location)}`).plaintext;
      const same = Buffer.from(again).equals(Buffer.from(plaintext));
      const fingerprint = keyringFingerprint(parseKeyring(again));
      plaintext.fill(0);
      again.fill(0);
      if (!same)
        throw new KeyringError(
          `the keyring sealed under ${describeKek(target.location)} did not open to the same keys: nothing written`,
        );
      writeSecretFile(path, text);
      // Backups of the old file still open under the old file KEK: the move is done when those are gone.
      const backups =
        sealed === 'file' ? '; backups of the old file still open under the old KEK: destroy them and that KEK' : '';
      process.stderr.write(
        `keyring ${path} moved from ${describeKek(from.location)} to ${describeKek(target.location)}; every key unchanged (keyring fingerprint ${fingerprint}, tokens unchanged)${backups}\n`,
      );
      process.stdout.write(fingerprint + '\n');
    });
}
