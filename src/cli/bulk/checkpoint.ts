/**
 * `<out>.progress`: how far a bulk run got, written (temporary file and rename) after each chunk of
 * the output, so that a rerun with --resume continues from there. Rows are counted as records of
 * the input (a field may span lines), never as physical lines. The options the run was made with
 * are kept too, and a fingerprint of the input's start: resuming with another delimiter, column or
 * input would mix two outputs. Rows after the checkpoint may change (a malformed line fixed).
 */
import { createHash } from 'node:crypto';
import { closeSync, openSync, readFileSync, readSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { BulkError } from './error.js';

export interface Checkpoint {
  /** Input records done (malformed ones included), after the header. */
  rows: number;
  /** Output bytes written for them. */
  bytes: number;
  tokens: number;
  errors: number;
  malformed: number;
  /** The first malformed rows' lines ("7" or "7-9"), for the summary. */
  malformedLines: string[];
  /** Input bytes read up to the last row done (for the progress bar). */
  inputBytes: number;
  /** What the run was made with. */
  made: { delimiter: string; column: number; header: boolean };
  /** SHA-256 of the input's first `bytes` bytes (at most HEAD_BYTES of the part done). */
  inputHead: { bytes: number; sha256: string };
}

/** The input's start that identifies it: enough for a header and the first rows. */
const HEAD_BYTES = 64 * 1024;

function sha256Of(path: string, bytes: number): string {
  const buf = Buffer.alloc(bytes);
  const fd = openSync(path, 'r');
  try {
    return createHash('sha256')
      .update(buf.subarray(0, readSync(fd, buf, 0, bytes, 0)))
      .digest('hex');
  } finally {
    closeSync(fd);
  }
}

/** The fingerprint of the input's part done, kept up to date while it is shorter than HEAD_BYTES. */
export function inputHead(path: string, inputBytes: number, head: Checkpoint['inputHead']): Checkpoint['inputHead'] {
  const bytes = Math.min(HEAD_BYTES, inputBytes);
  return bytes === head.bytes ? head : { bytes, sha256: sha256Of(path, bytes) };
}

export const checkpointPath = (output: string): string => `${output}.progress`;

export function saveCheckpoint(output: string, checkpoint: Checkpoint): void {
  const path = checkpointPath(output);
  writeFileSync(`${path}.tmp`, JSON.stringify(checkpoint));
  renameSync(`${path}.tmp`, path);
}

export function removeCheckpoint(output: string): void {
  rmSync(checkpointPath(output), { force: true });
}

/** The checkpoint of an interrupted run, refused if it was made with other options or another input. */
export function readCheckpoint(output: string, made: Checkpoint['made'], input: string): Checkpoint {
  const path = checkpointPath(output);
  let saved: Partial<Checkpoint>;
  try {
    saved = JSON.parse(readFileSync(path, 'utf8')) as Partial<Checkpoint>;
  } catch {
    throw new BulkError(`${path} is unreadable: move ${output} and ${path} aside and run again without --resume`);
  }
  if (typeof saved.rows !== 'number' || typeof saved.bytes !== 'number')
    throw new BulkError(
      `${path} is not a bulk checkpoint: move ${output} and ${path} aside and run again without --resume`,
    );
  const was = saved.made;
  if (was) {
    const differs = [
      was.delimiter !== made.delimiter && `--delimiter ${JSON.stringify(was.delimiter)}`,
      was.column !== made.column && `--column ${was.column}`,
      was.header !== made.header && (was.header ? 'with --header' : 'without --header'),
    ].filter(Boolean);
    if (differs.length > 0)
      throw new BulkError(`${output} was started ${differs.join(', ')}: resume with the same options`);
  }
  const head = saved.inputHead;
  if (head && (statSync(input).size < (saved.inputBytes ?? 0) || sha256Of(input, head.bytes) !== head.sha256))
    throw new BulkError(
      `${input} is not the input ${output} was started from (its first rows differ): resume with the same --in, or start a new --out`,
    );
  return {
    rows: saved.rows,
    bytes: saved.bytes,
    tokens: saved.tokens ?? 0,
    errors: saved.errors ?? 0,
    malformed: saved.malformed ?? 0,
    malformedLines: saved.malformedLines ?? [],
    inputBytes: saved.inputBytes ?? 0,
    made,
    inputHead: head ?? { bytes: 0, sha256: '' },
  };
}
