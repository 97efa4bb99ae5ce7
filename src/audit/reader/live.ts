/**
 * GET /v1/audit/verify for a running instance: every file of the directory, plus this instance's
 * own file against what the process knows and a file cannot fake: the durable head it holds in
 * memory, and the last checkpoint it signed. Its own file is read only up to the durable size, so
 * a batch being written is not mistaken for a cut record. Checkpoints an auditor kept are checked
 * after the last one issued (which stays first). The walk runs on the reader thread.
 */
import type { AuditReader } from './auditReader.js';
import type { Checkpoint } from '../chain/checkpoint.js';
import { auditFileName } from '../chain/files.js';
import type { AuditLog } from '../writer/log.js';
import type { LiveReport, VerifyReport } from '../chain/verify.js';

export interface LiveVerification extends VerifyReport {
  live: LiveReport & {
    /** Whether the log still accepts records (its file is still the one it writes, the disk did not fail). */
    writable: boolean;
    /** The last checkpoint this process issued (its result is among `checkpoints`), or null. */
    lastCheckpoint: { size: number; headHash: string; time: string } | null;
  };
}

export async function verifyLive(options: {
  dir: string;
  log: AuditLog;
  macKey: Uint8Array;
  publicKey: string;
  lastCheckpoint: Checkpoint | undefined;
  kept?: Checkpoint[];
  reader: AuditReader;
}): Promise<LiveVerification> {
  const { log, lastCheckpoint } = options;
  const report = await options.reader.run({
    kind: 'verify',
    dir: options.dir,
    own: { name: auditFileName(log.instance), bytes: log.durableBytes() },
    macKey: options.macKey,
    checkpoints: [...(lastCheckpoint ? [lastCheckpoint] : []), ...(options.kept ?? [])],
    trustedPublicKey: options.publicKey,
    live: { instance: log.instance, ...log.head() },
  });
  if (!report.live) throw new Error('the audit reader answered without the live head it was asked for');
  return {
    ...report,
    live: {
      ...report.live,
      writable: log.writable(),
      lastCheckpoint: lastCheckpoint
        ? { size: lastCheckpoint.size, headHash: lastCheckpoint.headHash, time: lastCheckpoint.time }
        : null,
    },
  };
}
