/**
 * Tokenizing through a running service's POST /v1/tokens/batch: batch size and concurrency from the
 * client's limits (GET /v1/me), backoff on 429 using Retry-After and on 5xx or a dropped connection,
 * and one line saying what to change for a refusal that retrying cannot fix.
 */
import { BulkError } from './error.js';
import { retrier, type BatchTokenizer, type RowResult } from './tokenizer.js';

export interface ServiceOptions {
  /** Without a trailing slash. */
  url: string;
  apiKey: string;
  sector: string;
  /** National IDs per request; at most, and by default, the client's batch limit (GET /v1/me). */
  batchSize?: number | undefined;
  concurrency: number;
  maxRetries: number;
  /** Waits between retries; tests shorten it. */
  sleep?: (ms: number) => Promise<void>;
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
function refusal(status: number, code: string | undefined, options: ServiceOptions, path: string): BulkError {
  const what = `${status}${code ? ` ${code}` : ''}`;
  if (status === 401) return new BulkError(`the service refused the API key (${what}): check SECTOKEN_API_KEY`);
  if (status === 403)
    return new BulkError(
      `the client of SECTOKEN_API_KEY may not tokenize in sector "${options.sector}" (${what}): use a service client of that sector`,
    );
  if (code === 'policy_mismatch')
    return new BulkError(
      `sector "${options.sector}" is blind: its national IDs are never sent (${what}); add --blind to blind them here`,
    );
  if (code === 'unknown_sector')
    return new BulkError(`the service has no sector "${options.sector}" (${what}): check --sector`);
  if (status === 404) return new BulkError(`no sectoken service at ${options.url} (${what} for ${path}): check --url`);
  if (status === 413 || code === 'batch_too_large')
    return new BulkError(`the service refused a batch as too large (${what}): lower --batch-size`);
  return new BulkError(`the service refused the batch (${what})`);
}

/** Without a batch limit of the service's own (a service before GET /v1/me said it), batches of this. */
const FALLBACK_BATCH_SIZE = 1000;

export function serviceTokenizer(options: ServiceOptions): BatchTokenizer {
  let answered = false;
  const unreachable = (err: unknown): BulkError => {
    const network = networkReason(err, options.url);
    return new BulkError(
      `${network.reason}${network.unreachable ? ': is the service running there? check --url' : ''}`,
    );
  };

  /**
   * How to send, from the client's limits that GET /v1/me publishes: batches of the size asked for,
   * but never more than the client's batch limit (a larger batch could never fit its identities
   * window: 422 batch_too_large); and no more batches in flight than its smallest window holds, so
   * that batches take turns rather than race each other into 429s. Asked once, before anything is
   * written, so that a wrong URL, key or a failing service is refused at once.
   */
  const connect = async (): Promise<{ batchSize: number; concurrency: number }> => {
    let res: Response;
    try {
      res = await fetch(`${options.url}/v1/me`, { headers: { Authorization: `Bearer ${options.apiKey}` } });
    } catch (err) {
      throw unreachable(err);
    }
    const body = (await res.json().catch(() => undefined)) as
      { limits?: { batchSize?: unknown; identities?: { points?: unknown }[] }; error?: { code?: string } } | undefined;
    if (res.status === 401 || res.status === 403 || res.status === 404)
      throw refusal(res.status, body?.error?.code, options, 'GET /v1/me');
    if (res.status >= 500)
      throw new BulkError(
        `the service at ${options.url} answered ${res.status}${body?.error?.code ? ` ${body.error.code}` : ''} to GET /v1/me: check its health and log, then rerun`,
      );
    if (!res.ok || body === undefined)
      throw new BulkError(
        `${options.url} did not answer GET /v1/me as a sectoken service (${res.status}): check --url`,
      );
    const limits = body.limits;
    const limit = typeof limits?.batchSize === 'number' ? limits.batchSize : undefined;
    const batchSize = Math.min(options.batchSize ?? limit ?? FALLBACK_BATCH_SIZE, limit ?? Infinity);
    const smallestWindow = Math.min(
      ...(limits?.identities ?? []).map((w) => (typeof w.points === 'number' ? w.points : Infinity)),
    );
    return {
      batchSize,
      concurrency: Math.max(1, Math.min(options.concurrency, Math.floor(smallestWindow / batchSize))),
    };
  };

  const retry = retrier(options);

  const tokenize = (nationalIds: string[]): Promise<RowResult[]> =>
    retry.run<RowResult[]>(async () => {
      try {
        const res = await fetch(`${options.url}/v1/tokens/batch`, {
          method: 'POST',
          headers: { Authorization: `Bearer ${options.apiKey}`, 'Content-Type': 'application/json' },
          body: JSON.stringify({ sector: options.sector, nationalIds }),
        });
        const body = (await res.json().catch(() => ({}))) as { results?: RowResult[]; error?: { code?: string } };
        if (res.ok && Array.isArray(body.results)) {
          answered = true;
          return { answer: body.results };
        }
        if (res.status !== 429 && res.status < 500)
          throw refusal(res.status, body.error?.code, options, 'POST /v1/tokens/batch');
        // 429: wait as told; 5xx: back off exponentially.
        const retryAfter = Number(res.headers.get('retry-after') ?? 0);
        return {
          again: `last answer ${res.status}${body.error?.code ? ` ${body.error.code}` : ''}`,
          waitMs: res.status === 429 && retryAfter > 0 ? retryAfter * 1000 : undefined,
        };
      } catch (err) {
        if (err instanceof BulkError) throw err;
        const network = networkReason(err, options.url);
        // Nothing answered yet: a wrong URL or a stopped service, not a hiccup worth minutes of retries.
        if (!answered && network.unreachable) throw unreachable(err);
        return { again: network.reason };
      }
    });

  return { connect, tokenize, retries: retry.retries };
}
