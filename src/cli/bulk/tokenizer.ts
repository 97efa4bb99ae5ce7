/**
 * The one step of a bulk run that talks to a tokenizer: a batch of national IDs in, one answer per
 * ID out, in order. Reading the CSV, ordering, writing and resuming know nothing else about it, so
 * another way of tokenizing (a client library's blind tokenization, say) is one more implementation
 * of this interface; serviceTokenizer.ts is the one over POST /v1/tokens/batch.
 */
import { BulkError } from './error.js';

/** One row's answer: its token, or the error code saying why it has none (as /v1/tokens/batch answers). */
export interface RowResult {
  token?: string | undefined;
  error?: string | undefined;
}

export interface BatchTokenizer {
  /**
   * Called once, after the files are checked and before the output is created: how many IDs per
   * batch and how many batches at once. A refusal (wrong key, nothing listening) throws BulkError,
   * and then nothing is left behind.
   */
  connect(): Promise<{ batchSize: number; concurrency: number }>;
  /** One answer per national ID, in order; throws BulkError when the run cannot go on. */
  tokenize(nationalIds: string[]): Promise<RowResult[]>;
  /** Batches sent again so far (rate limits, server errors, dropped connections), for the summary. */
  retries: () => number;
}

/** How long to wait before sending a batch again: 250 ms, doubling with each attempt, at most 30 s. */
export const backoffMs = (attempt: number): number => Math.min(30_000, 250 * 2 ** attempt);

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * What one attempt at a batch came to: its answer, or why it may be sent again (a 429, a 5xx, a
 * dropped connection) and, when the service said how long to wait (Retry-After), that many ms.
 * A refusal that sending again cannot fix is thrown as a BulkError instead.
 */
export type Attempt<T> = { answer: T } | { again: string; waitMs?: number | undefined };

export interface RetryPolicy {
  maxRetries: number;
  /** Waits between attempts; tests shorten it. */
  sleep?: ((ms: number) => Promise<void>) | undefined;
}

export interface Retrier {
  /** Runs `attempt` until it answers: the service's wait when it gave one, else exponential backoff; after `maxRetries` retries, one line with the last reason. */
  run<T>(attempt: () => Promise<Attempt<T>>): Promise<T>;
  /** The retries so far, for the summary. */
  retries: () => number;
}

/** The one retry loop of both tokenizers, counting its retries. */
export function retrier(policy: RetryPolicy): Retrier {
  const pause = policy.sleep ?? sleep;
  let retries = 0;
  return {
    async run<T>(attempt: () => Promise<Attempt<T>>): Promise<T> {
      for (let n = 0; ; n++) {
        const outcome = await attempt();
        if ('answer' in outcome) return outcome.answer;
        if (n >= policy.maxRetries) throw new BulkError(`giving up after ${n + 1} attempts: ${outcome.again}`);
        retries += 1;
        await pause(outcome.waitMs ?? backoffMs(n));
      }
    },
    retries: () => retries,
  };
}
