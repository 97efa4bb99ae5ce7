/**
 * The records of a CSV file as it streams, parsed by csv-parse (RFC 4180: quoted fields, doubled
 * quotes, CRLF or LF, fields over several lines), in input order. Fields stay bytes, so a column in
 * another encoding (a Latin-1 export) is written back exactly as it was: they are read as latin1,
 * one character per byte, whatever the file's encoding (a UTF-8 character's bytes are never a
 * delimiter, quote or line break). A malformed record (an
 * unbalanced quote, text after a closing quote) does not stop the reading: it comes out as one
 * `malformed` item naming its lines. Blank lines, and rows whose fields are all empty (a spreadsheet's
 * empty rows), are no records. The sequence depends only on the file and the delimiter, so a resumed
 * run finds the same n-th item.
 */
import { createReadStream } from 'node:fs';
import { parse, type CsvError, type InfoRecord, type Options } from 'csv-parse';
import { BulkError } from './error.js';
import { fileReason } from '../errors.js';

export type CsvItem =
  /** Fields hold bytes, one latin1 character each. */
  | { kind: 'record'; fields: string[]; endOffset: number }
  | { kind: 'malformed'; firstLine: number; lastLine: number; reason: string; endOffset: number };

export const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);
const LF = 0x0a;
const CR = 0x0d;

/** What went wrong, for an operator who will fix the line in a text editor. */
const REASONS: Record<string, string> = {
  INVALID_OPENING_QUOTE:
    'a quote inside a field that does not start with one (quote the whole field and double the quote: "5"" screen")',
  CSV_INVALID_CLOSING_QUOTE:
    'text after the closing quote of a field (a quote inside a quoted field is written twice: "")',
  CSV_QUOTE_NOT_CLOSED: 'a quote that is never closed',
};

/**
 * Line numbers of byte offsets, from the chunks as read. Lines are counted up to the start of the
 * item being read (`advance`); only the chunks from there on are kept.
 */
class LineIndex {
  private chunks: Array<{ start: number; bytes: Buffer }> = [];
  private from = 0;
  private newlines = 0;

  add(start: number, bytes: Buffer): void {
    this.chunks.push({ start, bytes });
  }

  byteAt(offset: number): number | undefined {
    for (const c of this.chunks)
      if (offset >= c.start && offset < c.start + c.bytes.length) return c.bytes[offset - c.start];
    return undefined;
  }

  /** 1-based line of the byte at `offset`, at or after the item's start. */
  lineAt(offset: number): number {
    let n = this.newlines;
    for (const c of this.chunks) {
      const to = Math.min(offset, c.start + c.bytes.length) - c.start;
      for (
        let at = c.bytes.indexOf(LF, Math.max(this.from - c.start, 0));
        at !== -1 && at < to;
        at = c.bytes.indexOf(LF, at + 1)
      )
        n++;
    }
    return n + 1;
  }

  /** The next item starts at `offset`: count the lines before it and let go of the bytes. */
  advance(offset: number): void {
    this.newlines = this.lineAt(offset) - 1;
    this.from = offset;
    while (this.chunks.length > 1 && this.chunks[0]!.start + this.chunks[0]!.bytes.length <= offset)
      this.chunks.shift();
  }

  isBreak(offset: number): boolean {
    const b = this.byteAt(offset);
    return b === LF || b === CR;
  }

  /** Start of the line holding `offset`, not before the item's start. */
  lineStart(offset: number): number {
    let at = offset;
    while (at > this.from && this.byteAt(at - 1) !== LF) at--;
    return at;
  }
}

export async function* csvItems(path: string, delimiter: string): AsyncGenerator<CsvItem> {
  const lines = new LineIndex();
  const queue: CsvItem[] = [];
  // csv-parse counts bytes after the BOM we strip ourselves (its own BOM handling would decode fields as UTF-8).
  let base = 0;
  let end = 0;
  /** Where the item being read starts: right after the previous one. */
  let itemStart = 0;
  let open: { code: string } | undefined;
  /**
   * Ends the malformed item being read, before the record at `next` (csv-parse's raw text of a
   * record may start a byte late after a CRLF; a record always starts a line, so its line's start
   * is taken). Its lines are those from its first to its last that are not blank.
   */
  const closeMalformed = (next: number): void => {
    if (!open) return;
    let first = itemStart;
    while (first < next && lines.isBreak(first)) first++;
    let ends = next;
    while (ends < end && lines.isBreak(ends)) ends++;
    if (ends < end) ends = Math.min(next, lines.lineStart(ends));
    else ends = end;
    let last = ends;
    while (last > first && lines.isBreak(last - 1)) last--;
    queue.push({
      kind: 'malformed',
      firstLine: lines.lineAt(first),
      lastLine: lines.lineAt(Math.max(first, last - 1)),
      reason: REASONS[open.code] ?? open.code,
      endOffset: ends,
    });
    open = undefined;
    lines.advance(ends);
    itemStart = ends;
  };
  const onRecord = ({ record, raw }: { record: string[]; raw: string }, info: InfoRecord): null => {
    const recordEnd = base + info.bytes;
    closeMalformed(recordEnd - raw.length);
    queue.push({ kind: 'record', fields: record, endOffset: recordEnd });
    lines.advance(recordEnd);
    itemStart = recordEnd;
    return null;
  };
  const settings: Options = {
    delimiter,
    encoding: 'latin1',
    bom: false,
    raw: true,
    record_delimiter: ['\r\n', '\n'],
    relax_column_count: true,
    skip_empty_lines: true,
    skip_records_with_empty_values: true,
    skip_records_with_error: true,
    // Both are called as the parser meets them, so the queue keeps the file's order. With `raw`, a
    // record is its fields and its raw text (the types do not say so).
    on_record: onRecord as unknown as NonNullable<Options['on_record']>,
    on_skip: (err: CsvError | undefined) => {
      open ??= { code: err?.code ?? 'malformed' };
      return undefined;
    },
  };
  const parser = parse(settings);
  parser.resume();
  const fed = (chunk: Buffer): Promise<void> =>
    new Promise((resolve, reject) => parser.write(chunk, (err) => (err ? reject(err) : resolve())));
  try {
    for await (const read of createReadStream(path)) {
      let chunk = read as Buffer;
      lines.add(end, chunk);
      if (end === 0 && chunk.subarray(0, 3).equals(UTF8_BOM)) {
        base = UTF8_BOM.length;
        itemStart = base;
        chunk = chunk.subarray(UTF8_BOM.length);
      }
      end += (read as Buffer).length;
      await fed(chunk);
      yield* queue.splice(0);
    }
    await new Promise<void>((resolve, reject) => {
      parser.once('error', reject);
      parser.end(() => resolve());
    });
  } catch (err) {
    // A file system error while reading (csv-parse's own errors are skipped records, above).
    if ((err as NodeJS.ErrnoException).syscall !== undefined)
      throw new BulkError(`cannot read input ${path}: ${fileReason(err)}`);
    throw err;
  }
  closeMalformed(end);
  yield* queue.splice(0);
}
