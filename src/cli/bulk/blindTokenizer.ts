/**
 * `bulk --blind`: a register onboarded into a blind sector through the client library
 * (src/client/blind.ts): each batch is blinded here, evaluated by POST /v1/blind/evaluate, its
 * proof checked and its tokens rendered here, so the service sees none of the national IDs and
 * none of the tokens. Pacing comes from the client's limits as for the plain run (GET /v1/me,
 * serviceTokenizer's connect); a dropped connection, a 429 (after its Retry-After) or a 5xx is
 * retried by the same loop as the plain run's, and a proof that does not verify stops the run in one line.
 */
import { BlindClientError, blindBatch, fetchSectorKeys, type SectorKeys } from '../../client/blind.js';
import { BulkError } from './error.js';
import { serviceTokenizer, type ServiceOptions } from './serviceTokenizer.js';
import { retrier, type BatchTokenizer, type RowResult } from './tokenizer.js';

/**
 * The batch size of a blind run unless --batch-size says otherwise. A blind batch costs this
 * process about 1 ms a person (blinding, the proof, unblinding: docs/DERIVATION.md §10), all on
 * its event loop: at 1,000 a batch and four in flight, a kept-alive connection idles between two
 * uses about as long as the service keeps one (5 s), and one was now and then closed under a
 * request being written (measured: 3 retries in a 30,000-row run, none at 250).
 */
export const BLIND_BATCH_SIZE = 250;

export function blindTokenizer(options: ServiceOptions & { publicKeys: Record<number, string> }): BatchTokenizer {
  const client = { url: options.url, apiKey: options.apiKey, sector: options.sector, publicKeys: options.publicKeys };
  const pacing = serviceTokenizer(options);
  let sector: SectorKeys | undefined;
  const retry = retrier(options);
  const oneLine = (err: unknown): never => {
    if (err instanceof BlindClientError) throw new BulkError(`blind: ${err.message}`);
    throw err;
  };

  return {
    async connect() {
      const limits = await pacing.connect();
      sector = await fetchSectorKeys(client).catch(oneLine);
      return options.batchSize === undefined
        ? { ...limits, batchSize: Math.min(limits.batchSize, BLIND_BATCH_SIZE) }
        : limits;
    },
    async tokenize(nationalIds): Promise<RowResult[]> {
      const keys = sector;
      if (!keys) throw new Error('bulk --blind: tokenize before connect');
      return retry.run<RowResult[]>(async () => {
        try {
          const results = await blindBatch(client, keys, nationalIds);
          return { answer: results.map((r) => ('token' in r ? { token: r.token } : { error: r.error })) };
        } catch (err) {
          // A dropped connection, a 429 or a 5xx: the batch is blinded afresh and sent again.
          if (!(err instanceof BlindClientError && err.retryable)) return oneLine(err);
          const waitMs = err.retryAfterSeconds === undefined ? undefined : err.retryAfterSeconds * 1000;
          return { again: err.message, waitMs };
        }
      });
    },
    retries: retry.retries,
  };
}
