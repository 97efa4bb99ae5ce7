/** A bulk run that cannot start or go on: cli.ts prints its message as one line and exits 1. */
import { OperatorError } from '../../errors.js';

export class BulkError extends OperatorError {
  override name = 'BulkError';
}
