/**
 * The audit writer in process (src/audit/writer/log.ts, marker.ts): appends, group commit, the
 * tail recovered at start, the head marker, and every way the file can change behind the log's
 * back. Real files in a temporary directory, read back from disk.
 */
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  linkSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  renameSync,
  statSync,
  truncateSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { scratchSpace } from './scratch.js';
import { SectokenError } from '../../src/errors.js';
import { auditFileName } from '../../src/audit/chain/files.js';
import { GENESIS, sealRecord, recordLine, type AuditEntry, type AuditRecord } from '../../src/audit/chain/record.js';
import { verifyAudit } from '../../src/audit/chain/verify.js';
import { lockFileName } from '../../src/audit/writer/lock.js';
import { openAuditLog, type AuditLog } from '../../src/audit/writer/log.js';
import {
  assertLogHoldsHead,
  headMarkerWriter,
  markerFileName,
  readHeadMarker,
  writeHeadMarkerSync,
  type Head,
} from '../../src/audit/writer/marker.js';
import { AuditStartError } from '../../src/audit/writer/startError.js';

const macKey = randomBytes(32);
const INSTANCE = 'w';
const NAME = auditFileName(INSTANCE);
const { tempDir, keep } = scratchSpace('sectoken-writer-');

function start(dir: string, extra: Partial<Parameters<typeof openAuditLog>[0]> = {}): AuditLog {
  return keep(openAuditLog({ dir, instance: INSTANCE, macKey, ...extra }));
}

const entry = (caseId = 'CASE-1'): AuditEntry => ({
  act: 'reverse',
  client: 'regulator-cndp',
  sector: 'tax',
  caseId,
  outcome: 'ok',
});

const fileText = (dir: string): string => readFileSync(join(dir, NAME), 'utf8');
const records = (dir: string): AuditRecord[] =>
  fileText(dir)
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as AuditRecord);
const verified = (dir: string): boolean => verifyAudit([{ name: NAME, text: fileText(dir) }], { macKey }).ok;
const openFds = (): number => readdirSync('/proc/self/fd').length;

/** What the log reported to onFailure, and the error an append is rejected with. */
function failures(): { errors: unknown[]; onFailure: (err: unknown) => void } {
  const errors: unknown[] = [];
  return { errors, onFailure: (err) => errors.push(err) };
}

async function rejection(p: Promise<unknown>): Promise<SectokenError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(SectokenError);
  expect((err as SectokenError).code).toBe('audit_unavailable');
  return err as SectokenError;
}

