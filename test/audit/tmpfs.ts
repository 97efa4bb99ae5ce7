/**
 * Small tmpfs mounts for the audit fault tests (a full disk: ENOSPC; a read-only one: EROFS).
 * Mounting needs root: without it the tests that need a mount fail, naming why, never skip.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';

export interface TmpfsMounts {
  /** Mounts a tmpfs with `options` (e.g. size=1m, ro) at dir, made if missing; why it could not, or undefined. */
  mount(dir: string, options: string): string | undefined;
  /** Unmounts every tmpfs mounted here, the last first (lazily where one is still busy). */
  unmountAll(): void;
}

export function tmpfsMounts(): TmpfsMounts {
  const mounted: string[] = [];
  return {
    mount(dir, options) {
      mkdirSync(dir, { recursive: true });
      const result = spawnSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir], { encoding: 'utf8' });
      if (result.status === 0) {
        mounted.push(dir);
        return undefined;
      }
      return `cannot mount a tmpfs (${options}) at ${dir} (${(result.stderr || result.error?.message || '').trim() || `exit ${result.status}`}): these tests need root`;
    },
    unmountAll() {
      for (const dir of mounted.splice(0).reverse())
        if (spawnSync('umount', [dir]).status !== 0) spawnSync('umount', ['-l', dir]);
    },
  };
}

/** Writes into path until the file system is full, to its last byte. */
export function fill(path: string): void {
  const fd = openSync(path, 'w');
  try {
    for (const size of [64 * 1024, 4096, 1]) {
      const chunk = Buffer.alloc(size, 0x78);
      try {
        for (;;) writeSync(fd, chunk);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
      }
    }
  } finally {
    closeSync(fd);
  }
}
