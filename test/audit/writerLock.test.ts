/**
 * The chain's lock (src/audit/writer/lock.ts) in process: what it records about its holder, and
 * when a lock left behind is stale. Holders are written as the lock file's JSON, the way another
 * process (on this host, in another container, after a reboot) would have left them.
 */
import { jest } from '@jest/globals';
import {
  existsSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  renameSync,
  rmSync,
  statSync,
  unlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { acquireChainLock, LEASE_MS, lockFileName } from '../../src/audit/writer/lock.js';
import { AuditStartError } from '../../src/audit/writer/startError.js';

const scratch: string[] = [];
afterAll(() => {
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sectoken-lock-'));
  scratch.push(dir);
  return dir;
}

const BOOT_ID = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
const PID_NS = readlinkSync('/proc/self/ns/pid');
/** Field 22 of /proc/<pid>/stat, counted after the parenthesised name. */
const startTime = (pid: number): string => {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat
    .slice(stat.lastIndexOf(')') + 1)
    .trim()
    .split(/\s+/)[19]!;
};
const SINCE = '2026-12-01T00:00:00.000Z';
const me = () => ({
  pid: process.pid,
  host: hostname(),
  bootId: BOOT_ID,
  pidNs: PID_NS,
  startTime: startTime(process.pid),
  since: SINCE,
});
/** A PID no process has: the kernel hands out PIDs below pid_max only. */
const deadPid = (): number => Number(readFileSync('/proc/sys/kernel/pid_max', 'utf8'));

/** A lock file at dir for instance "x", holding what is given, its mtime ageMs ago. */
function leftBehind(dir: string, content: unknown, ageMs = 0): string {
  const path = join(dir, lockFileName('x'));
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  const at = new Date(Date.now() - ageMs);
  utimesSync(path, at, at);
  return path;
}

function takes(dir: string): void {
  const lock = acquireChainLock(dir, 'x');
  expect(lock.held()).toBe(true);
  expect(JSON.parse(readFileSync(lock.path, 'utf8'))).toMatchObject({ pid: process.pid });
  lock.release();
}

const refusal = (dir: string): string => {
  try {
    acquireChainLock(dir, 'x').release();
  } catch (err) {
    expect(err).toBeInstanceOf(AuditStartError);
    return (err as Error).message;
  }
  throw new Error('the lock was taken');
};

describe('taking the lock', () => {
  it('creates .lock-<instance> (0600) naming this process: pid, host, boot, PID namespace, start time, since when', () => {
    const dir = tempDir();
    const before = Date.now();
    const lock = acquireChainLock(dir, 'x');
    expect(lockFileName('x')).toBe('.lock-x');
    expect(lock.path).toBe(join(dir, '.lock-x'));
    const text = readFileSync(lock.path, 'utf8');
    expect(text.endsWith('}\n')).toBe(true);
    const holder = JSON.parse(text) as Record<string, unknown>;
    expect(holder).toEqual({ ...me(), since: expect.any(String) });
    expect(Date.parse(holder.since as string)).toBeGreaterThanOrEqual(before - 1);
    expect(statSync(lock.path).mode & 0o777).toBe(0o600);
    lock.release();
    expect(existsSync(lock.path)).toBe(false);
  });

  it('refuses while this process holds it, naming the holder; after release it is taken again', () => {
    const dir = tempDir();
    const lock = acquireChainLock(dir, 'x');
    const since = (JSON.parse(readFileSync(lock.path, 'utf8')) as { since: string }).since;
    expect(() => acquireChainLock(dir, 'x')).toThrow(
      new AuditStartError(
        `the audit chain of instance x is already written by process ${process.pid} on host ${hostname()} (since ${since}): only one process may write a chain (give this one another SECTOKEN_INSTANCE_ID, or stop that one)`,
      ),
    );
    // Another instance is another chain.
    const other = acquireChainLock(dir, 'y');
    other.release();
    lock.release();
    takes(dir);
  });

  it('throws I/O errors as they are (no directory)', () => {
    expect(() => acquireChainLock(join(tempDir(), 'missing'), 'x')).toThrow(
      expect.objectContaining({ code: 'ENOENT' }),
    );
  });
});

describe('a lock left behind on this host, this boot, this PID namespace', () => {
  it('is held while its process lives and started when it says (even with an old lease)', () => {
    const dir = tempDir();
    leftBehind(dir, me(), 10 * LEASE_MS);
    expect(refusal(dir)).toContain(`already written by process ${process.pid} on host ${hostname()} (since ${SINCE}):`);
  });

  it('is held when its start time is not known', () => {
    const dir = tempDir();
    leftBehind(dir, { ...me(), startTime: null }, 10 * LEASE_MS);
    expect(refusal(dir)).toContain(`by process ${process.pid} on host`);
  });

  it('is stale when its process is gone, however fresh its lease', () => {
    const dir = tempDir();
    leftBehind(dir, { ...me(), pid: deadPid() });
    takes(dir);
  });

  it('is stale when its PID now belongs to a process started at another time (a restarted container)', () => {
    const dir = tempDir();
    leftBehind(dir, { ...me(), startTime: '1' });
    takes(dir);
  });
});

describe('a lock whose holder cannot be checked: its lease decides', () => {
  it.each<[string, Record<string, unknown>]>([
    ['another PID namespace', { pidNs: 'pid:[1]' }],
    ['no PID namespace known', { pidNs: null }],
    ['no boot id known', { bootId: null }],
    ['another host', { host: `not-${hostname()}`, pid: 1 }],
  ])(
    'when it is of %s, then it is held while its lease is fresh, and stale once not renewed for LEASE_MS',
    (_what, change) => {
      const dir = tempDir();
      const holder = { ...me(), pid: 1, ...change };
      leftBehind(dir, holder, 10_000);
      expect(refusal(dir)).toBe(
        `the audit chain of instance x is already written by process ${holder.pid} on host ${holder.host} (since ${SINCE}), lease renewed 10 s ago: only one process may write a chain (give this one another SECTOKEN_INSTANCE_ID, or stop that one)`,
      );
      leftBehind(dir, holder, LEASE_MS - 5_000);
      expect(refusal(dir)).toContain('lease renewed 25 s ago');
      leftBehind(dir, holder, LEASE_MS + 5_000);
      takes(dir);
    },
  );

  it('is held up to the millisecond before LEASE_MS, and stale at LEASE_MS exactly (a clock held still)', () => {
    const dir = tempDir();
    const holder = { ...me(), host: `not-${hostname()}`, pid: 1 };
    jest.useFakeTimers({
      doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'],
      now: new Date('2030-01-01T00:00:00Z'),
    });
    try {
      leftBehind(dir, holder, LEASE_MS - 1);
      expect(refusal(dir)).toContain('lease renewed 30 s ago');
      leftBehind(dir, holder, LEASE_MS);
      takes(dir);
    } finally {
      jest.useRealTimers();
    }
  });

  it('when its holder is dead but in another PID namespace, then its fresh lease still holds', () => {
    const dir = tempDir();
    leftBehind(dir, { ...me(), pid: deadPid(), pidNs: 'pid:[1]' });
    expect(refusal(dir)).toContain('lease renewed 0 s ago');
  });

  it('when it was left on this host in an earlier boot, then it is stale at once', () => {
    const dir = tempDir();
    leftBehind(dir, { ...me(), bootId: 'another-boot' });
    takes(dir);
  });

  it('when it was left on another host with the same boot id, then its lease holds', () => {
    const dir = tempDir();
    leftBehind(dir, { ...me(), host: 'elsewhere', pid: deadPid() });
    expect(refusal(dir)).toContain('on host elsewhere');
  });

  it('when it holds no holder (being written right now, or damaged), then it is held for a lease and then stale', () => {
    const dir = tempDir();
    leftBehind(dir, '');
    expect(refusal(dir)).toBe(
      'the audit chain of instance x is already written by a lock being taken right now: only one process may write a chain (give this one another SECTOKEN_INSTANCE_ID, or stop that one)',
    );
    leftBehind(dir, '{"pid":', LEASE_MS + 1_000);
    takes(dir);
  });
});

describe('holding the lock', () => {
  it('is not held once the file is removed or replaced; release then leaves the other file alone', () => {
    const dir = tempDir();
    const lock = acquireChainLock(dir, 'x');
    expect(lock.held()).toBe(true);
    // Written before the lock's file goes, so that it cannot reuse its inode number.
    writeFileSync(`${lock.path}.new`, 'theirs');
    unlinkSync(lock.path);
    expect(lock.held()).toBe(false);
    renameSync(`${lock.path}.new`, lock.path);
    expect(lock.held()).toBe(false);
    lock.release();
    lock.release();
    expect(readFileSync(lock.path, 'utf8')).toBe('theirs');
  });

  it('renews its lease every LEASE_MS / 3 while held, and no more once released (or once its file is gone)', () => {
    const dir = tempDir();
    jest.useFakeTimers({
      doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'],
      now: new Date('2030-01-01T00:00:00Z'),
    });
    try {
      const lock = acquireChainLock(dir, 'x');
      const mtime = () => statSync(lock.path).mtimeMs;
      const old = new Date('2020-01-01T00:00:00Z');
      utimesSync(lock.path, old, old);
      jest.advanceTimersByTime(LEASE_MS / 3 - 1);
      expect(mtime()).toBe(old.getTime());
      jest.advanceTimersByTime(1);
      expect(mtime()).toBe(Date.parse('2030-01-01T00:00:10Z'));
      jest.advanceTimersByTime(LEASE_MS / 3);
      expect(mtime()).toBe(Date.parse('2030-01-01T00:00:20Z'));
      writeFileSync(`${lock.path}.new`, 'theirs');
      unlinkSync(lock.path);
      expect(() => jest.advanceTimersByTime(LEASE_MS / 3)).not.toThrow();
      renameSync(`${lock.path}.new`, lock.path);
      utimesSync(lock.path, old, old);
      lock.release();
      jest.advanceTimersByTime(LEASE_MS);
      expect(mtime()).toBe(old.getTime());
    } finally {
      jest.useRealTimers();
    }
  });
});
