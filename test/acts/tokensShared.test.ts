/**
 * The token acts in process (src/acts/tokens/tokenize.ts) with the token cache shared through a
 * real Redis (its own key prefix): a batch asks Redis for its tokens, derives only what Redis did
 * not have, and stores those under their blind indexes. The HTTP view of the same is in
 * test/redis/cache.test.ts.
 */
import type { Principal } from '../../src/access/apiKeys.js';
import { createDerivationQueue } from '../../src/acts/tokens/derivationQueue.js';
import { tokenizeBatchTokens, tokenizeOne, type TokenDeps } from '../../src/acts/tokens/tokenize.js';
import { parseConfig } from '../../src/config/schema.js';
import { createTokenizer, SCHEME_VERSION, type Tokenizer } from '../../src/derivation/tokenizer.js';
import { generateKeyring } from '../../src/keys/keyring.js';
import { createRateLimits } from '../../src/limits/rateLimits.js';
import { createMetrics } from '../../src/metrics.js';
import { connectRedis, type SharedRedis } from '../../src/store/redis.js';
import { createTokenCache, type TokenCache } from '../../src/store/tokenCache.js';
import { devConfig } from '../helpers/service.js';
import { sharedRedis, waitFor, type SharedTestRedis } from '../redis/helpers.js';

const backend: Principal = {
  id: 'hospital-backend',
  role: 'service',
  sectors: new Set(['health', 'social']),
  person: null,
  organisation: null,
};

/** Reversible tokens shared through Redis, one-way tokens not; no in-process LRU. */
const config = parseConfig(
  {
    ...devConfig(),
    rateLimits: { defaults: {}, clients: {} },
    cache: { lruEntries: 0, redis: { reversible: true, 'one-way': false }, ttlSeconds: 3600 },
  },
  'sample',
);

describe('the token acts with a cache shared through Redis', () => {
  let shared: SharedTestRedis;
  let redis: SharedRedis;
  let tokenizer: Tokenizer;
  let cache: TokenCache;
  let deps: TokenDeps;
  /** Tokenizer calls: sector and canonical IDs. */
  const derived: [string, string[]][] = [];

  beforeAll(async () => {
    shared = await sharedRedis();
    redis = connectRedis({ url: shared.url, clusterNodes: undefined, prefix: shared.prefix, commandTimeoutMs: 1000 })!;
    await waitFor(() => redis.state() === 'ok', 'Redis ready');
    const real = createTokenizer(config, generateKeyring(Object.keys(config.sectors), false));
    tokenizer = {
      ...real,
      tokenizeMany: (sector, ids) => {
        derived.push([sector, [...ids]]);
        return real.tokenizeMany(sector, ids);
      },
    };
    const metrics = createMetrics(true);
    cache = createTokenCache(config, generateKeyring([], false).cacheIndex, redis, metrics);
    deps = {
      tokenizer: () => tokenizer,
      cache,
      metrics,
      limits: createRateLimits(config, undefined, () => undefined),
      queue: createDerivationQueue(),
    };
  });
  beforeEach(() => {
    derived.length = 0;
  });
  afterAll(async () => {
    await redis?.close();
    await shared?.cleanup();
  });

  /** Waits until Redis has run what was sent on the cache's connection (the acts do not await their SETs). */
  const written = async (): Promise<void> => {
    await redis.client.ping();
  };
  const indexOf = (sector: string, id: string): string => cache.indexOf(sector, 1, id);
  const tokenOf = (sector: string, id: string): string => tokenizer.tokenize(sector, id).token;

  it('a batch answers what Redis holds, derives only the rest in one call, and stores each under its own blind index', async () => {
    // Values of Redis (sealed by the cache) that are not the derived tokens: the answer tells where they came from.
    await cache.setMany('reversible', [
      [indexOf('health', 'B2'), '000000000002'],
      [indexOf('health', 'D4'), '000000000004'],
    ]);
    const answer = await tokenizeBatchTokens(deps, backend, {
      sector: 'health',
      nationalIds: ['A1', '?', 'b2', 'C3', 'D4', '', 'E5'],
    });
    expect(answer).toEqual({
      sector: 'health',
      keyVersion: 1,
      schemeVersion: SCHEME_VERSION,
      tokens: [
        tokenOf('health', 'A1'),
        undefined,
        '000000000002',
        tokenOf('health', 'C3'),
        '000000000004',
        undefined,
        tokenOf('health', 'E5'),
      ],
    });
    expect(derived).toEqual([['health', ['A1', 'C3', 'E5']]]);
    await written();
    const ids = ['A1', 'B2', 'C3', 'D4', 'E5'];
    expect(
      await cache.getMany(
        'reversible',
        ids.map((id) => indexOf('health', id)),
      ),
    ).toEqual([
      tokenOf('health', 'A1'),
      '000000000002',
      tokenOf('health', 'C3'),
      '000000000004',
      tokenOf('health', 'E5'),
    ]);
  });

  it('a batch whose tokens Redis all holds derives nothing', async () => {
    await cache.setMany('reversible', [
      [indexOf('health', 'F6'), '000000000006'],
      [indexOf('health', 'G7'), '000000000007'],
    ]);
    const answer = await tokenizeBatchTokens(deps, backend, { sector: 'health', nationalIds: ['G7', 'F6'] });
    expect(answer.tokens).toEqual(['000000000007', '000000000006']);
    expect(derived).toEqual([['health', []]]);
  });

  it('a batch of a policy not shared neither reads nor writes Redis', async () => {
    const answer = await tokenizeBatchTokens(deps, backend, { sector: 'social', nationalIds: ['H8'] });
    expect(answer.tokens).toEqual([tokenOf('social', 'H8')]);
    await written();
    expect(await shared.client.exists(`${shared.prefix}tok:${indexOf('social', 'H8')}`)).toBe(0);
  });

  it('one token is answered from Redis, or derived and stored there', async () => {
    await cache.setMany('reversible', [[indexOf('health', 'J1'), '000000000011']]);
    expect((await tokenizeOne(deps, backend, { sector: 'health', nationalId: 'j1' })).token).toBe('000000000011');
    expect(derived).toEqual([]);
    const answer = await tokenizeOne(deps, backend, { sector: 'health', nationalId: 'K2' });
    expect(answer.token).toBe(tokenOf('health', 'K2'));
    await written();
    expect(await cache.getMany('reversible', [indexOf('health', 'K2')])).toEqual([answer.token]);
  });
});
