/**
 * This instance's append-only audit file (docs/AUDIT.md §3). append() resolves only once the
 * record is on disk (fdatasync); records that arrive while a sync runs share the next one (group
 * commit). Any write or sync error is final: the log refuses every later record until restart,
 * because after a failed fsync the kernel may have dropped the data (no retry into success); the
 * failed batch is cut off so the file still ends on a complete record. Before each batch, and
 * whenever readiness asks, the file must still be ours (same inode at the path, linked, the size we
 * made it, lock held): a deleted, replaced or cut file fails the log too. One process per chain
 * (lock.ts); a head marker outside the file (marker.ts) stops a new chain where one existed.
 */
import {
  closeSync,
  fdatasync,
  fstatSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readSync,
  statSync,
  write,
} from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { SectokenError } from '../../errors.js';
import { acquireChainLock, type ChainLock } from './lock.js';
import {
  assertLogHoldsHead,
  headMarkerWriter,
  readHeadMarker,
  writeHeadMarkerSync,
  type Head,
  type HeadMarkerWriter,
} from './marker.js';
import {
  GENESIS,
  RECORD_VERSION,
  recordForm,
  recordLine,
  sealRecord,
  type AuditEntry,
  type AuditRecord,
} from '../chain/record.js';
import { AuditStartError, auditDirUnusable } from './startError.js';
import { auditFileName } from '../chain/files.js';

export interface AuditLog {
  readonly path: string;
  readonly instance: string;
  /** Resolves with the sealed record once durable; rejects with audit_unavailable otherwise. */
  append(entry: AuditEntry): Promise<AuditRecord>;
  /** Records and head hash made durable so far. */
  head(): { size: number; headHash: string };
  /** The file's size in bytes up to the last durable record. */
  durableBytes(): number;
  /** False once the log failed; checks the file is still ours first (and fails the log if not). */
  writable(): boolean;
  /** Waits for pending records and the head marker, then releases the file and the chain's lock. */
  close(): Promise<void>;
}

interface Pending {
  line: string;
  record: AuditRecord;
  resolve: (r: AuditRecord) => void;
  reject: (e: unknown) => void;
}

const unavailable = (cause?: unknown): SectokenError =>
  new SectokenError('audit_unavailable', 'the audit log cannot record this act now; nothing was done', { cause });

const writeAsync = promisify(write);
const datasyncAsync = promisify(fdatasync);

/** fs.write may write less than asked (a filling disk): loop until all is written or it throws. */
async function writeAll(fd: number, buffer: Buffer): Promise<void> {
  let offset = 0;
  while (offset < buffer.length) {
    const { bytesWritten } = await writeAsync(fd, buffer, offset, buffer.length - offset);
    offset += bytesWritten;
  }
}

/** An error from the file having been changed behind the log's back; its code names it in the log line. */
const changedOnDisk = (what: string): Error =>
  Object.assign(new Error(`the audit file ${what} outside this process`), { code: 'EAUDITCHANGED' });

/**
 * Opens (or continues) the chain synchronously, so a service can be assembled without awaiting.
 * Throws AuditStartError when another process holds the chain, the file no longer holds the head
 * its marker recorded, or the directory cannot be written (a file, read-only, not allowed): every
 * later I/O error leaves the log failed (audited acts refused) instead.
 */
