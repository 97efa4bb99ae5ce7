/**
 * Why the audit log refuses to start (another process holds the chain, the file no longer matches
 * its head marker). Thrown at start, printed by the command line as one line: starting anyway
 * would fork the chain or begin a new one where one existed.
 */
import { OperatorError } from '../../errors.js';

export class AuditStartError extends OperatorError {
  constructor(message: string) {
    super(message);
    this.name = 'AuditStartError';
  }
}

const WHY: Record<string, string> = {
  EEXIST: 'not a directory',
  ENOTDIR: 'not a directory',
  EACCES: 'permission denied',
  EPERM: 'not permitted',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left',
};

/** The audit directory cannot hold the log (a file, read-only, not allowed): named by its setting. */
export function auditDirUnusable(dir: string, err: unknown): AuditStartError {
  const code = (err as NodeJS.ErrnoException).code;
  const why = code ? `${WHY[code] ?? 'cannot write'}, ${code}` : (err as Error).message;
  return new AuditStartError(
    `the audit directory ${dir} cannot hold the audit log (${why}): set SECTOKEN_AUDIT_DIR to a directory this process can write`,
  );
}