describe('appending', () => {
  it('writes sealed, chained records at the clock given, each durable before it resolves, and says where the head is', async () => {
    const dir = join(tempDir(), 'nested', 'audit');
    const times = ['2026-01-02T03:04:05.000Z', '2026-01-02T03:04:06.000Z'];
    let i = 0;
    const log = start(dir, { now: () => new Date(times[i++]!) });
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(log.path).toBe(join(dir, NAME));
    expect(log.instance).toBe(INSTANCE);
    expect(log.head()).toEqual({ size: 0, headHash: GENESIS });
    expect(log.durableBytes()).toBe(0);

    const first = await log.append(entry('CASE-A'));
    expect(first).toMatchObject({ id: 'w:1', seq: 1, time: times[0], prev: GENESIS, caseId: 'CASE-A' });
    expect(fileText(dir)).toBe(recordLine(first));
    const second = await log.append(entry('CASE-B'));
    expect(second).toMatchObject({ id: 'w:2', seq: 2, time: times[1], prev: first.hash });
    expect(records(dir)).toEqual([first, second]);
    expect(log.head()).toEqual({ size: 2, headHash: second.hash });
    expect(log.durableBytes()).toBe(statSync(log.path).size);
    expect(statSync(log.path).mode & 0o777).toBe(0o600);
    expect(verified(dir)).toBe(true);
    expect(log.writable()).toBe(true);
    await log.close();
    expect(readHeadMarker(dir, INSTANCE, macKey)).toEqual({
      seq: 2,
      bytes: statSync(log.path).size,
      headHash: second.hash,
    });
  });

  it('gives the current time when no clock is given', async () => {
    const log = start(tempDir());
    const before = Date.now();
    const record = await log.append(entry());
    expect(Date.parse(record.time)).toBeGreaterThanOrEqual(before);
    expect(Date.parse(record.time)).toBeLessThanOrEqual(Date.now());
    await log.close();
  });

  it('when many records arrive at once, then they share syncs, resolve in order, and the file holds each once', async () => {
    const dir = tempDir();
    const log = start(dir);
    const all = await Promise.all(Array.from({ length: 20 }, (_, i) => log.append(entry(`CASE-${i}`))));
    expect(all.map((r) => r.seq)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(records(dir)).toEqual(all);
    expect(log.head()).toEqual({ size: 20, headHash: all[19]!.hash });
    expect(verified(dir)).toBe(true);
    await log.close();
  });

  it('when closed while a record is being written, then close waits for it; afterwards it refuses and lets go of the lock', async () => {
    const dir = tempDir();
    const log = start(dir);
    const pending = [log.append(entry('CASE-1')), log.append(entry('CASE-2'))];
    await log.close();
    await expect(Promise.all(pending)).resolves.toHaveLength(2);
    expect(records(dir).map((r) => r.seq)).toEqual([1, 2]);
    expect(readHeadMarker(dir, INSTANCE, macKey)?.seq).toBe(2);
    expect(existsSync(join(dir, lockFileName(INSTANCE)))).toBe(false);
    expect(log.writable()).toBe(false);
    const late = await rejection(log.append(entry()));
    expect(late.message).toBe('the audit log cannot record this act now; nothing was done');
    expect(late.cause).toBeUndefined();
    await log.close(); // twice is fine
  });

  it('while a batch is written but not yet synced, the file may be longer than what is durable: still writable', async () => {
    const dir = tempDir();
    const log = start(dir);
    await log.append(entry());
    const size = statSync(log.path).size;
    const pending = log.append(entry());
    // The write runs on libuv's pool; hold this thread until it landed, before its sync's callback can run.
    const until = Date.now() + 10_000;
    while (statSync(log.path).size === size && Date.now() < until);
    expect(statSync(log.path).size).toBeGreaterThan(size);
    expect(log.durableBytes()).toBe(size);
    expect(log.writable()).toBe(true);
    await pending;
    expect(log.durableBytes()).toBe(statSync(log.path).size);
    await log.close();
  });
});

describe('a healthy log', () => {
  it('reports no failure when asked whether it is writable, and leaves the records waiting alone', async () => {
    const dir = tempDir();
    const { errors, onFailure } = failures();
    const log = start(dir, { onFailure });
    const pending = [log.append(entry('CASE-1')), log.append(entry('CASE-2'))];
    expect(log.writable()).toBe(true);
    expect(log.writable()).toBe(true);
    expect((await Promise.all(pending)).map((r) => r.seq)).toEqual([1, 2]);
    expect(errors).toEqual([]);
    await log.close();
  });

  it('holds no file descriptor once closed', async () => {
    const dir = tempDir();
    await start(dir).close(); // the first start creates the files
    const fds = openFds();
    for (let i = 0; i < 5; i++) {
      const log = start(dir);
      await log.append(entry());
      await log.close();
    }
    expect(openFds()).toBe(fds);
  });
});

describe('the head marker cannot be written', () => {
  it('when a write of the marker fails after a batch, then the log fails, reports it once, and refuses what comes next; the batch itself is durable', async () => {
    const dir = tempDir();
    const { errors, onFailure } = failures();
    const log = start(dir, { onFailure });
    const markerPath = join(dir, markerFileName(INSTANCE));
    const linked = (fd: string): string | undefined => {
      try {
        return readlinkSync(`/proc/self/fd/${fd}`);
      } catch {
        return undefined;
      }
    };
    const markerFd = Number(readdirSync('/proc/self/fd').find((fd) => linked(fd) === markerPath));
    expect(markerFd).toBeGreaterThan(2);
    // Its descriptor replaced by a read-only one of the same number: the marker's writes fail (EBADF), as on an I/O error.
    closeSync(markerFd);
    const spare: number[] = [];
    for (let fd = openSync(markerPath, 'r'); fd !== markerFd; fd = openSync(markerPath, 'r')) spare.push(fd);
    for (const fd of spare) closeSync(fd);

    const durable = await Promise.all([log.append(entry('CASE-1')), log.append(entry('CASE-2'))]);
    const until = Date.now() + 10_000;
    while (errors.length === 0 && Date.now() < until) await new Promise((r) => setImmediate(r));
    expect(errors).toEqual([expect.objectContaining({ code: 'EBADF' })]);
    expect(log.writable()).toBe(false);
    expect((await rejection(log.append(entry('CASE-3')))).cause).toBe(errors[0]);
    await log.close(); // waits for the marker's last write, which fails too
    expect(errors).toHaveLength(1);
    expect(records(dir)).toEqual(durable);
  });
});

describe('the file changed behind the log: the log fails for good and says why', () => {
  const cases: [string, (dir: string, log: AuditLog) => void, string][] = [
    ['deleted', (_dir, log) => unlinkSync(log.path), 'the audit file was deleted outside this process'],
    [
      'replaced',
      (_dir, log) => {
        writeFileSync(`${log.path}.new`, readFileSync(log.path));
        renameSync(`${log.path}.new`, log.path);
      },
      'the audit file was deleted or replaced outside this process',
    ],
    [
      'replaced while its old file is kept under another name (a hard link)',
      (_dir, log) => {
        linkSync(log.path, `${log.path}.kept`);
        writeFileSync(`${log.path}.new`, readFileSync(log.path));
        renameSync(`${log.path}.new`, log.path);
      },
      'the audit file was deleted or replaced outside this process',
    ],
    [
      'cut by a byte',
      (_dir, log) => truncateSync(log.path, statSync(log.path).size - 1),
      'the audit file changed size outside this process',
    ],
    [
      'appended to by a byte',
      (_dir, log) => writeFileSync(log.path, '\n', { flag: 'a' }),
      'the audit file changed size outside this process',
    ],
    [
      'unlocked',
      (dir) => unlinkSync(join(dir, lockFileName(INSTANCE))),
      'the audit file lock was removed or replaced outside this process',
    ],
    [
      'left without its head marker',
      (dir) => unlinkSync(join(dir, markerFileName(INSTANCE))),
      'the audit file head marker was removed or replaced outside this process',
    ],
  ];

  it.each(cases)(
    'when the file is %s, then the next append is refused, and so is every later one',
    async (_what, tamper, message) => {
      const dir = tempDir();
      const { errors, onFailure } = failures();
      const log = start(dir, { onFailure });
      await log.append(entry());
      await log.append(entry());
      tamper(dir, log);
      const err = await rejection(log.append(entry('CASE-LOST')));
      expect(err.cause).toMatchObject({ code: 'EAUDITCHANGED', message });
      expect(errors).toEqual([err.cause]);
      expect(log.writable()).toBe(false);
      await rejection(log.append(entry('CASE-LOST-2')));
      expect(errors).toHaveLength(1);
      if (existsSync(log.path)) expect(fileText(dir)).not.toContain('CASE-LOST');
      await log.close();
    },
  );

  it('when the file was appended to, then writable() alone notices it and reports it once', async () => {
    const dir = tempDir();
    const { errors, onFailure } = failures();
    const log = start(dir, { onFailure });
    await log.append(entry());
    writeFileSync(log.path, '{}\n', { flag: 'a' });
    expect(log.writable()).toBe(false);
    expect(errors).toEqual([expect.objectContaining({ code: 'EAUDITCHANGED' })]);
    expect(log.writable()).toBe(false);
    expect(errors).toHaveLength(1);
    const err = await rejection(log.append(entry()));
    expect(err.cause).toBe(errors[0]);
    await log.close();
  });

  it('when records wait behind a batch and the file is cut meanwhile, then the batch is durable and each waiting record is refused', async () => {
    const dir = tempDir();
    const { errors, onFailure } = failures();
    const log = start(dir, { onFailure });
    await log.append(entry());
    const size = statSync(log.path).size;
    const first = log.append(entry('CASE-2'));
    const waiting = [log.append(entry('CASE-3')), log.append(entry('CASE-4'))];
    // Hold this thread until the first batch's write landed (its sync's callback cannot run meanwhile), then cut the file.
    const until = Date.now() + 10_000;
    while (statSync(log.path).size === size && Date.now() < until);
    truncateSync(log.path, 0);
    expect((await first).seq).toBe(2);
    for (const p of waiting)
      expect((await rejection(p)).cause).toMatchObject({ message: 'the audit file changed size outside this process' });
    expect(errors).toHaveLength(1);
    await log.close();
  });

  it('when the lock file is replaced by another, then the log fails and does not remove the other one', async () => {
    const dir = tempDir();
    const log = start(dir);
    await log.append(entry());
    const lockPath = join(dir, lockFileName(INSTANCE));
    writeFileSync(`${lockPath}.other`, '{}');
    renameSync(`${lockPath}.other`, lockPath);
    expect(log.writable()).toBe(false);
    await log.close();
    expect(readFileSync(lockPath, 'utf8')).toBe('{}');
  });

  it('keeps the file of a failed log as it was, and a restart goes on from its last record', async () => {
    const dir = tempDir();
    const log = start(dir);
    const first = await log.append(entry());
    unlinkSync(join(dir, markerFileName(INSTANCE)));
    await rejection(log.append(entry()));
    await log.close();
    expect(records(dir)).toEqual([first]);
    const again = start(dir);
    expect(again.head()).toEqual({ size: 1, headHash: first.hash });
    expect((await again.append(entry())).prev).toBe(first.hash);
    await again.close();
  });
});

describe('starting over an existing file', () => {
  async function twoRecords(): Promise<{ dir: string; records: AuditRecord[]; text: string }> {
    const dir = tempDir();
    const log = start(dir);
    const rs = [await log.append(entry()), await log.append(entry())];
    await log.close();
    return { dir, records: rs, text: fileText(dir) };
  }

  it('goes on from the last record: seq, prev, and the durable size', async () => {
    const { dir, records: rs, text } = await twoRecords();
    const log = start(dir);
    expect(log.head()).toEqual({ size: 2, headHash: rs[1]!.hash });
    expect(log.durableBytes()).toBe(Buffer.byteLength(text));
    const third = await log.append(entry());
    expect(third).toMatchObject({ seq: 3, prev: rs[1]!.hash });
    expect(verified(dir)).toBe(true);
    await log.close();
  });

  it('cuts off a partial last line (a write cut short before its sync) and goes on after the last whole record', async () => {
    const { dir, records: rs, text } = await twoRecords();
    writeFileSync(join(dir, NAME), '{"v":2,"id":"w:3","se', { flag: 'a' });
    const log = start(dir);
    expect(fileText(dir)).toBe(text);
    expect(log.head()).toEqual({ size: 2, headHash: rs[1]!.hash });
    expect((await log.append(entry())).seq).toBe(3);
    expect(verified(dir)).toBe(true);
    await log.close();
  });

  it('when the file is only a partial line, then it is emptied and the chain begins', async () => {
    const dir = tempDir();
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, NAME), '{"v":2,"id":"w:1"');
    const log = start(dir);
    expect(statSync(log.path).size).toBe(0);
    expect(log.head()).toEqual({ size: 0, headHash: GENESIS });
    expect(await log.append(entry())).toMatchObject({ seq: 1, prev: GENESIS });
    await log.close();
  });

  it('when the file is empty, then the chain begins', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, NAME), '');
    const log = start(dir);
    expect(await log.append(entry())).toMatchObject({ seq: 1, prev: GENESIS });
    await log.close();
  });

  it('reads the tail of a file longer than its 64 KiB window', async () => {
    const dir = tempDir();
    const log = start(dir);
    let last: AuditRecord | undefined;
    while (log.durableBytes() < 80 * 1024) {
      const batch = await Promise.all(Array.from({ length: 50 }, () => log.append(entry('C'.repeat(200)))));
      last = batch.at(-1);
    }
    await log.close();
    writeFileSync(log.path, '{"partial":', { flag: 'a' });
    const again = start(dir);
    expect(again.head()).toEqual({ size: last!.seq, headHash: last!.hash });
    expect(statSync(log.path).size).toBe(again.durableBytes());
    expect((await again.append(entry())).seq).toBe(last!.seq + 1);
    expect(verified(dir)).toBe(true);
    await again.close();
  });

  it('continues a chain whose last record is of form 1', async () => {
    const dir = tempDir();
    mkdirSync(dir, { recursive: true });
    const r = sealRecord(macKey, entry(), {
      instance: INSTANCE,
      seq: 1,
      time: '2026-01-01T00:00:00.000Z',
      prev: GENESIS,
    });
    const form1 = { ...JSON.parse(recordLine(r)), v: 1 } as Record<string, unknown>;
    writeFileSync(join(dir, NAME), `${JSON.stringify(form1)}\n`);
    const log = start(dir);
    expect(log.head()).toEqual({ size: 1, headHash: r.hash });
    await log.close();
  });

  it('refuses a chain whose last record is of a form this version does not write, naming both forms', () => {
    const dir = tempDir();
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, NAME), `${JSON.stringify({ v: 3, seq: 1, hash: 'x' })}\n`);
    expect(() => start(dir)).toThrow(
      new AuditStartError(
        'the audit log audit-w.jsonl ends with a record of form v 3, which this version of sectoken (form v 2) does not write: run the version that wrote it, or a newer one (see docs/AUDIT.md §1)',
      ),
    );
    // The lock was let go: a start after the file is fixed is not refused as a second writer.
    expect(existsSync(join(dir, lockFileName(INSTANCE)))).toBe(false);
    unlinkSync(join(dir, NAME));
    start(dir);
  });

  it('refuses a second log on the same chain while the first is open, and lets go of nothing of the first', async () => {
    const dir = tempDir();
    const first = start(dir);
    expect(() => start(dir)).toThrow(AuditStartError);
    expect(() => start(dir)).toThrow(/already written by process/);
    await first.append(entry());
    expect(first.writable()).toBe(true);
    await first.close();
    await start(dir).close();
  });

  it('refuses to start when the file the marker recorded is gone, and leaves no lock or open file behind', async () => {
    const { dir } = await twoRecords();
    const saved = readFileSync(join(dir, NAME));
    unlinkSync(join(dir, NAME));
    const fds = openFds();
    for (let i = 0; i < 5; i++)
      expect(() => start(dir)).toThrow(
        'the audit log audit-w.jsonl is missing, but its head marker records 2 records: refusing to start a new chain where one existed (restore the file; see docs/AUDIT.md §3)',
      );
    expect(openFds()).toBeLessThanOrEqual(fds);
    expect(existsSync(join(dir, lockFileName(INSTANCE)))).toBe(false);
    writeFileSync(join(dir, NAME), saved);
    await start(dir).close();
  });

  it('when the head marker cannot be written, then it refuses to start naming the directory, and closes the file it opened', () => {
    const dir = tempDir();
    mkdirSync(join(dir, `${markerFileName(INSTANCE)}.tmp`), { recursive: true });
    const fds = openFds();
    for (let i = 0; i < 5; i++)
      expect(() => start(dir)).toThrow(
        `the audit directory ${dir} cannot hold the audit log (cannot write, EISDIR): set SECTOKEN_AUDIT_DIR to a directory this process can write`,
      );
    expect(openFds()).toBeLessThanOrEqual(fds);
    expect(existsSync(join(dir, lockFileName(INSTANCE)))).toBe(false);
  });

  it('when the audit directory is a file, then it refuses to start naming the directory', () => {
    const dir = join(tempDir(), 'file');
    writeFileSync(dir, '');
    expect(() => start(dir)).toThrow(
      `the audit directory ${dir} cannot hold the audit log (not a directory, EEXIST): set SECTOKEN_AUDIT_DIR to a directory this process can write`,
    );
  });

  it('when the log path is a directory, then it refuses to start', () => {
    const dir = tempDir();
    mkdirSync(join(dir, NAME));
    expect(() => start(dir)).toThrow(/cannot hold the audit log \(cannot write, EISDIR\)/);
    expect(existsSync(join(dir, lockFileName(INSTANCE)))).toBe(false);
  });
});

