/** Temporary directories and open audit logs of one test file: closed and removed after its tests. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AuditLog } from '../../src/audit/writer/log.js';

export function scratchSpace(prefix: string): { tempDir: () => string; keep: (log: AuditLog) => AuditLog } {
  const dirs: string[] = [];
  const logs: AuditLog[] = [];
  afterAll(async () => {
    for (const log of logs) await log.close().catch(() => undefined);
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });
  return {
    tempDir: () => {
      const dir = mkdtempSync(join(tmpdir(), prefix));
      dirs.push(dir);
      return dir;
    },
    keep: (log) => {
      logs.push(log);
      return log;
    },
  };
}
