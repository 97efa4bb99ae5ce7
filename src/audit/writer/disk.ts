/**
 * Free space under the audit directory. A full disk fails the log for good (docs/AUDIT.md §3), so
 * the service reports itself not ready before that, while the load balancer can still move away.
 */
import { statfsSync } from 'node:fs';

/** True when the file system of dir has less than minFreeMb MiB available to the service's user. */
export function auditDiskLow(dir: string, minFreeMb: number): boolean {
  if (minFreeMb <= 0) return false;
  try {
    const fs = statfsSync(dir);
    return fs.bavail * fs.bsize < minFreeMb * 1024 * 1024;
  } catch {
    return false; // no directory: the log itself is then unavailable and says so
  }
}
