/**
 * This instance's append-only audit file (docs/AUDIT.md §3). append() resolves only once the
 * record is on disk (fdatasync); records that arrive while a sync runs share the next one (group
 * commit). Any write or sync error is final: the log refuses every later record until restart,
 * because after a failed fsync the kernel may have dropped the data (no retry into success).
 */
import { closeSync, fdatasync, fstatSync, ftruncateSync, mkdirSync, openSync, readSync, write } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { SectokenError } from '../errors.js';
import { GENESIS, recordLine, sealRecord, type AuditEntry, type AuditRecord } from './record.js';

export interface AuditLog {
  readonly path: string;
  readonly instance: string;
  /** Resolves with the sealed record once durable; rejects with audit_unavailable otherwise. */
  append(entry: AuditEntry): Promise<AuditRecord>;
  /** Records and head hash made durable so far. */
  head(): { size: number; headHash: string };
  writable(): boolean;
  close(): Promise<void>;
}

interface Pending {
  line: string;
  record: AuditRecord;
  resolve: (r: AuditRecord) => void;
  reject: (e: unknown) => void;
}

export const auditFileName = (instance: string): string => `audit-${instance}.jsonl`;

const unavailable = (cause?: unknown): SectokenError =>
  new SectokenError('audit_unavailable', 'the audit log cannot record this act now; nothing was done', { cause });

const writeAsync = promisify(write);
const datasyncAsync = promisify(fdatasync);

/** fs.write may write less than asked (a filling disk): loop until all is written or it throws. */
async function writeAll(fd: number, text: string): Promise<void> {
  const buffer = Buffer.from(text, 'utf8');
  let offset = 0;
  while (offset < buffer.length) {
    const { bytesWritten } = await writeAsync(fd, buffer, offset, buffer.length - offset);
    offset += bytesWritten;
  }
}

/** Opens (or continues) the chain synchronously, so a service can be assembled without awaiting. */
export function openAuditLog(options: {
  dir: string;
  instance: string;
  macKey: Uint8Array;
  now?: () => Date;
  onFailure?: (err: unknown) => void;
}): AuditLog {
  const path = join(options.dir, auditFileName(options.instance));
  const now = options.now ?? (() => new Date());
  let fd: number | undefined;
  let failure: unknown;
  let seq = 0;
  let headHash = GENESIS;
  let durable = { size: 0, headHash: GENESIS };
  try {
    mkdirSync(options.dir, { recursive: true, mode: 0o700 });
    ({ seq, headHash } = recoverTail(path));
    durable = { size: seq, headHash };
    fd = openSync(path, 'a', 0o600);
  } catch (err) {
    failure = err;
    options.onFailure?.(err);
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

  const flush = async (): Promise<void> => {
    flushing = true;
    while (queue.length > 0 && failure === undefined) {
      const batch = queue;
      queue = [];
      try {
        await writeAll(fd!, batch.map((p) => p.line).join(''));
        await datasyncAsync(fd!);
      } catch (err) {
        for (const p of batch) p.reject(unavailable(err));
        fail(err);
        break;
      }
      const last = batch[batch.length - 1]!.record;
      durable = { size: last.seq, headHash: last.hash };
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
      const record = sealRecord(options.macKey, entry, { instance: options.instance, seq, time: now().toISOString(), prev: headHash });
      headHash = record.hash;
      return new Promise<AuditRecord>((resolve, reject) => {
        queue.push({ line: recordLine(record), record, resolve, reject });
        if (!flushing) void flush();
      });
    },
    head: () => ({ ...durable }),
    writable: () => failure === undefined && fd !== undefined,
    async close() {
      while (flushing) await new Promise((r) => setTimeout(r, 5));
      if (fd !== undefined) closeSync(fd);
      fd = undefined;
    },
  };
}

/**
 * Finds where this instance's chain stands: the last complete record's seq and hash. A partial
 * last line can only come from a write cut short before its fsync, whose answer was never sent,
 * so it is cut off.
 */
function recoverTail(path: string): { seq: number; headHash: string } {
  let fd: number;
  try {
    fd = openSync(path, 'r+');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { seq: 0, headHash: GENESIS };
    throw err;
  }
  try {
    const size = fstatSync(fd).size;
    if (size === 0) return { seq: 0, headHash: GENESIS };
    const chunk = Buffer.alloc(Math.min(size, 64 * 1024));
    readSync(fd, chunk, 0, chunk.length, size - chunk.length);
    const lastNewline = chunk.lastIndexOf(10);
    if (lastNewline !== chunk.length - 1) ftruncateSync(fd, size - (chunk.length - lastNewline - 1));
    const lines = chunk.subarray(0, lastNewline + 1).toString('utf8').split('\n').filter(Boolean);
    const last = lines[lines.length - 1];
    if (!last) return { seq: 0, headHash: GENESIS };
    const record = JSON.parse(last) as { seq: number; hash: string };
    return { seq: record.seq, headHash: record.hash };
  } finally {
    closeSync(fd);
  }
}
