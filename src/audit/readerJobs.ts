/**
 * What the audit reader thread does (src/audit/readerThread.ts): the auditors' reads, which walk
 * every record of every file (a query, the charts' counts, the verification of every chain with
 * its hashes and MACs, another worker's head for a checkpoint). Plain data in, plain data out, so
 * that they can run off the event loop.
 */
import type { Checkpoint } from './checkpoint.js';
import { fileLines } from './lines.js';
import { peerHead } from './peerHead.js';
import { auditFiles, auditRecords, queryAudit, type AuditQuery } from './read.js';
import type { AuditRecord } from './record.js';
import { auditStats, type AuditStats } from './stats.js';
import { verifyAudit, type VerifyReport } from './verify.js';

export type ReaderJob =
  | { kind: 'query'; dir: string; query: AuditQuery }
  | { kind: 'stats'; dir: string; range: { from?: string | undefined; to?: string | undefined } }
  | {
      kind: 'verify';
      dir: string;
      /** The running instance's own file, read only up to its durable size (a batch being written is not a cut record). */
      own: { name: string; bytes: number };
      macKey: Uint8Array;
      checkpoints: Checkpoint[];
      trustedPublicKey: string;
      live: { instance: string; size: number; headHash: string };
    }
  | { kind: 'peerHead'; dir: string; instance: string; macKey: Uint8Array };

export interface ReaderResults {
  query: { total: number; records: AuditRecord[] };
  stats: AuditStats;
  verify: VerifyReport;
  peerHead: { size: number; headHash: string };
}

export function runReaderJob(job: ReaderJob): ReaderResults[ReaderJob['kind']] {
  switch (job.kind) {
    case 'query':
      return queryAudit(job.dir, job.query);
    case 'stats':
      return auditStats(auditRecords(job.dir), job.range);
    case 'verify': {
      const files = auditFiles(job.dir).map((f) => (f.name === job.own.name ? { name: f.name, text: fileLines(f.path, job.own.bytes) } : f));
      return verifyAudit(files, { macKey: job.macKey, checkpoints: job.checkpoints, trustedPublicKey: job.trustedPublicKey, live: job.live });
    }
    case 'peerHead':
      return peerHead(job.dir, job.instance, job.macKey);
  }
}