export function openAuditLog(options: {
  dir: string;
  instance: string;
  macKey: Uint8Array;
  now?: () => Date;
  onFailure?: (err: unknown) => void;
}): AuditLog {
  const fileName = auditFileName(options.instance);
  const path = join(options.dir, fileName);
  const now = options.now ?? (() => new Date());
  let fd: number | undefined;
  let lock: ChainLock | undefined;
  let marker: HeadMarkerWriter | undefined;
  let failure: unknown;
  let seq = 0;
  let headHash = GENESIS;
  /** What is known durable: records, last hash, and the file's size in bytes up to there. */
  let durable: Head = { seq: 0, bytes: 0, headHash: GENESIS };
  /** Bytes of the batch being written, not yet durable. */
  let inFlight = 0;
  try {
    mkdirSync(options.dir, { recursive: true, mode: 0o700 });
    lock = acquireChainLock(options.dir, options.instance);
    const marked = readHeadMarker(options.dir, options.instance, options.macKey);
    if (marked) assertLogHoldsHead(path, fileName, marked);
    durable = recoverTail(path, fileName);
    ({ seq, headHash } = durable);
    fd = openSync(path, 'a', 0o600);
    writeHeadMarkerSync(options.dir, options.instance, options.macKey, durable);
    marker = headMarkerWriter(options.dir, options.instance, options.macKey, (err) => fail(err));
  } catch (err) {
    if (fd !== undefined) closeSync(fd);
    lock?.release();
    if (err instanceof AuditStartError) throw err;
    // A start that cannot audit is not a start (SPEC "Audit"): refused, like a second writer.
    throw auditDirUnusable(options.dir, err);
  }

  let queue: Pending[] = [];
  let flushing = false;

  const fail = (err: unknown): void => {
    if (failure === undefined) options.onFailure?.(err);
    failure ??= err;
    const waiting = queue;
    queue = [];
    for (const p of waiting) p.reject(unavailable(err));
  };

  /**
   * The file we write must still be the one at our path, linked, of the size we made it, and the
   * lock still ours: otherwise records would go into a deleted inode or a file someone else cut.
   */
  const integrity = (): Error | undefined => {
    if (!lock?.held()) return changedOnDisk('lock was removed or replaced');
    if (!marker?.intact()) return changedOnDisk('head marker was removed or replaced');
    let onDisk;
    try {
      onDisk = statSync(path);
    } catch {
      return changedOnDisk('was deleted');
    }
    if (fd === undefined) return changedOnDisk('is closed');
    const open = fstatSync(fd);
    if (open.nlink === 0 || onDisk.ino !== open.ino || onDisk.dev !== open.dev)
      return changedOnDisk('was deleted or replaced');
    if (open.size < durable.bytes || open.size > durable.bytes + inFlight) return changedOnDisk('changed size');
    return undefined;
  };

  /** Cuts a failed batch off, so the file ends on the last durable record while the process runs. */
  const cutBack = (): void => {
    try {
      if (fd !== undefined) ftruncateSync(fd, durable.bytes);
    } catch {
      // Best effort: the start after a restart cuts a partial line anyway.
    }
  };

  const flush = async (): Promise<void> => {
    flushing = true;
    while (queue.length > 0 && failure === undefined) {
      const batch = queue;
      queue = [];
      const changed = integrity();
      if (changed) {
        for (const p of batch) p.reject(unavailable(changed));
        fail(changed);
        break;
      }
      const text = Buffer.from(batch.map((p) => p.line).join(''), 'utf8');
      inFlight = text.length;
      try {
        const target = fd;
        if (target === undefined) throw changedOnDisk('is closed');
        await writeAll(target, text);
        await datasyncAsync(target);
      } catch (err) {
        cutBack();
        inFlight = 0;
        for (const p of batch) p.reject(unavailable(err));
        fail(err);
        break;
      }
      const last = batch[batch.length - 1]!.record;
      durable = { seq: last.seq, bytes: durable.bytes + text.length, headHash: last.hash };
      inFlight = 0;
      marker?.update(durable);
      for (const p of batch) p.resolve(p.record);
    }
    flushing = false;
  };

  return {
    path,
    instance: options.instance,
    append(entry) {
      if (failure !== undefined || fd === undefined) return Promise.reject(unavailable(failure));
      seq += 1;
      const record = sealRecord(options.macKey, entry, {
        instance: options.instance,
        seq,
        time: now().toISOString(),
        prev: headHash,
      });
      headHash = record.hash;
      return new Promise<AuditRecord>((resolve, reject) => {
        queue.push({ line: recordLine(record), record, resolve, reject });
        if (!flushing) void flush();
      });
    },
    head: () => ({ size: durable.seq, headHash: durable.headHash }),
    durableBytes: () => durable.bytes,
    writable() {
      if (failure !== undefined || fd === undefined) return false;
      const changed = integrity();
      if (changed) fail(changed);
      return changed === undefined;
    },
    async close() {
      while (flushing) await new Promise((r) => setTimeout(r, 5));
      await marker?.close();
      marker = undefined;
      if (fd !== undefined) closeSync(fd);
      fd = undefined;
      lock?.release();
      lock = undefined;
    },
  };
}

/**
 * Finds where this instance's chain stands: the last complete record's seq and hash, and the size
 * up to its line end. A partial last line can only come from a write cut short before its fsync,
 * whose answer was never sent, so it is cut off. A chain of form 1 goes on in form 2 (docs/AUDIT.md
 * §1); one whose last record is of a form this version does not know (a newer sectoken wrote it)
 * is not continued: its verifier would refuse the records after it.
 */
function recoverTail(path: string, fileName: string): Head {
  const empty: Head = { seq: 0, bytes: 0, headHash: GENESIS };
  let fd: number;
  try {
    fd = openSync(path, 'r+');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return empty;
    throw err;
  }
  try {
    const size = fstatSync(fd).size;
    if (size === 0) return empty;
    const chunk = Buffer.alloc(Math.min(size, 64 * 1024));
    readSync(fd, chunk, 0, chunk.length, size - chunk.length);
    const lastNewline = chunk.lastIndexOf(10);
    const bytes = size - (chunk.length - lastNewline - 1);
    const lines = chunk
      .subarray(0, lastNewline + 1)
      .toString('utf8')
      .split('\n')
      .filter(Boolean);
    const last = lines[lines.length - 1];
    const record = last ? (JSON.parse(last) as { v: unknown; seq: number; hash: string }) : undefined;
    if (record && recordForm(record.v) === undefined) {
      throw new AuditStartError(
        `the audit log ${fileName} ends with a record of form v ${JSON.stringify(record.v)}, which this version of sectoken (form v ${RECORD_VERSION}) does not write: run the version that wrote it, or a newer one (see docs/AUDIT.md §1)`,
      );
    }
    if (bytes !== size) ftruncateSync(fd, bytes);
    if (!record) return empty;
    return { seq: record.seq, bytes, headHash: record.hash };
  } finally {
    closeSync(fd);
  }
}
