/**
 * `sectoken audit verify FILE... [--checkpoint CP.json ...] [--public-key KEY]`: the offline
 * verifier. With the keyring's KEK at hand it checks MACs too; without, hashes, order and
 * checkpoints only. Exit status 0 when everything holds, 2 when something does not, 1 for a
 * command-line mistake (a missing file, a checkpoint that is not JSON).
 */
import { basename } from 'node:path';
import { Command } from 'commander';
import type { Checkpoint } from '../audit/chain/checkpoint.js';
import { macMatches } from '../audit/chain/record.js';
import type { LineSource } from '../audit/chain/lines.js';
import { verifyAudit } from '../audit/chain/verify.js';
import { readSettings } from '../config/env.js';
import { pkcs11Kek } from '../keys/pkcs11/kek.js';
import { openKeyringFile, readKek } from '../keys/store.js';
import { CliError, namedFileLines, readNamedFile } from './errors.js';

/** True when some record of the log has a MAC valid under the key: none means another keyring wrote it. */
function anyMacMatches(log: LineSource, macKey: Uint8Array): boolean {
  let records = 0;
  for (const { bytes } of log.lines()) {
    if (bytes.length === 0) continue;
    try {
      const record = JSON.parse(bytes.toString('utf8')) as { hash?: unknown; mac?: unknown };
      records += 1;
      if (macMatches(macKey, String(record.hash), String(record.mac))) return true;
    } catch {
      // Not a record: the chain check reports it.
    }
  }
  return records === 0;
}

function readCheckpoint(path: string): Checkpoint {
  const text = readNamedFile(path, 'checkpoint');
  try {
    return JSON.parse(text) as Checkpoint;
  } catch {
    throw new CliError(`checkpoint ${path} is not JSON: save the body of GET /v1/audit/checkpoint as it came`);
  }
}

export function auditCommand(): Command {
  const audit = new Command('audit').description('verify audit logs offline');
  audit
    .command('verify')
    .description('check audit files (one chain per instance) and that they extend the given checkpoints')
    .argument('<files...>', 'audit-<instance>.jsonl files')
    .option(
      '--checkpoint <file>',
      'a checkpoint JSON kept off-host (repeatable)',
      (v: string, all: string[]) => [...all, v],
      [] as string[],
    )
    .option(
      '--public-key <base64url>',
      'the Ed25519 key to trust for checkpoints (`sectoken keys public-key`; default: the one each checkpoint names)',
    )
    .action((files: string[], opts: { checkpoint: string[]; publicKey?: string }) => {
      const settings = readSettings();
      if (opts.publicKey !== undefined && !/^[A-Za-z0-9_-]{43}$/.test(opts.publicKey)) {
        throw new CliError(
          '--public-key must be an Ed25519 public key in base64url (43 characters), as `sectoken keys public-key` prints it',
        );
      }
      const logs = files.map((f) => ({ name: basename(f), text: namedFileLines(f, 'audit log') }));
      const checkpoints = opts.checkpoint.map(readCheckpoint);
      // MACs are checked only under a keyring named explicitly: a guessed one would call every
      // record forged. Without, hashes, order and checkpoints only, and the report says so.
      const kek = settings.pkcs11 ? pkcs11Kek(settings.pkcs11) : readKek(settings);
      const macKey = kek ? openKeyringFile(settings.keyringPath, kek).auditMac : undefined;
      if (macKey) {
        const foreign = logs.find((log) => !anyMacMatches(log.text, macKey));
        if (foreign) {
          process.stderr.write(
            `sectoken: no record of ${foreign.name} has a valid MAC under keyring ${settings.keyringPath}: that keyring did not write this log (or every record was forged); ` +
              'set SECTOKEN_KEYRING to the keyring of the instance that wrote it, or unset SECTOKEN_KEK and SECTOKEN_KEK_FILE to check hashes, order and checkpoints only\n',
          );
          process.exitCode = 2;
          return;
        }
      }
      const report = verifyAudit(logs, {
        ...(macKey ? { macKey } : {}),
        checkpoints,
        ...(opts.publicKey ? { trustedPublicKey: opts.publicKey } : {}),
      });
      for (const f of report.files) {
        const where = f.firstBad ? `FIRST BAD RECORD at line ${f.firstBad.line}: ${f.firstBad.reason}` : 'ok';
        process.stdout.write(`${f.name}: ${f.records} valid records, instance ${f.instance ?? '-'}: ${where}\n`);
      }
      for (const c of report.checkpoints) {
        process.stdout.write(`checkpoint ${c.instance}@${c.size}: ${c.ok ? 'ok' : `FAILED: ${c.reason}`}\n`);
      }
      for (const problem of report.problems) process.stdout.write(`REFUSED: ${problem}\n`);
      if (!report.macChecked)
        process.stdout.write(
          'MACs not checked (no SECTOKEN_KEK, SECTOKEN_KEK_FILE or SECTOKEN_PKCS11_MODULE): hashes, order and checkpoints only\n',
        );
      if (checkpoints.length > 0 && !opts.publicKey)
        process.stdout.write(
          'checkpoint signatures checked against the key each checkpoint names: pin yours with --public-key\n',
        );
      process.stdout.write(report.ok ? 'verified\n' : 'NOT VERIFIED\n');
      process.exitCode = report.ok ? 0 : 2;
    });
  return audit;
}
