import type { AuditReader } from '../../audit/reader/auditReader.js';
import type { Checkpoint, CheckpointSigner } from '../../audit/chain/checkpoint.js';
import type { AuditLog } from '../../audit/writer/log.js';
import type { RefusalRecorder } from '../../audit/writer/refusals.js';
import type { Logger } from '../../log.js';

/** What the auditors' use cases, and the recording of anonymous refusals, work with. */
export interface AuditDeps {
  dir: string;
  log: AuditLog;
  macKey: Uint8Array;
  signer: CheckpointSigner;
  logger: Logger;
  /** Refusals of unauthenticated callers, aggregated (src/audit/writer/refusals.ts). */
  refusals: RefusalRecorder;
  /** The last checkpoint this process signed of its own chain, kept in memory: a rewritten file cannot take it back. */
  issued: { last: Checkpoint | undefined };
  /** Where the reads that walk the whole log run: a thread of their own (src/audit/reader/auditReader.ts). */
  reader: AuditReader;
}
