/**
 * The files of a bulk run, checked before anything is written: an input that is a readable file,
 * an output in an existing directory that is not itself a directory, never overwritten, and resumed
 * only from its checkpoint. Each mistake is one line saying what to do.
 */
import { accessSync, closeSync, constants, existsSync, openSync, readSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { checkpointPath, readCheckpoint, type Checkpoint } from './checkpoint.js';
import { UTF8_BOM } from './csvItems.js';
import { BulkError } from './error.js';
import { fileReason } from '../errors.js';

export interface InputFile {
  size: number;
  /** Starts with a UTF-8 BOM (a spreadsheet's "CSV UTF-8"): the output does too. */
  bom: boolean;
  /** The line break of the first line (CRLF in a spreadsheet export), for the output's rows. */
  eol: '\r\n' | '\n';
}

export function checkInput(path: string): InputFile {
  const cannot = (reason: string): BulkError => new BulkError(`cannot read input ${path}: ${reason}`);
  let head: Buffer;
  let size: number;
  try {
    const stat = statSync(path);
    if (stat.isDirectory()) throw cannot('it is a directory: name the CSV file in it');
    size = stat.size;
    const fd = openSync(path, 'r');
    try {
      head = Buffer.alloc(64 * 1024);
      head = head.subarray(0, readSync(fd, head, 0, head.length, 0));
    } finally {
      closeSync(fd);
    }
  } catch (err) {
    if (err instanceof BulkError) throw err;
    throw cannot(fileReason(err));
  }
  if ((head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff))
    throw cannot('it is UTF-16 (a spreadsheet\'s "Unicode text"): save it as "CSV UTF-8" and run again');
  const lf = head.indexOf(0x0a);
  return { size, bom: head.subarray(0, 3).equals(UTF8_BOM), eol: lf > 0 && head[lf - 1] === 0x0d ? '\r\n' : '\n' };
}

/** Whether the run starts a new output, and if it resumes one, from where. */
export function checkOutput(
  output: string,
  resume: boolean,
  made: Checkpoint['made'],
): { fresh: true } | { fresh: false; done: Checkpoint } {
  const progress = checkpointPath(output);
  const dir = dirname(resolve(output));
  if (existsSync(output) && statSync(output).isDirectory())
    throw new BulkError(
      `--out ${output} is a directory: name the file to write in it, e.g. ${output.replace(/\/$/, '')}/tokens.csv`,
    );
  if (!existsSync(dir) || !statSync(dir).isDirectory())
    throw new BulkError(
      `cannot write output ${output}: directory ${dir} does not exist: create it first, or choose another --out`,
    );
  try {
    accessSync(dir, constants.W_OK);
  } catch (err) {
    throw new BulkError(`cannot write output ${output} in ${dir}: ${fileReason(err)}`);
  }
  const outputExists = existsSync(output);
  const progressExists = existsSync(progress);
  if (!outputExists && !progressExists) {
    if (resume) throw new BulkError(`nothing to resume: ${output} does not exist (run without --resume)`);
    return { fresh: true };
  }
  if (!resume)
    throw new BulkError(
      progressExists
        ? `${output} exists: refusing to overwrite (an interrupted run: add --resume to continue it)`
        : `${output} exists: refusing to overwrite (choose another --out, or move it aside)`,
    );
  if (!progressExists)
    throw new BulkError(`${output} exists but ${progress} does not: the run was complete, nothing to resume`);
  if (!outputExists)
    throw new BulkError(`${progress} exists but ${output} does not: remove ${progress} and run again without --resume`);
  return { fresh: false, done: readCheckpoint(output, made) };
}
