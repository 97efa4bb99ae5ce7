/**
 * Checks, before node:cluster workers are forked, that the audit directory can be written: each
 * worker would refuse to start (src/audit/writer/log.ts), and the primary would start it again for ever.
 */
import { accessSync, constants, mkdirSync, statSync } from 'node:fs';
import { auditDirUnusable } from './startError.js';

export function assertAuditDirWritable(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    if (!statSync(dir).isDirectory()) throw Object.assign(new Error('not a directory'), { code: 'ENOTDIR' });
    accessSync(dir, constants.W_OK | constants.X_OK);
  } catch (err) {
    throw auditDirUnusable(dir, err);
  }
}
