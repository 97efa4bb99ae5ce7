/**
 * GET /v1/audit/verify for a running instance: every file of the directory, plus this instance's
 * own file against what the process knows and a file cannot fake: the durable head it holds in
 * memory, and the last checkpoint it signed. Its own file is read only up to the durable size, so
 * a batch being written is not mistaken for a cut record.
 */
import type { Checkpoint } from './checkpoint.js';
import { auditFileName, type AuditLog } from './log.js';
import { fileLines } from './lines.js';
import { auditFiles } from './read.js';
import { verifyAudit, type LiveReport, type VerifyReport } from './verify.js';

export interface LiveVerification extends VerifyReport {
  live: LiveReport & {
    /** Whether the log still accepts records (its file is still the one it writes, the disk did not fail). */
    writable: boolean;
    /** The last checkpoint this process issued (its result is among `checkpoints`), or null. */
    lastCheckpoint: { size: number; headHash: string; time: string } | null;
  };
}

export function verifyLive(options: { dir: string; log: AuditLog; macKey: Uint8Array; publicKey: string; lastCheckpoint: Checkpoint | undefined }): LiveVerification {
  const { log, lastCheckpoint } = options;
  const head = log.head();
  const bytes = log.durableBytes();
  const own = auditFileName(log.instance);
  const files = auditFiles(options.dir).map((f) => (f.name === own ? { name: f.name, text: fileLines(f.path, bytes) } : f));
  const report = verifyAudit(files, {
    macKey: options.macKey,
    checkpoints: lastCheckpoint ? [lastCheckpoint] : [],
    trustedPublicKey: options.publicKey,
    live: { instance: log.instance, ...head },
  });
  return {
    ...report,
    live: {
      ...report.live!,
      writable: log.writable(),
      lastCheckpoint: lastCheckpoint ? { size: lastCheckpoint.size, headHash: lastCheckpoint.headHash, time: lastCheckpoint.time } : null,
    },
  };
}
