/** Temporary directories and open audit logs of one test file: closed and removed after its tests. */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AuditRecord } from '../../src/audit/chain/record.js';
import { openAuditLog, type AuditLog } from '../../src/audit/writer/log.js';

export function scratchSpace(prefix: string): {
  tempDir: () => string;
  keep: (log: AuditLog) => AuditLog;
  /** A log of `instance` in a directory of its own, under a random MAC key. */
  newLog: (instance: string) => AuditLog;
} {
  const dirs: string[] = [];
  const logs: AuditLog[] = [];
  afterAll(async () => {
    for (const log of logs) await log.close().catch(() => undefined);
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });
  const tempDir = (): string => {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    dirs.push(dir);
    return dir;
  };
  const keep = (log: AuditLog): AuditLog => {
    logs.push(log);
    return log;
  };
  return {
    tempDir,
    keep,
    newLog: (instance) => keep(openAuditLog({ dir: tempDir(), instance, macKey: randomBytes(32) })),
  };
}

/** The records written in a log's file, as they are on disk. */
export const recordsIn = (log: AuditLog): AuditRecord[] =>
  readFileSync(log.path, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as AuditRecord);
