/**
 * Why the audit log refuses to start (another process holds the chain, the file no longer matches
 * its head marker). Thrown at start, printed by the command line as one line: starting anyway
 * would fork the chain or begin a new one where one existed.
 */
export class AuditStartError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AuditStartError';
  }
}
