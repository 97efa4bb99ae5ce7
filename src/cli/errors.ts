/** A command-line mistake: cli.ts prints its message as one line and exits 1, never a stack. */
import { readFileSync } from 'node:fs';

export class CliError extends Error {
  override name = 'CliError';
}

const REASONS: Record<string, string> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EISDIR: 'it is a directory',
};

/** Why a file could not be opened, in words ("no such file"), for one-line messages. */
export const fileReason = (err: unknown): string => {
  const code = (err as NodeJS.ErrnoException).code;
  return (code && REASONS[code]) ?? code ?? String(err);
};

/** Reads a file the operator named, or refuses in one line naming it and what it was for. */
export function readNamedFile(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new CliError(`cannot read ${what} ${path}: ${fileReason(err)}`);
  }
}
