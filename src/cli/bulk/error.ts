/** A bulk run that cannot start or go on: cli.ts prints its message as one line and exits 1. */
export class BulkError extends Error {
  override name = 'BulkError';
}
