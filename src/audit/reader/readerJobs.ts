/**
 * What the audit reader thread does (src/audit/reader/readerThread.ts): the auditors' reads, which walk
 * every record of every file (a query, the charts' counts, the verification of every chain with
 * its hashes and MACs, another worker's head for a checkpoint). Plain data in, plain data out, so
 * that they can run off the event loop.
 */
import type { Checkpoint } from '../chain/checkpoint.js';
import { fileLines } from '../chain/lines.js';
import { peerHead } from './peerHead.js';
import { auditFiles, queryAudit, verifiedRecords, type AuditPage, type AuditQuery, type ChainRead } from './read.js';
import { auditStats, type AuditStats } from './stats.js';
import { verifyAudit, type VerifyReport } from '../chain/verify.js';

/** The running instance's own file, read only up to its durable size (a batch being written is not a cut record). */
interface OwnFile {
  name: string;
  bytes: number;
}

export type ReaderJob =
  | { kind: 'query'; dir: string; own: OwnFile; macKey: Uint8Array; query: AuditQuery }
  | {
      kind: 'stats';
      dir: string;
      own: OwnFile;
      macKey: Uint8Array;
      range: { from?: string | undefined; to?: string | undefined };
    }
  | {
      kind: 'verify';
      dir: string;
      own: OwnFile;
      macKey: Uint8Array;
      checkpoints: Checkpoint[];
      trustedPublicKey: string;
      live: { instance: string; size: number; headHash: string };
    }
  | { kind: 'peerHead'; dir: string; instance: string; macKey: Uint8Array };

/** Every answer that reads records says which chains it read them from (src/audit/reader/read.ts). */
type FromChains<T> = T & { chains: ChainRead[] };

export interface ReaderResults {
  query: FromChains<AuditPage>;
  stats: FromChains<AuditStats>;
  verify: VerifyReport;
  peerHead: { size: number; headHash: string };
}

/** Every file of the directory, this instance's own read up to its durable size. */
const filesOf = (dir: string, own: OwnFile) =>
  auditFiles(dir).map((f) => (f.name === own.name ? { name: f.name, text: fileLines(f.path, own.bytes) } : f));

export function runReaderJob(job: ReaderJob): ReaderResults[ReaderJob['kind']] {
  switch (job.kind) {
    case 'query': {
      const chains: ChainRead[] = [];
      return { ...queryAudit(verifiedRecords(filesOf(job.dir, job.own), job.macKey, chains), job.query), chains };
    }
    case 'stats': {
      const chains: ChainRead[] = [];
      return { ...auditStats(verifiedRecords(filesOf(job.dir, job.own), job.macKey, chains), job.range), chains };
    }
    case 'verify':
      return verifyAudit(filesOf(job.dir, job.own), {
        macKey: job.macKey,
        checkpoints: job.checkpoints,
        trustedPublicKey: job.trustedPublicKey,
        live: job.live,
      });
    case 'peerHead':
      return peerHead(job.dir, job.instance, job.macKey);
  }
}
