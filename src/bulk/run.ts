/**
 * Bulk tokenization of a sector's whole register (a CSV file) through POST /v1/tokens/batch:
 * bounded concurrency and memory, output in input order, per-row errors in place, backoff on 429
 * using Retry-After, and resumable: after each chunk written, `<out>.progress` records how many
 * input rows and output bytes are done, so a rerun with resume continues from there.
 */
import { closeSync, createReadStream, existsSync, fsyncSync, ftruncateSync, openSync, readFileSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import { createInterface } from 'node:readline';

export interface BulkOptions {
  url: string;
  apiKey: string;
  sector: string;
  input: string;
  output: string;
  /** 1-based column holding the national ID. */
  column: number;
  header: boolean;
  batchSize: number;
  concurrency: number;
  resume: boolean;
  maxRetries: number;
  onProgress?: (p: { rows: number; tokens: number; errors: number; elapsedMs: number }) => void;
  /** Waits between retries; tests shorten it. */
  sleep?: (ms: number) => Promise<void>;
}

export interface BulkResult {
  rows: number;
  tokens: number;
  errors: number;
  retries: number;
  resumedFrom: number;
}

export class BulkError extends Error {
  override name = 'BulkError';
}

interface Progress {
  rows: number;
  bytes: number;
}

const defaultSleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function runBulk(options: BulkOptions): Promise<BulkResult> {
  const progressPath = `${options.output}.progress`;
  const sleep = options.sleep ?? defaultSleep;
  let done: Progress = { rows: 0, bytes: 0 };
  if (existsSync(options.output) || existsSync(progressPath)) {
    if (!options.resume) throw new BulkError(`${options.output} exists: refusing to overwrite (use --resume to continue an interrupted run)`);
    if (!existsSync(progressPath)) throw new BulkError(`${options.output} exists but ${progressPath} does not: nothing to resume`);
    done = JSON.parse(readFileSync(progressPath, 'utf8')) as Progress;
  }
  const out = openSync(options.output, existsSync(options.output) ? 'r+' : 'w', 0o600);
  // Rows written after the last recorded progress (a crash between the two) are written again.
  ftruncateSync(out, done.bytes);
  let outBytes = done.bytes;
  const result: BulkResult = { rows: done.rows, tokens: 0, errors: 0, retries: 0, resumedFrom: done.rows };
  const started = Date.now();

  const writeChunk = (text: string, rowsInChunk: number): void => {
    const bytes = Buffer.from(text, 'utf8');
    writeSync(out, bytes, 0, bytes.length, outBytes);
    fsyncSync(out);
    outBytes += bytes.length;
    result.rows += rowsInChunk;
    const tmp = `${progressPath}.tmp`;
    writeFileSync(tmp, JSON.stringify({ rows: result.rows, bytes: outBytes }));
    renameSync(tmp, progressPath);
    options.onProgress?.({ rows: result.rows, tokens: result.tokens, errors: result.errors, elapsedMs: Date.now() - started });
  };

  const post = async (ids: string[]): Promise<Array<{ token?: string; error?: string }>> => {
    for (let attempt = 0; ; attempt++) {
      let status = 0;
      let retryAfter = 0;
      try {
        const res = await fetch(`${options.url}/v1/tokens/batch`, {
          method: 'POST',
          headers: { Authorization: `Bearer ${options.apiKey}`, 'Content-Type': 'application/json' },
          body: JSON.stringify({ sector: options.sector, nationalIds: ids }),
        });
        status = res.status;
        const body = (await res.json()) as { results?: Array<{ token?: string; error?: string }>; error?: { code: string; message: string } };
        if (res.ok && body.results) return body.results;
        retryAfter = Number(res.headers.get('retry-after') ?? 0);
        if (status !== 429 && status < 500) throw new BulkError(`the service refused the batch: ${status} ${body.error?.code ?? ''} ${body.error?.message ?? ''}`.trim());
      } catch (err) {
        if (err instanceof BulkError) throw err;
      }
      // 429: wait as told; 5xx or a network error: back off exponentially.
      if (attempt >= options.maxRetries) throw new BulkError(`giving up after ${attempt + 1} attempts (last status ${status || 'network error'})`);
      result.retries += 1;
      await sleep(status === 429 && retryAfter > 0 ? retryAfter * 1000 : Math.min(30_000, 250 * 2 ** attempt));
    }
  };

  const input = createInterface({ input: createReadStream(options.input, 'utf8'), crlfDelay: Infinity });
  let lineNumber = 0;
  let chunk: string[] = [];
  let nextToSend = 0;
  let nextToWrite = 0;
  const finished = new Map<number, string>();
  const inFlight = new Set<Promise<void>>();
  const chunkRows = new Map<number, number>();
  let failure: unknown;

  const flushReady = (): void => {
    while (finished.has(nextToWrite)) {
      writeChunk(finished.get(nextToWrite)!, chunkRows.get(nextToWrite)!);
      finished.delete(nextToWrite);
      chunkRows.delete(nextToWrite);
      nextToWrite += 1;
    }
  };

  const send = (lines: string[]): void => {
    const index = nextToSend++;
    chunkRows.set(index, lines.length);
    const ids = lines.map((line) => fieldOf(line, options.column));
    const task = post(ids)
      .then((results) => {
        const rows = lines.map((line, k) => {
          const r = results[k] ?? { error: 'internal' };
          if (r.token) result.tokens += 1;
          else result.errors += 1;
          return `${line},${r.token ?? ''},${r.error ?? ''}\n`;
        });
        finished.set(index, rows.join(''));
        flushReady();
      })
      .catch((err: unknown) => {
        failure ??= err;
      })
      .finally(() => inFlight.delete(task));
    inFlight.add(task);
  };

  try {
    for await (const line of input) {
      lineNumber += 1;
      if (options.header && lineNumber === 1) {
        if (done.rows === 0 && done.bytes === 0) {
          writeChunk(`${line},token,error\n`, 0);
        }
        continue;
      }
      const dataRow = lineNumber - (options.header ? 1 : 0);
      if (dataRow <= done.rows) continue;
      chunk.push(line);
      if (chunk.length === options.batchSize) {
        send(chunk);
        chunk = [];
        // Bounded memory: read no further while the window is full.
        while (inFlight.size >= options.concurrency) await Promise.race(inFlight);
      }
      if (failure) break;
    }
    if (chunk.length > 0 && !failure) send(chunk);
    await Promise.all(inFlight);
    if (failure) throw failure;
  } finally {
    input.close();
    closeSync(out);
  }
  return result;
}

/** The national ID in a CSV row: the given column, trimmed, without surrounding quotes. */
function fieldOf(line: string, column: number): string {
  const field = line.split(',')[column - 1] ?? '';
  return field.trim().replace(/^"(.*)"$/, '$1');
}
