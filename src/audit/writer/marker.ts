/**
 * The head marker `.head-<instance>.json`, kept beside the log but outside it: the seq, byte size
 * and hash of the last durable record, MACed under the audit MAC key. At start a log that is
 * missing, shorter than the marker or no longer holds the marked record refuses to start, so a
 * deleted or replaced file never silently begins a new chain. Created at start by rename of a
 * synced temporary file; then rewritten in place after each durable batch as one fixed 512-byte
 * block (one sector: no torn write in practice, and a torn one fails its MAC and refuses to start,
 * never passes), so it needs no new disk space and a full disk fails the log's own write first.
 * Written only after the log's fsync, it is never ahead of the log (a crash leaves it behind, which
 * the start check accepts).
 */
import {
  closeSync,
  fdatasync,
  fdatasyncSync,
  fstatSync,
  openSync,
  readFileSync,
  readSync,
  renameSync,
  statSync,
  write,
  writeSync,
} from 'node:fs';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { chainMac, macMatches } from '../chain/record.js';
import { AuditStartError } from './startError.js';

const FORMAT = 'sectoken-audit-head/1';

export interface Head {
  seq: number;
  /** Size of the log in bytes up to and including the record's line end. */
  bytes: number;
  headHash: string;
}

export const markerFileName = (instance: string): string => `.head-${instance}.json`;

const message = (instance: string, h: Head): string => `${FORMAT}\n${instance}\n${h.seq}\n${h.bytes}\n${h.headHash}`;
const BLOCK = 512;
/** One fixed-size block: the JSON, padded with spaces (which JSON.parse ignores), then a line end. */
const serialize = (instance: string, macKey: Uint8Array, h: Head): Buffer =>
  Buffer.from(
    JSON.stringify({
      format: FORMAT,
      instance,
      seq: h.seq,
      bytes: h.bytes,
      headHash: h.headHash,
      mac: chainMac(macKey, message(instance, h)),
    }).padEnd(BLOCK - 1, ' ') + '\n',
    'utf8',
  );
const writeAsync = promisify(write);
const datasyncAsync = promisify(fdatasync);

/** The marker's head, undefined when there is none; AuditStartError when it is not one this key wrote for this instance. */
export function readHeadMarker(dir: string, instance: string, macKey: Uint8Array): Head | undefined {
  const path = join(dir, markerFileName(instance));
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  const bad = new AuditStartError(
    `the audit head marker ${markerFileName(instance)} is damaged or was not written by this keyring for instance ${instance}: refusing to start (see docs/AUDIT.md §3)`,
  );
  let m: { format?: unknown; instance?: unknown; seq?: unknown; bytes?: unknown; headHash?: unknown; mac?: unknown };
  try {
    m = JSON.parse(text) as typeof m;
  } catch {
    throw bad;
  }
  if (
    m.format !== FORMAT ||
    m.instance !== instance ||
    !Number.isSafeInteger(m.seq) ||
    !Number.isSafeInteger(m.bytes) ||
    typeof m.headHash !== 'string' ||
    typeof m.mac !== 'string'
  )
    throw bad;
  const head: Head = { seq: m.seq as number, bytes: m.bytes as number, headHash: m.headHash };
  if (!macMatches(macKey, message(instance, head), m.mac)) throw bad;
  return head;
}

/**
 * Throws AuditStartError unless the log at path still holds the marked record where the marker
 * says: the line ending at byte `bytes` is record `seq` with hash `headHash`.
 */
export function assertLogHoldsHead(path: string, fileName: string, head: Head): void {
  const refuse = (what: string): never => {
    throw new AuditStartError(
      `the audit log ${fileName} ${what}, but its head marker records ${head.seq} records: refusing to start a new chain where one existed (restore the file; see docs/AUDIT.md §3)`,
    );
  };
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      if (head.seq === 0) return;
      return refuse('is missing');
    }
    throw err;
  }
  try {
    if (head.seq === 0) return;
    const window = Buffer.alloc(Math.min(head.bytes, 64 * 1024));
    const read = readSync(fd, window, 0, window.length, head.bytes - window.length);
    if (read < window.length) return refuse('is shorter than it was');
    if (window[window.length - 1] !== 10) return refuse('no longer ends a record where it did');
    const start = window.lastIndexOf(10, window.length - 2) + 1;
    let record: { seq?: unknown; hash?: unknown };
    try {
      record = JSON.parse(window.subarray(start, window.length - 1).toString('utf8')) as typeof record;
    } catch {
      return refuse('no longer holds its last record');
    }
    if (record.seq !== head.seq || record.hash !== head.headHash) refuse('was replaced or rewritten');
  } finally {
    closeSync(fd);
  }
}

/** Writes the marker now (at start), synced, by rename. */
export function writeHeadMarkerSync(dir: string, instance: string, macKey: Uint8Array, head: Head): void {
  const path = join(dir, markerFileName(instance));
  const fd = openSync(`${path}.tmp`, 'w', 0o600);
  try {
    writeSync(fd, serialize(instance, macKey, head));
    fdatasyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(`${path}.tmp`, path);
}

export interface HeadMarkerWriter {
  /** Records a new durable head; writes are serialized, and only the latest waiting head is written. */
  update(head: Head): void;
  /** False once the marker file at the path is no longer the one being written. */
  intact(): boolean;
  /** Resolves when every update so far is written (or failed), then closes the file. */
  close(): Promise<void>;
}

/** Keeps the marker written by writeHeadMarkerSync up to date, in place. */
export function headMarkerWriter(
  dir: string,
  instance: string,
  macKey: Uint8Array,
  onError: (err: unknown) => void,
): HeadMarkerWriter {
  const path = join(dir, markerFileName(instance));
  const fd = openSync(path, 'r+');
  const ino = fstatSync(fd).ino;
  let next: Head | undefined;
  let running: Promise<void> | undefined;
  const drain = async (): Promise<void> => {
    while (next !== undefined) {
      const block = serialize(instance, macKey, next);
      next = undefined;
      try {
        await writeAsync(fd, block, 0, block.length, 0);
        await datasyncAsync(fd);
      } catch (err) {
        onError(err);
      }
    }
    running = undefined;
  };
  return {
    update(head) {
      next = head;
      running ??= drain();
    },
    intact() {
      try {
        return statSync(path).ino === ino;
      } catch {
        return false;
      }
    },
    async close() {
      while (running) await running;
      closeSync(fd);
    },
  };
}
