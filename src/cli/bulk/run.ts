/**
 * Bulk tokenization of a sector's whole register, a CSV file: read as it streams (csvItems.ts),
 * tokenized in batches with bounded concurrency by a BatchTokenizer (tokenizer.ts), written in
 * input order with each row's token and error in two fixed columns, and resumable: after each chunk
 * written, `<out>.progress` records how many input records and output bytes are done, so a rerun
 * with resume continues from there. Nothing is written before the files, the first row and the
 * tokenizer are checked, so a refused start leaves nothing behind; a finished run removes the
 * checkpoint.
 */
import { closeSync, fsyncSync, ftruncateSync, openSync, rmSync, writeSync } from 'node:fs';
import { saveCheckpoint, removeCheckpoint, checkpointPath, type Checkpoint } from './checkpoint.js';
import { checkFirstRow } from './columns.js';
import { csvItems, UTF8_BOM, type CsvItem } from './csvItems.js';
import { csvRow } from './csvRow.js';
import { BulkError } from './error.js';
import { checkInput, checkOutput } from './files.js';
import type { BatchTokenizer, RowResult } from './tokenizer.js';

export interface BulkOptions {
  input: string;
  output: string;
  /** 1-based column holding the national ID. */
  column: number;
  /** One character. */
  delimiter: string;
  header: boolean;
  resume: boolean;
  tokenizer: BatchTokenizer;
  /** Counts are of the whole output; `resumedFrom` the rows done before this run; input bytes for a progress bar. */
  onProgress?: (p: {
    rows: number;
    tokens: number;
    errors: number;
    elapsedMs: number;
    resumedFrom: number;
    inputBytes: number;
    resumedFromBytes: number;
    inputSize: number;
  }) => void;
  /** A malformed row left out of the output, as it is passed in the output's order (never twice over a resume). */
  onMalformed?: (m: { lines: string; reason: string; count: number }) => void;
}

export interface BulkResult {
  rows: number;
  tokens: number;
  /** Rows written with an error code instead of a token. */
  errors: number;
  /** Rows that could not be read as CSV, left out of the output. */
  malformed: number;
  /** Lines of the first malformed rows ("7", "9-12"). */
  malformedLines: string[];
  retries: number;
  resumedFrom: number;
  /** National IDs per batch, as sent. */
  batchSize: number;
}

/** The service refuses a whole batch holding a national ID longer than this (src/http/batchBody.ts). */
const NATIONAL_ID_MAX = 256;
/** Lines of malformed rows the summary names; the rest are counted. */
const MALFORMED_NAMED = 5;

type Row = Extract<CsvItem, { kind: 'record' }>;