describe('the head marker', () => {
  const head: Head = { seq: 2, bytes: 100, headHash: 'ab'.repeat(32) };

  function marked(dir = tempDir()): { dir: string; path: string; json: Record<string, unknown> } {
    writeHeadMarkerSync(dir, INSTANCE, macKey, head);
    const path = join(dir, markerFileName(INSTANCE));
    return { dir, path, json: JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown> };
  }

  it('is one 512-byte block at .head-<instance>.json, written by rename (no temporary file left), readable only under its key and instance', () => {
    const { dir, path, json } = marked();
    expect(markerFileName('x')).toBe('.head-x.json');
    const bytes = readFileSync(path);
    expect(bytes.length).toBe(512);
    expect(bytes[511]).toBe(10);
    expect(json).toMatchObject({ format: 'sectoken-audit-head/1', instance: INSTANCE, ...head });
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(existsSync(`${path}.tmp`)).toBe(false);
    expect(readHeadMarker(dir, INSTANCE, macKey)).toEqual(head);
    expect(() => readHeadMarker(dir, INSTANCE, randomBytes(32))).toThrow(AuditStartError);
  });

  it('is none when the file is missing; an unreadable one is an I/O error, not a damaged marker', () => {
    const dir = tempDir();
    expect(readHeadMarker(dir, INSTANCE, macKey)).toBeUndefined();
    mkdirSync(join(dir, markerFileName(INSTANCE)));
    expect(() => readHeadMarker(dir, INSTANCE, macKey)).toThrow(expect.objectContaining({ code: 'EISDIR' }));
  });

  it.each<[string, (json: Record<string, unknown>) => unknown]>([
    ['not JSON', () => '{"format":'],
    ['of another format', (j) => ({ ...j, format: 'sectoken-audit-head/2' })],
    ['of another instance', (j) => ({ ...j, instance: 'v' })],
    ['with seq as text', (j) => ({ ...j, seq: String(j.seq) })],
    ['with bytes as text', (j) => ({ ...j, bytes: String(j.bytes) })],
    ['with a head hash that is not text', (j) => ({ ...j, headHash: [j.headHash] })],
    ['with a MAC that is not text', (j) => ({ ...j, mac: 5 })],
    ['with a MAC for another head', (j) => ({ ...j, seq: 1 })],
  ])('refuses a marker %s', (_what, change) => {
    const { dir, path, json } = marked();
    const changed = change(json);
    writeFileSync(path, typeof changed === 'string' ? changed : JSON.stringify(changed));
    expect(() => readHeadMarker(dir, INSTANCE, macKey)).toThrow(
      new AuditStartError(
        'the audit head marker .head-w.json is damaged or was not written by this keyring for instance w: refusing to start (see docs/AUDIT.md §3)',
      ),
    );
  });

  describe('checked against the log', () => {
    const line = (seq: number, hash: string, pad = ''): string => `${JSON.stringify({ seq, hash, pad })}\n`;
    function log(text: string): string {
      const path = join(tempDir(), NAME);
      writeFileSync(path, text);
      return path;
    }
    const refusal = (what: string, seq = 2): string =>
      `the audit log ${NAME} ${what}, but its head marker records ${seq} records: refusing to start a new chain where one existed (restore the file; see docs/AUDIT.md §3)`;
    const headOf = (text: string, seq: number, hash: string): Head => ({
      seq,
      bytes: Buffer.byteLength(text),
      headHash: hash,
    });

    it('passes when the line ending at its size is its record, longer file or not', () => {
      const text = line(1, 'h1') + line(2, 'h2');
      expect(() => assertLogHoldsHead(log(text), NAME, headOf(text, 2, 'h2'))).not.toThrow();
      expect(() => assertLogHoldsHead(log(text + line(3, 'h3')), NAME, headOf(text, 2, 'h2'))).not.toThrow();
      expect(() => assertLogHoldsHead(log(line(2, 'h2')), NAME, headOf(line(2, 'h2'), 2, 'h2'))).not.toThrow();
    });

    it('passes a head of no records whatever the file holds, or when there is no file', () => {
      const empty = { seq: 0, bytes: 0, headHash: GENESIS };
      expect(() => assertLogHoldsHead(log('garbage'), NAME, empty)).not.toThrow();
      expect(() => assertLogHoldsHead(join(tempDir(), NAME), NAME, empty)).not.toThrow();
    });

    it('reads only the last 64 KiB of a long file', () => {
      const text = line(1, 'h1', 'x'.repeat(70 * 1024)) + line(2, 'h2');
      expect(() => assertLogHoldsHead(log(text), NAME, headOf(text, 2, 'h2'))).not.toThrow();
      const long = line(1, 'h1', 'x'.repeat(70 * 1024));
      expect(() => assertLogHoldsHead(log(long), NAME, headOf(long, 1, 'h1'))).toThrow(
        refusal('no longer holds its last record', 1),
      );
    });

    it.each<[string, string, Head, string]>([
      ['missing', '', { seq: 2, bytes: 10, headHash: 'h2' }, 'is missing'],
      ['shorter', line(1, 'h1'), headOf(line(1, 'h1') + line(2, 'h2'), 2, 'h2'), 'is shorter than it was'],
      [
        'cut mid-line',
        line(1, 'h1') + line(2, 'h2'),
        headOf(line(1, 'h1') + line(2, 'h'), 2, 'h2'),
        'no longer ends a record where it did',
      ],
      [
        'not ending on JSON',
        `${line(1, 'h1')}{"seq":2,"hash"\n`,
        headOf(`${line(1, 'h1')}{"seq":2,"hash"\n`, 2, 'h2'),
        'no longer holds its last record',
      ],
      [
        'holding another hash',
        line(1, 'h1') + line(2, 'hX'),
        headOf(line(1, 'h1') + line(2, 'hX'), 2, 'h2'),
        'was replaced or rewritten',
      ],
      [
        'holding another seq',
        line(1, 'h1') + line(3, 'h2'),
        headOf(line(1, 'h1') + line(3, 'h2'), 2, 'h2'),
        'was replaced or rewritten',
      ],
    ])('refuses a log %s', (what, text, head, reason) => {
      const path = what === 'missing' ? join(tempDir(), NAME) : log(text);
      expect(() => assertLogHoldsHead(path, NAME, head)).toThrow(new AuditStartError(refusal(reason)));
    });

    it('closes the file it read, whatever it found', () => {
      const text = line(1, 'h1') + line(2, 'h2');
      const path = log(text);
      const fds = openFds();
      for (let i = 0; i < 10; i++) {
        assertLogHoldsHead(path, NAME, headOf(text, 2, 'h2'));
        expect(() => assertLogHoldsHead(path, NAME, headOf(text, 2, 'hX'))).toThrow(AuditStartError);
      }
      expect(openFds()).toBeLessThanOrEqual(fds);
    });

    it('throws other I/O errors as they are', () => {
      const dir = tempDir();
      mkdirSync(join(dir, NAME));
      expect(() => assertLogHoldsHead(join(dir, NAME), NAME, head)).toThrow(
        expect.objectContaining({ code: 'EISDIR' }),
      );
      const notDir = join(tempDir(), 'file');
      writeFileSync(notDir, '');
      expect(() => assertLogHoldsHead(join(notDir, NAME), NAME, head)).toThrow(
        expect.objectContaining({ code: 'ENOTDIR' }),
      );
    });
  });

  describe('kept up to date in place', () => {
    it('writes the latest head into the same file, waits for its writes on close, and reports no error', async () => {
      const { dir, path } = marked();
      const errors: unknown[] = [];
      const writer = headMarkerWriter(dir, INSTANCE, macKey, (e) => errors.push(e));
      const ino = statSync(path).ino;
      const heads = [1, 2, 3].map((n): Head => ({ seq: 10 + n, bytes: 1000 + n, headHash: String(n).repeat(64) }));
      for (const h of heads) writer.update(h);
      await writer.close();
      expect(errors).toEqual([]);
      expect(statSync(path).ino).toBe(ino);
      expect(readFileSync(path).length).toBe(512);
      expect(readHeadMarker(dir, INSTANCE, macKey)).toEqual(heads[2]);
      const fds = openFds();
      // Closed: no descriptor left for it.
      const w2 = headMarkerWriter(dir, INSTANCE, macKey, (e) => errors.push(e));
      expect(openFds()).toBe(fds + 1);
      await w2.close();
      expect(openFds()).toBe(fds);
    });

    it('writes a head given after the previous write finished', async () => {
      const { dir } = marked();
      const writer = headMarkerWriter(dir, INSTANCE, macKey, () => undefined);
      writer.update({ seq: 5, bytes: 50, headHash: 'a'.repeat(64) });
      await writer.close().catch(() => undefined);
      const again = headMarkerWriter(dir, INSTANCE, macKey, () => undefined);
      again.update({ seq: 5, bytes: 50, headHash: 'a'.repeat(64) });
      await new Promise((r) => setTimeout(r, 50));
      again.update({ seq: 6, bytes: 60, headHash: 'b'.repeat(64) });
      await again.close();
      expect(readHeadMarker(dir, INSTANCE, macKey)).toEqual({ seq: 6, bytes: 60, headHash: 'b'.repeat(64) });
    });

    it('is not intact once its file is removed or replaced; a hard link elsewhere does not matter', async () => {
      const { dir, path } = marked();
      const writer = headMarkerWriter(dir, INSTANCE, macKey, () => undefined);
      expect(writer.intact()).toBe(true);
      linkSync(path, join(dir, 'link'));
      expect(writer.intact()).toBe(true);
      unlinkSync(path);
      expect(writer.intact()).toBe(false);
      writeFileSync(path, readFileSync(join(dir, 'link')));
      expect(writer.intact()).toBe(false);
      unlinkSync(path);
      linkSync(join(dir, 'link'), path);
      expect(writer.intact()).toBe(true);
      await writer.close();
    });
  });
});
