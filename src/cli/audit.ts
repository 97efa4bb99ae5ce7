/**
 * `sectoken audit verify FILE... [--checkpoint CP.json ...]`: the offline verifier. With the
 * keyring's KEK at hand it checks MACs too; without, hashes, order and checkpoints only.
 * Exit status 0 when everything holds, 2 when something does not.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { Command } from 'commander';
import type { Checkpoint } from '../audit/checkpoint.js';
import { verifyAudit } from '../audit/verify.js';
import { readSettings } from '../config/env.js';
import { openKeyringFile, readKek } from '../keys/store.js';

export function auditCommand(): Command {
  const audit = new Command('audit').description('verify audit logs offline');
  audit
    .command('verify')
    .description('check audit files (one chain per instance) and that they extend the given checkpoints')
    .argument('<files...>', 'audit-<instance>.jsonl files')
    .option('--checkpoint <file>', 'a checkpoint JSON kept off-host (repeatable)', (v: string, all: string[]) => [...all, v], [] as string[])
    .option('--public-key <base64url>', 'the Ed25519 key to trust for checkpoints (default: the one each checkpoint names)')
    .action((files: string[], opts: { checkpoint: string[]; publicKey?: string }) => {
      const settings = readSettings();
      // MACs are checked only under a keyring named explicitly: a guessed one would call every
      // record forged. Without, hashes, order and checkpoints only, and the report says so.
      const kek = readKek(settings);
      const macKey = kek ? openKeyringFile(settings.keyringPath, kek).auditMac : undefined;
      const report = verifyAudit(
        files.map((f) => ({ name: basename(f), text: readFileSync(f, 'utf8') })),
        {
          ...(macKey ? { macKey } : {}),
          checkpoints: opts.checkpoint.map((f) => JSON.parse(readFileSync(f, 'utf8')) as Checkpoint),
          ...(opts.publicKey ? { trustedPublicKey: opts.publicKey } : {}),
        },
      );
      for (const f of report.files) {
        const where = f.firstBad ? `FIRST BAD RECORD at line ${f.firstBad.line}: ${f.firstBad.reason}` : 'ok';
        process.stdout.write(`${f.name}: ${f.records} valid records, instance ${f.instance ?? '-'}: ${where}\n`);
      }
      for (const c of report.checkpoints) {
        process.stdout.write(`checkpoint ${c.instance}@${c.size}: ${c.ok ? 'ok' : `FAILED: ${c.reason}`}\n`);
      }
      for (const problem of report.problems) process.stdout.write(`REFUSED: ${problem}\n`);
      if (!report.macChecked) process.stdout.write('MACs not checked (no SECTOKEN_KEK or SECTOKEN_KEK_FILE): hashes, order and checkpoints only\n');
      process.stdout.write(report.ok ? 'verified\n' : 'NOT VERIFIED\n');
      process.exitCode = report.ok ? 0 : 2;
    });
  return audit;
}
