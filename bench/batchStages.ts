/**
 * POST /v1/tokens/batch of 1000 split into its stages, in process, on the code the route runs:
 * parse (JSON.parse of the body, what express.json does once the bytes are read), validate (the
 * fast path of src/http/batchBody.ts; zod's schema beside it for comparison), tokenize
 * (tokenizeBatchTokens: authorization, rate limit, blind indexes, LRU, FF1 for the misses) and
 * serialize (src/http/batchAnswer.ts; JSON.stringify of the 1000 result objects beside it).
 * Every repeat uses fresh random IDs, as the HTTP case does, so the token cache misses.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Principal } from '../src/access/apiKeys.js';
import { parseConfig } from '../src/config/schema.js';
import { batchAnswerJson } from '../src/http/batchAnswer.js';
import { fastBatchRequest } from '../src/http/batchBody.js';
import { batchRequest } from '../src/http/schemas.js';
import { parseBody } from '../src/http/validate.js';
import { generateKeyring } from '../src/keys/keyring.js';
import { createRateLimits } from '../src/limits/rateLimits.js';
import { createMetrics } from '../src/metrics.js';
import { createTokenCache } from '../src/store/tokenCache.js';
import { createDerivationQueue } from '../src/acts/tokens/derivationQueue.js';
import { tokenizeBatchTokens, type TokenDeps } from '../src/acts/tokens/tokenize.js';
import { createTokenizer } from '../src/derivation/tokenizer.js';
import { median, randomId } from './common.js';

export interface StageResult {
  stage: string;
  medianUsPerBatch: number;
  repeats: number[];
}

const BATCH = 1000;

export async function batchStagesBench(root: string, repeats: number): Promise<StageResult[]> {
  const config = parseConfig(
    {
      ...JSON.parse(readFileSync(join(root, 'config', 'sectoken.dev.json'), 'utf8')),
      rateLimits: { defaults: {}, clients: {} },
    },
    'sample',
  );
  const keyring = generateKeyring(Object.keys(config.sectors), true);
  const tokenizer = createTokenizer(config, keyring);
  const metrics = createMetrics(false);
  const deps: TokenDeps = {
    tokenizer: () => tokenizer,
    cache: createTokenCache(config, keyring.cacheIndex, undefined, metrics),
    metrics,
    limits: createRateLimits(config, undefined, () => undefined),
    queue: createDerivationQueue(),
  };
  const principal: Principal = {
    id: 'bench',
    role: 'service',
    sectors: new Set(['tax']),
    person: null,
    organisation: null,
  };
  const schema = batchRequest(config.limits.maxBatchSize);
  const stages = [
    'parse',
    'validate',
    'validate (zod, for comparison)',
    'tokenize',
    'serialize',
    'serialize (1000 objects + JSON.stringify, for comparison)',
  ];
  const samples = stages.map(() => [] as number[]);
  // Enough batches per repeat for a stable figure; the first round is a warm-up.
  const perRepeat = 20;
  for (let r = -1; r < repeats; r++) {
    const times = stages.map(() => 0);
    for (let b = 0; b < perRepeat; b++) {
      const text = JSON.stringify({ sector: 'tax', nationalIds: Array.from({ length: BATCH }, randomId) });
      let t = process.hrtime.bigint();
      const lap = (k: number): void => {
        const now = process.hrtime.bigint();
        times[k]! += Number(now - t) / 1000;
        t = now;
      };
      const body: unknown = JSON.parse(text);
      lap(0);
      const input = fastBatchRequest(body, config.limits.maxBatchSize);
      lap(1);
      if (!input) throw new Error('bench: the fast path refused a valid batch');
      parseBody(schema, body);
      lap(2);
      const batch = await tokenizeBatchTokens(deps, principal, input);
      lap(3);
      const json = batchAnswerJson(batch);
      lap(4);
      // The comparison serializes tokens of its own, fresh from the tokenizer as the route's are
      // (serializing flattens the tokenizer's strings: the second to touch the same ones would be favoured).
      const other = await tokenizeBatchTokens(deps, principal, {
        sector: 'tax',
        nationalIds: Array.from({ length: BATCH }, randomId),
      });
      t = process.hrtime.bigint();
      JSON.stringify({
        sector: other.sector,
        keyVersion: other.keyVersion,
        schemeVersion: other.schemeVersion,
        results: other.tokens.map((token) => (token === undefined ? { error: 'invalid_national_id' } : { token })),
      });
      lap(5);
      const objects = JSON.stringify({
        sector: batch.sector,
        keyVersion: batch.keyVersion,
        schemeVersion: batch.schemeVersion,
        results: batch.tokens.map((token) => (token === undefined ? { error: 'invalid_national_id' } : { token })),
      });
      if (objects !== json)
        throw new Error('bench: the batch answer string differs from JSON.stringify of the objects');
    }
    if (r >= 0) times.forEach((us, k) => samples[k]!.push(us / perRepeat));
  }
  return stages.map((stage, k) => ({
    stage,
    medianUsPerBatch: median(samples[k]!),
    repeats: samples[k]!.map((x) => Number(x.toFixed(1))),
  }));
}
