/**
 * One writer per chain: `.lock-<instance>` in the audit directory, created with O_EXCL, naming its
 * holder. Node has no flock without native code, so a lock is stale only when its holder is
 * provably gone: same host and boot, same PID namespace, and that PID is dead or now a different
 * process (start time differs, e.g. PID 1 of a restarted container). Otherwise (another host or
 * container) the holder's lease counts: it touches the file every LEASE_MS / 3, and a lock not
 * touched for LEASE_MS is stale.
 */
import {
  closeSync,
  fstatSync,
  openSync,
  readFileSync,
  readlinkSync,
  statSync,
  unlinkSync,
  utimesSync,
  writeSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { AuditStartError } from './startError.js';

export const LEASE_MS = 30_000;

interface Holder {
  pid: number;
  host: string;
  bootId: string | null;
  pidNs: string | null;
  startTime: string | null;
  since: string;
}

export interface ChainLock {
  readonly path: string;
  /** False once the lock file was removed or replaced behind our back. */
  held(): boolean;
  release(): void;
}

export const lockFileName = (instance: string): string => `.lock-${instance}`;

const readOr = <T>(read: () => T, fallback: T): T => {
  try {
    return read();
  } catch {
    return fallback;
  }
};
const bootId = (): string | null => readOr(() => readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim(), null);
const pidNs = (): string | null => readOr(() => readlinkSync('/proc/self/ns/pid'), null);
/** Field 22 of /proc/<pid>/stat (start time in clock ticks since boot); the name before it may hold spaces. */
const startTimeOf = (pid: number): string | null =>
  readOr(() => {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  }, null);

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Why the lock at path is still held, or undefined when its holder is gone. */
function heldBecause(holder: Holder | undefined, ageMs: number): string | undefined {
  const leaseHeld = ageMs < LEASE_MS;
  if (!holder) return leaseHeld ? 'a lock being taken right now' : undefined;
  const who = `process ${holder.pid} on host ${holder.host} (since ${holder.since})`;
  if (holder.host === hostname() && holder.bootId !== null && holder.bootId === bootId()) {
    if (holder.pidNs !== null && holder.pidNs === pidNs()) {
      if (!pidAlive(holder.pid)) return undefined;
      const started = startTimeOf(holder.pid);
      return started !== null && holder.startTime !== null && started !== holder.startTime ? undefined : who;
    }
  } else if (holder.host === hostname() && holder.bootId !== null && bootId() !== null) {
    return undefined; // same host, another boot: that process is gone
  }
  return leaseHeld ? `${who}, lease renewed ${Math.round(ageMs / 1000)} s ago` : undefined;
}

/** Takes the chain's lock or throws AuditStartError naming the holder; I/O errors are thrown as they are. */
export function acquireChainLock(dir: string, instance: string): ChainLock {
  const path = join(dir, lockFileName(instance));
  const me: Holder = {
    pid: process.pid,
    host: hostname(),
    bootId: bootId(),
    pidNs: pidNs(),
    startTime: startTimeOf(process.pid),
    since: new Date().toISOString(),
  };
  const create = (): number | undefined => {
    try {
      return openSync(path, 'wx', 0o600);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') return undefined;
      throw err;
    }
  };
  let fd = create();
  if (fd === undefined) {
    const found = readOr(() => statSync(path), undefined);
    const holder = readOr(() => JSON.parse(readFileSync(path, 'utf8')) as Holder, undefined);
    const reason = heldBecause(holder, found ? Date.now() - found.mtimeMs : 0);
    if (reason !== undefined) {
      throw new AuditStartError(
        `the audit chain of instance ${instance} is already written by ${reason}: only one process may write a chain (give this one another SECTOKEN_INSTANCE_ID, or stop that one)`,
      );
    }
    // Remove only the stale file judged above, not one another starter put there meanwhile.
    if (found?.ino === readOr(() => statSync(path).ino, -1)) unlinkSync(path);
    fd = create();
    if (fd === undefined)
      throw new AuditStartError(
        `the audit chain of instance ${instance} was just taken by another process: only one process may write a chain`,
      );
  }
  try {
    writeSync(fd, JSON.stringify(me) + '\n');
  } catch (err) {
    // A lock naming nobody holds the chain for a whole lease (a full disk, say): leave none behind.
    closeSync(fd);
    readOr(() => unlinkSync(path), undefined);
    throw err;
  }
  const ino = fstatSync(fd).ino;
  const lockFd = fd;
  const lease = setInterval(() => readOr(() => utimesSync(path, new Date(), new Date()), undefined), LEASE_MS / 3);
  lease.unref();
  const held = (): boolean => readOr(() => statSync(path).ino === ino, false);
  let released = false;
  return {
    path,
    held,
    release() {
      if (released) return;
      released = true;
      clearInterval(lease);
      if (held()) readOr(() => unlinkSync(path), undefined);
      closeSync(lockFd);
    },
  };
}