export async function runBulk(options: BulkOptions): Promise<BulkResult> {
  const inputFile = checkInput(options.input);
  const made = {
    delimiter: options.delimiter,
    column: options.column,
    header: options.header,
    inputSize: inputFile.size,
  };
  const start = checkOutput(options.output, options.resume, made);
  const items = csvItems(options.input, options.delimiter);

  // The first record fixes the width: the token and error are the two columns after it, in every row.
  let firstRecord: Row | undefined;
  const leading: CsvItem[] = [];
  let pacing: { batchSize: number; concurrency: number };
  try {
    for (let next = await items.next(); !next.done; next = await items.next()) {
      if (next.value.kind === 'record') {
        firstRecord = next.value;
        break;
      }
      leading.push(next.value);
    }
    const unreadable = leading[0]?.kind === 'malformed' ? leading[0] : undefined;
    if (options.header && unreadable)
      throw new BulkError(`cannot read the header row (line ${unreadable.firstLine}): ${unreadable.reason}`);
    if (!firstRecord)
      throw new BulkError(
        `cannot read input ${options.input}: ${unreadable ? `no row is valid CSV (line ${unreadable.firstLine}: ${unreadable.reason})` : 'it holds no rows'}`,
      );
    checkFirstRow(firstRecord.fields, options.column, options.delimiter);
    pacing = await options.tokenizer.connect();
  } catch (err) {
    // Refused before anything is written: only the input is to close.
    await items.return(undefined);
    throw err;
  }
  const width = firstRecord.fields.length;
  const { batchSize, concurrency } = pacing;

  const done: Checkpoint = start.fresh
    ? { rows: 0, bytes: 0, tokens: 0, errors: 0, malformed: 0, malformedLines: [], inputBytes: 0, made }
    : start.done;
  const out = openSync(options.output, start.fresh ? 'w' : 'r+', 0o600);
  const state: Checkpoint = { ...done, malformedLines: [...done.malformedLines] };
  // Rows written after the last checkpoint (a crash between the two) are written again.
  ftruncateSync(out, state.bytes);
  const started = Date.now();

  const write = (bytes: Buffer): void => {
    writeSync(out, bytes, 0, bytes.length, state.bytes);
    state.bytes += bytes.length;
  };
  /** The row's own columns, padded to the header's width, then token and error, then any columns beyond. */
  const row = (fields: string[], token: string, error: string): Buffer => {
    const padded = fields.length < width ? [...fields, ...Array<string>(width - fields.length).fill('')] : fields;
    return csvRow([...padded.slice(0, width), token, error, ...padded.slice(width)], options.delimiter, inputFile.eol);
  };

  const finish = (failure?: BulkError): BulkResult => {
    closeSync(out);
    if (!failure) {
      removeCheckpoint(options.output);
      return {
        rows: state.rows,
        tokens: state.tokens,
        errors: state.errors,
        malformed: state.malformed,
        malformedLines: state.malformedLines,
        retries: options.tokenizer.retries(),
        resumedFrom: done.rows,
        batchSize,
      };
    }
    // A fresh run that wrote no row leaves nothing behind, so the corrected command just runs again.
    if (start.fresh && state.rows === 0) {
      rmSync(options.output, { force: true });
      rmSync(checkpointPath(options.output), { force: true });
      throw failure;
    }
    throw new BulkError(
      `${failure.message}; ${state.rows} rows are done in ${options.output}: fix that and rerun the same command with --resume to continue`,
    );
  };

  if (start.fresh) {
    if (inputFile.bom) write(UTF8_BOM);
    if (options.header) write(row(firstRecord.fields, 'token', 'error'));
    // From the start, so that a run stopped at any point can be resumed.
    saveCheckpoint(options.output, state);
  }

  /** Writes one chunk of items, done in order, then the checkpoint that covers it. */
  const writeChunk = (chunk: CsvItem[], results: RowResult[]): void => {
    const bytes: Buffer[] = [];
    let k = 0;
    for (const item of chunk) {
      if (item.kind === 'malformed') {
        state.malformed += 1;
        const lines = item.firstLine === item.lastLine ? `${item.firstLine}` : `${item.firstLine}-${item.lastLine}`;
        if (state.malformedLines.length < MALFORMED_NAMED) state.malformedLines.push(lines);
        options.onMalformed?.({ lines, reason: item.reason, count: state.malformed });
        continue;
      }
      const r = results[k++] ?? { error: 'internal' };
      if (r.token) state.tokens += 1;
      else state.errors += 1;
      bytes.push(row(item.fields, r.token ?? '', r.token ? '' : (r.error ?? 'internal')));
    }
    write(Buffer.concat(bytes));
    fsyncSync(out);
    state.rows += chunk.length;
    state.inputBytes = chunk[chunk.length - 1]!.endOffset;
    saveCheckpoint(options.output, state);
    options.onProgress?.({
      rows: state.rows,
      tokens: state.tokens,
      errors: state.errors,
      elapsedMs: Date.now() - started,
      resumedFrom: done.rows,
      inputBytes: state.inputBytes,
      resumedFromBytes: done.inputBytes,
      inputSize: inputFile.size,
    });
  };

  /** The records' national IDs tokenized; an ID the service would refuse the whole batch for is answered here. */
  const tokenizeChunk = async (chunk: CsvItem[]): Promise<RowResult[]> => {
    const ids = chunk
      .filter((item): item is Row => item.kind === 'record')
      .map((r) =>
        Buffer.from(r.fields[options.column - 1] ?? '', 'latin1')
          .toString('utf8')
          .trim(),
      );
    const sendable = ids.filter((id) => id.length <= NATIONAL_ID_MAX);
    const answers = sendable.length > 0 ? await options.tokenizer.tokenize(sendable) : [];
    let next = 0;
    return ids.map((id) =>
      id.length <= NATIONAL_ID_MAX ? (answers[next++] ?? { error: 'internal' }) : { error: 'invalid_national_id' },
    );
  };

  let nextToSend = 0;
  let nextToWrite = 0;
  const finished = new Map<number, { chunk: CsvItem[]; results: RowResult[] }>();
  const inFlight = new Set<Promise<void>>();
  let failure: unknown;

  const flushReady = (): void => {
    for (let ready = finished.get(nextToWrite); ready; ready = finished.get(nextToWrite)) {
      writeChunk(ready.chunk, ready.results);
      finished.delete(nextToWrite);
      nextToWrite += 1;
    }
  };

  const send = (chunk: CsvItem[]): void => {
    const index = nextToSend++;
    const task = tokenizeChunk(chunk)
      .then((results) => {
        finished.set(index, { chunk, results });
        flushReady();
      })
      .catch((err: unknown) => {
        failure ??= err;
      })
      .finally(() => inFlight.delete(task));
    inFlight.add(task);
  };

  try {
    let chunk: CsvItem[] = [];
    let records = 0;
    let seen = 0;
    const take = async (item: CsvItem): Promise<void> => {
      seen += 1;
      // Resume by input record, never by physical line: a field may span lines.
      if (seen <= done.rows) return;
      chunk.push(item);
      if (item.kind === 'record') records += 1;
      if (records === batchSize) {
        send(chunk);
        chunk = [];
        records = 0;
        // Bounded memory: read no further while the window is full.
        while (inFlight.size >= concurrency) await Promise.race(inFlight);
      }
    };
    for (const item of leading) await take(item);
    if (!options.header) await take(firstRecord);
    for await (const item of items) {
      await take(item);
      if (failure) break;
    }
    if (chunk.length > 0 && !failure) send(chunk);
    await Promise.all(inFlight);
    if (failure) throw failure;
  } catch (err) {
    await items.return(undefined);
    if (err instanceof BulkError) return finish(err);
    closeSync(out);
    throw err;
  }
  return finish();
}
