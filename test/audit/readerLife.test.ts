/**
 * The audit reader's thread, its life seen from the service (src/audit/reader/auditReader.ts), in
 * process: a stand-in thread written here (the real one, dist/audit/reader/readerThread.js, runs
 * the jobs: test/audit/auditReader.test.ts) answers, refuses, throws or exits as a job asks. One
 * thread for every read; held open only while a read is under way (the thread's port among the
 * resources that keep the process alive); a thread that dies fails the reads it had, and the next
 * read starts another; close() ends the thread and fails what was under way.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { auditReader, type AuditReader } from '../../src/audit/reader/auditReader.js';
import type { ReaderJob } from '../../src/audit/reader/readerJobs.js';
import { SectokenError } from '../../src/errors.js';

/**
 * What the stand-in does with a job: `{ kind, then }`. A held job is answered only when a
 * 'release' job comes (no timing: a loaded machine cannot end it early).
 */
const STAND_IN = `
import { parentPort, threadId } from 'node:worker_threads';
const held = [];
parentPort.on('message', ({ id, job }) => {
  setImmediate(() => {
    if (job.then === 'hold') held.push(id);
    if (job.then === 'release') for (const heldId of [...held.splice(0), id]) parentPort.postMessage({ id: heldId, result: { threadId } });
    if (job.then === 'answer') parentPort.postMessage({ id, result: { threadId, execArgv: process.execArgv } });
    if (job.then === 'refuse') parentPort.postMessage({ id, error: 'no such chain', code: 'not_found' });
    if (job.then === 'fail') parentPort.postMessage({ id, error: 'plain failure' });
    if (job.then === 'stray') {
      parentPort.postMessage({ id: id + 1000, result: 'for nobody' });
      parentPort.postMessage({ id, result: { threadId } });
    }
    if (job.then === 'throw') throw new Error('boom');
    if (job.then === 'exit') process.exit(3);
  });
});
`;

interface StandInResult {
  threadId: number;
  execArgv?: string[];
}

let root: string;
const readers: AuditReader[] = [];
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'sectoken-reader-life-'));
  mkdirSync(join(root, 'dist', 'audit', 'reader'), { recursive: true });
  writeFileSync(join(root, 'dist', 'audit', 'reader', 'readerThread.js'), STAND_IN);
  writeFileSync(join(root, 'dist', 'package.json'), '{"type":"module"}');
});
afterAll(async () => {
  for (const reader of readers) await reader.close();
  rmSync(root, { recursive: true, force: true });
});

function newReader(): AuditReader {
  const reader = auditReader(root);
  readers.push(reader);
  return reader;
}
/** A job for the stand-in, typed as one the reader takes. */
const ask = (reader: AuditReader, then: string): Promise<StandInResult> =>
  reader.run({ kind: 'stats', then } as unknown as Extract<ReaderJob, { kind: 'stats' }>) as Promise<never>;
/** Threads' ports that keep this process alive now. */
const heldOpen = (): number => process.getActiveResourcesInfo().filter((r) => r === 'MessagePort').length;

describe('the audit reader thread', () => {
  it('is started on the first read and kept for the next ones, with nothing of the parent command line', async () => {
    const reader = newReader();
    const first = await ask(reader, 'answer');
    const second = await ask(reader, 'answer');
    expect(second.threadId).toBe(first.threadId);
    expect(first.execArgv).toEqual([]);
  });

  it('answers each read under way with its own result, whatever the order they end in', async () => {
    const reader = newReader();
    const held = ask(reader, 'hold');
    const refused = ask(reader, 'refuse');
    const failed = ask(reader, 'fail');
    const stray = ask(reader, 'stray');
    await expect(refused).rejects.toEqual(new SectokenError('not_found', 'no such chain'));
    await expect(refused).rejects.toBeInstanceOf(SectokenError);
    const plain = await failed.catch((err: unknown) => err);
    expect([plain instanceof SectokenError, (plain as Error).message]).toEqual([false, 'plain failure']);
    const { threadId } = await stray;
    await ask(reader, 'release');
    expect((await held).threadId).toBe(threadId);
  });

  it('holds the process open only while a read is under way', async () => {
    const reader = newReader();
    const idle = heldOpen();
    await ask(reader, 'answer');
    expect(heldOpen()).toBe(idle);
    const long = ask(reader, 'hold');
    const short = ask(reader, 'answer');
    expect(heldOpen()).toBe(idle + 1);
    await short;
    expect(heldOpen()).toBe(idle + 1);
    await ask(reader, 'release');
    await long;
    expect(heldOpen()).toBe(idle);
  });

  it('fails the reads of a thread that throws, naming why, and starts another for the next read', async () => {
    const reader = newReader();
    const before = await ask(reader, 'answer');
    const waiting = ask(reader, 'hold');
    await expect(ask(reader, 'throw')).rejects.toThrow('the audit reader stopped: boom');
    await expect(waiting).rejects.toThrow('the audit reader stopped: boom');
    expect((await ask(reader, 'answer')).threadId).not.toBe(before.threadId);
  });

  it('fails the reads of a thread that exits, with its exit code, and starts another for the next read', async () => {
    const reader = newReader();
    const before = await ask(reader, 'answer');
    await expect(ask(reader, 'exit')).rejects.toThrow('the audit reader stopped: exit 3');
    expect((await ask(reader, 'answer')).threadId).not.toBe(before.threadId);
  });

  it('is ended by close(): a read under way fails, the process is no longer held, and a later read starts afresh', async () => {
    const reader = newReader();
    const idle = heldOpen();
    const before = await ask(reader, 'answer');
    const cut = ask(reader, 'hold');
    expect(heldOpen()).toBe(idle + 1);
    await reader.close();
    await expect(cut).rejects.toThrow('the audit reader stopped: closed');
    expect(heldOpen()).toBe(idle);
    expect((await ask(reader, 'answer')).threadId).not.toBe(before.threadId);
    await expect(newReader().close()).resolves.toBeUndefined();
  });
});
