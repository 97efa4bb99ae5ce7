/** A command-line mistake: cli.ts prints its message as one line and exits 1, never a stack. */
import { closeSync, openSync, readFileSync, statSync } from 'node:fs';
import { fileLines, type LineSource } from '../audit/chain/lines.js';
import { OperatorError } from '../errors.js';
import { fileReason } from '../fileReason.js';

export class CliError extends OperatorError {
  override name = 'CliError';
}

export { fileReason } from '../fileReason.js';

/** Reads a file the operator named, or refuses in one line naming it and what it was for. */
export function readNamedFile(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new CliError(`cannot read ${what} ${path}: ${fileReason(err)}`);
  }
}

/** The lines of a file the operator named, read in chunks (an audit log may be larger than one string), or a one-line refusal. */
export function namedFileLines(path: string, what: string): LineSource {
  try {
    if (statSync(path).isDirectory()) throw Object.assign(new Error('directory'), { code: 'EISDIR' });
    closeSync(openSync(path, 'r'));
  } catch (err) {
    throw new CliError(`cannot read ${what} ${path}: ${fileReason(err)}`);
  }
  return fileLines(path);
}
