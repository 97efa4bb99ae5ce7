/**
 * `<out>.progress`: how far a bulk run got, written (temporary file and rename) after each chunk of
 * the output, so that a rerun with --resume continues from there. Rows are counted as records of
 * the input (a field may span lines), never as physical lines. The options the run was made with
 * are kept too: resuming with another delimiter, column or input would mix two outputs.
 */
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
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
  made: { delimiter: string; column: number; header: boolean; inputSize: number };
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
export function readCheckpoint(output: string, made: Checkpoint['made']): Checkpoint {
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
    if (was.inputSize !== made.inputSize)
      throw new BulkError(
        `the input is not the one ${output} was started from (its size changed): resume with the same --in, or start a new --out`,
      );
  }
  return {
    rows: saved.rows,
    bytes: saved.bytes,
    tokens: saved.tokens ?? 0,
    errors: saved.errors ?? 0,
    malformed: saved.malformed ?? 0,
    malformedLines: saved.malformedLines ?? [],
    inputBytes: saved.inputBytes ?? 0,
    made,
  };
}
