/**
 * Bulk tokenization of a sector's whole register (a CSV file) through POST /v1/tokens/batch:
 * bounded concurrency and memory, output in input order, per-row errors in place, backoff on 429
 * using Retry-After, and resumable: after each chunk written, `<out>.progress` records how many
 * input rows and output bytes are done, so a rerun with resume continues from there.
 */
import {
  accessSync,
  closeSync,
  constants,
  createReadStream,
  existsSync,
  fsyncSync,
  ftruncateSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { createInterface } from 'node:readline';
import { fileReason } from '../errors.js';
import { OperatorError } from '../../errors.js';

export interface BulkOptions {
  url: string;
  apiKey: string;
  sector: string;
  input: string;
  output: string;
  /** 1-based column holding the national ID. */
  column: number;
  header: boolean;
  /** National IDs per request; at most, and by default, the client's batch limit (GET /v1/me). */
  batchSize?: number | undefined;
  concurrency: number;
  resume: boolean;
  maxRetries: number;
  /** `rows`, `tokens` and `errors` count the whole output, `resumedFrom` the rows done before this run. */
  onProgress?: (p: { rows: number; tokens: number; errors: number; elapsedMs: number; resumedFrom: number }) => void;
  /** Waits between retries; tests shorten it. */
  sleep?: (ms: number) => Promise<void>;
}

export interface BulkResult {
  rows: number;
  tokens: number;
  errors: number;
  retries: number;
  resumedFrom: number;
  /** National IDs per request, as sent. */
  batchSize: number;
}

export class BulkError extends OperatorError {
  override name = 'BulkError';
}

/** `<out>.progress`: rows and output bytes done, and the tokens and row errors among them. */
interface Progress {
  rows: number;
  bytes: number;
  tokens?: number;
  errors?: number;
}

/** Why a request never reached the service, in words ("connection refused to URL"). */
function networkReason(err: unknown, url: string): { reason: string; unreachable: boolean } {
  const cause = (err as { cause?: { code?: string; errors?: { code?: string }[] } }).cause;
  const code = cause?.code ?? cause?.errors?.[0]?.code;
  switch (code) {
    case 'ECONNREFUSED':
      return { reason: `connection refused to ${url}`, unreachable: true };
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return { reason: `host of ${url} not found`, unreachable: true };
    case 'ECONNRESET':
    case 'UND_ERR_SOCKET':
      return { reason: `connection to ${url} closed before an answer`, unreachable: false };
    default:
      return { reason: `network error talking to ${url}${code ? ` (${code})` : ''}`, unreachable: false };
  }
}

/** A refusal that retrying cannot fix, with what to change. */
function refusal(status: number, code: string | undefined, options: Pick<BulkOptions, 'url' | 'sector'>): BulkError {
  const what = `${status}${code ? ` ${code}` : ''}`;
  if (status === 401) return new BulkError(`the service refused the API key (${what}): check SECTOKEN_API_KEY`);
  if (status === 403)
    return new BulkError(
      `the client of SECTOKEN_API_KEY may not tokenize in sector "${options.sector}" (${what}): use a service client of that sector`,
    );
  if (code === 'unknown_sector')
    return new BulkError(`the service has no sector "${options.sector}" (${what}): check --sector`);
  if (status === 404)
    return new BulkError(`no sectoken service at ${options.url} (${what} for /v1/tokens/batch): check --url`);
  if (status === 413 || code === 'batch_too_large')
    return new BulkError(`the service refused a batch as too large (${what}): lower --batch-size`);
  return new BulkError(`the service refused the batch (${what})`);
}

const defaultSleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Without a batch limit of the service's own (a service before GET /v1/me said it), batches of this. */
const FALLBACK_BATCH_SIZE = 1000;

/**
 * How to send, from the client's limits that GET /v1/me publishes: batches of the size asked for,
 * but never more than the client's batch limit (a larger batch could never fit its identities
 * window: 422 batch_too_large); and no more batches in flight than its smallest window holds, so
 * that batches take turns rather than race each other into 429s.
 */
async function pacingFor(
  options: Pick<BulkOptions, 'url' | 'apiKey' | 'sector' | 'batchSize' | 'concurrency'>,
): Promise<{ batchSize: number; concurrency: number }> {
  let res: Response;
  try {
    res = await fetch(`${options.url}/v1/me`, { headers: { Authorization: `Bearer ${options.apiKey}` } });
  } catch (err) {
    const network = networkReason(err, options.url);
    throw new BulkError(`${network.reason}${network.unreachable ? ': is the service running there? check --url' : ''}`);
  }
  const body = (await res.json().catch(() => ({}))) as {
    limits?: { batchSize?: unknown; identities?: { points?: unknown }[] };
    error?: { code?: string };
  };
  if (res.status === 401 || res.status === 403) throw refusal(res.status, body.error?.code, options);
  const limits = res.ok ? body.limits : undefined;
  const limit = typeof limits?.batchSize === 'number' ? limits.batchSize : undefined;
  const batchSize = Math.min(options.batchSize ?? limit ?? FALLBACK_BATCH_SIZE, limit ?? Infinity);
  const smallestWindow = Math.min(
    ...(limits?.identities ?? []).map((w) => (typeof w.points === 'number' ? w.points : Infinity)),
  );
  return { batchSize, concurrency: Math.max(1, Math.min(options.concurrency, Math.floor(smallestWindow / batchSize))) };
}

export async function runBulk(options: BulkOptions): Promise<BulkResult> {
  const progressPath = `${options.output}.progress`;
  const sleep = options.sleep ?? defaultSleep;
  try {
    accessSync(options.input, constants.R_OK);
  } catch (err) {
    throw new BulkError(`cannot read input ${options.input}: ${fileReason(err)}`);
  }
  let done: Progress = { rows: 0, bytes: 0 };
  const fresh = !existsSync(options.output) && !existsSync(progressPath);
  if (!fresh) {
    if (!options.resume)
      throw new BulkError(
        `${options.output} exists: refusing to overwrite (use --resume to continue an interrupted run)`,
      );
    if (!existsSync(progressPath))
      throw new BulkError(`${options.output} exists but ${progressPath} does not: nothing to resume`);
    done = JSON.parse(readFileSync(progressPath, 'utf8')) as Progress;
  } else if (options.resume) {
    throw new BulkError(`nothing to resume: ${options.output} does not exist (run without --resume)`);
  }
  const { batchSize, concurrency } = await pacingFor(options);
  const out = openSync(options.output, fresh ? 'w' : 'r+', 0o600);
  // Rows written after the last recorded progress (a crash between the two) are written again.
  ftruncateSync(out, done.bytes);
  let outBytes = done.bytes;
  const result: BulkResult = {
    rows: done.rows,
    tokens: done.tokens ?? 0,
    errors: done.errors ?? 0,
    retries: 0,
    resumedFrom: done.rows,
    batchSize,
  };
  const started = Date.now();
  const saveProgress = (): void => {
    const tmp = `${progressPath}.tmp`;
    writeFileSync(
      tmp,
      JSON.stringify({ rows: result.rows, bytes: outBytes, tokens: result.tokens, errors: result.errors }),
    );
    renameSync(tmp, progressPath);
  };
  // From the start, so that a run stopped at any point can be resumed.
  if (fresh) saveProgress();
  let answered = false;

  const writeChunk = (text: string, rowsInChunk: number, tokensInChunk: number): void => {
    const bytes = Buffer.from(text, 'utf8');
    writeSync(out, bytes, 0, bytes.length, outBytes);
    fsyncSync(out);
    outBytes += bytes.length;
    result.rows += rowsInChunk;
    result.tokens += tokensInChunk;
    result.errors += rowsInChunk - tokensInChunk;
    saveProgress();
    if (rowsInChunk > 0)
      options.onProgress?.({
        rows: result.rows,
        tokens: result.tokens,
        errors: result.errors,
        elapsedMs: Date.now() - started,
        resumedFrom: result.resumedFrom,
      });
  };

  const post = async (ids: string[]): Promise<{ token?: string; error?: string }[]> => {
    for (let attempt = 0; ; attempt++) {
      let reason: string;
      let wait = Math.min(30_000, 250 * 2 ** attempt);
      try {
        const res = await fetch(`${options.url}/v1/tokens/batch`, {
          method: 'POST',
          headers: { Authorization: `Bearer ${options.apiKey}`, 'Content-Type': 'application/json' },
          body: JSON.stringify({ sector: options.sector, nationalIds: ids }),
        });
        const body = (await res.json().catch(() => ({}))) as {
          results?: { token?: string; error?: string }[];
          error?: { code?: string };
        };
        if (res.ok && Array.isArray(body.results)) {
          answered = true;
          return body.results;
        }
        if (res.status !== 429 && res.status < 500) throw refusal(res.status, body.error?.code, options);
        reason = `last answer ${res.status}${body.error?.code ? ` ${body.error.code}` : ''}`;
        // 429: wait as told; 5xx: back off exponentially.
        const retryAfter = Number(res.headers.get('retry-after') ?? 0);
        if (res.status === 429 && retryAfter > 0) wait = retryAfter * 1000;
      } catch (err) {
        if (err instanceof BulkError) throw err;
        const network = networkReason(err, options.url);
        // Nothing answered yet: a wrong URL or a stopped service, not a hiccup worth minutes of retries.
        if (!answered && network.unreachable)
          throw new BulkError(`${network.reason}: is the service running there? check --url`);
        reason = network.reason;
      }
      if (attempt >= options.maxRetries) throw new BulkError(`giving up after ${attempt + 1} attempts: ${reason}`);
      result.retries += 1;
      await sleep(wait);
    }
  };

  const input = createInterface({ input: createReadStream(options.input, 'utf8'), crlfDelay: Infinity });
  let lineNumber = 0;
  let chunk: string[] = [];
  let nextToSend = 0;
  let nextToWrite = 0;
  const finished = new Map<number, { text: string; tokens: number }>();
  const inFlight = new Set<Promise<void>>();
  const chunkRows = new Map<number, number>();
  let failure: unknown;

  const flushReady = (): void => {
    while (finished.has(nextToWrite)) {
      const { text, tokens } = finished.get(nextToWrite)!;
      writeChunk(text, chunkRows.get(nextToWrite)!, tokens);
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
        let tokens = 0;
        const rows = lines.map((line, k) => {
          const r = results[k] ?? { error: 'internal' };
          if (r.token) tokens += 1;
          return `${line},${r.token ?? ''},${r.error ?? ''}\n`;
        });
        finished.set(index, { text: rows.join(''), tokens });
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
          writeChunk(`${line},token,error\n`, 0, 0);
        }
        continue;
      }
      const dataRow = lineNumber - (options.header ? 1 : 0);
      if (dataRow <= done.rows) continue;
      chunk.push(line);
      if (chunk.length === batchSize) {
        send(chunk);
        chunk = [];
        // Bounded memory: read no further while the window is full.
        while (inFlight.size >= concurrency) await Promise.race(inFlight);
      }
      if (failure) break;
    }
    if (chunk.length > 0 && !failure) send(chunk);
    await Promise.all(inFlight);
    if (failure) throw failure instanceof Error ? failure : new Error('a bulk worker failed', { cause: failure });
  } catch (err) {
    input.close();
    closeSync(out);
    if (!(err instanceof BulkError)) throw err;
    // A fresh run that wrote no row leaves nothing behind, so the corrected command just runs again.
    if (fresh && result.rows === 0) {
      rmSync(options.output, { force: true });
      rmSync(progressPath, { force: true });
      throw err;
    }
    throw new BulkError(
      `${err.message}; ${result.rows} rows are done in ${options.output}: fix that and rerun the same command with --resume to continue`,
    );
  }
  input.close();
  closeSync(out);
  return result;
}

/** The national ID in a CSV row: the given column, trimmed, without surrounding quotes. */
function fieldOf(line: string, column: number): string {
  const field = line.split(',')[column - 1] ?? '';
  return field.trim().replace(/^"(.*)"$/, '$1');
}
