/**
 * Checks, before node:cluster workers are forked, that the audit directory can be written: each
 * worker would refuse to start (src/audit/writer/log.ts), and the primary would start it again for ever.
 */
import { accessSync, constants, mkdirSync } from 'node:fs';
import { auditDirUnusable } from './startError.js';

export function assertAuditDirWritable(dir: string): void {
  try {
    // A file, or a link to one, at `dir` makes mkdir fail with EEXIST: no separate check that it is a directory.
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    accessSync(dir, constants.W_OK | constants.X_OK);
  } catch (err) {
    throw auditDirUnusable(dir, err);
  }
}
