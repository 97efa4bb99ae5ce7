/**
 * A service client's token acts in process (src/acts/tokens/tokenize.ts, upgrade.ts), with the
 * service's own parts: a tokenizer of a fresh keyring, the token cache (an in-process LRU or none),
 * the rate limits in memory, the derivation queue and the metrics. The same acts through HTTP and
 * Redis are tested in test/http/ and test/redis/.
 */
import type { Principal } from '../../src/access/apiKeys.js';
import { createDerivationQueue, type DerivationQueue } from '../../src/acts/tokens/derivationQueue.js';
import { tokenizeBatchTokens, tokenizeOne, type TokenDeps } from '../../src/acts/tokens/tokenize.js';
import { upgradeTokens } from '../../src/acts/tokens/upgrade.js';
import { parseConfig } from '../../src/config/schema.js';
import { SectokenError } from '../../src/errors.js';
import { createTokenizer, SCHEME_VERSION, type Tokenizer } from '../../src/derivation/tokenizer.js';
import { generateKeyring, rotateSector, type Keyring } from '../../src/keys/keyring.js';
import type { Window } from '../../src/limits/rateLimits.js';
import { createRateLimits } from '../../src/limits/rateLimits.js';
import { createMetrics, type Metrics } from '../../src/metrics.js';
import { createTokenCache, type TokenCache } from '../../src/store/tokenCache.js';
import { devConfig } from '../helpers/service.js';

/** The error code an act rejects with, or undefined when it answers. */
const codeOf = (act: Promise<unknown>): Promise<string | undefined> =>
  act.then(
    () => undefined,
    (err: unknown) => (err as { code?: string }).code,
  );

/** A backend of the health, tax, social and civil sectors (civil is blind). */
const backend: Principal = {
  id: 'hospital-backend',
  role: 'service',
  sectors: new Set(['health', 'tax', 'social', 'civil']),
  person: null,
  organisation: null,
};

const configOf = (options: { lruEntries?: number; identities?: Window[] }) =>
  parseConfig(
    {
      ...devConfig(),
      rateLimits: { defaults: options.identities ? { identities: options.identities } : {}, clients: {} },
      cache: { lruEntries: options.lruEntries ?? 0, redis: { reversible: false, 'one-way': false }, ttlSeconds: 3600 },
    },
    'sample',
  );

interface Setup {
  deps: TokenDeps;
  tokenizer: Tokenizer;
  keyring: Keyring;
  cache: TokenCache;
  metrics: Metrics;
  /** Sectors and IDs of the derivation queue's requests. */
  queued: [string, string][];
  /** Operations refused by the rate limits. */
  limited: string[];
}

/** The deps of the token acts: `lruEntries` (default 0: no cache) and the identities windows (default none). */
function setup(options: { lruEntries?: number; identities?: Window[] } = {}): Setup {
  const config = configOf(options);
  const keyring = generateKeyring(Object.keys(config.sectors), false);
  const tokenizer = createTokenizer(config, keyring);
  const metrics = createMetrics(false);
  const cache = createTokenCache(config, keyring.cacheIndex, undefined, metrics);
  const queue = createDerivationQueue();
  const queued: [string, string][] = [];
  const limited: string[] = [];
  const watchedQueue: DerivationQueue = {
    token: (t, sector, id) => {
      queued.push([sector, id]);
      return queue.token(t, sector, id);
    },
  };
  const deps: TokenDeps = {
    tokenizer: () => tokenizer,
    cache,
    metrics,
    limits: createRateLimits(config, undefined, (op) => limited.push(op)),
    queue: watchedQueue,
  };
  return { deps, tokenizer, keyring, cache, metrics, queued, limited };
}

/** tokensIssued's counts by `sector/policy`. */
async function issued(metrics: Metrics): Promise<Record<string, number>> {
  const { values } = await metrics.tokensIssued.get();
  return Object.fromEntries(values.map((v) => [`${v.labels.sector}/${v.labels.policy}`, v.value]));
}

describe('tokenizeOne', () => {
  it('without a cache, derives through the derivation queue: the canonical ID, the current key version and the scheme', async () => {
    const { deps, tokenizer, keyring, queued, metrics } = setup();
    const v1 = tokenizer.tokenize('tax', 'AB123456').token;
    rotateSector(keyring, 'tax');
    const rotated = createTokenizer(configOf({}), keyring);
    deps.tokenizer = () => rotated;
    const answer = await tokenizeOne(deps, backend, { sector: 'tax', nationalId: ' ab123456\t' });
    expect(answer).toEqual({
      sector: 'tax',
      token: rotated.tokenize('tax', 'AB123456').token,
      keyVersion: 2,
      schemeVersion: SCHEME_VERSION,
    });
    expect(answer.token).not.toBe(v1);
    expect(queued).toEqual([['tax', 'AB123456']]);
    expect(await issued(metrics)).toEqual({ 'tax/reversible': 1 });
  });

  it('counts each token issued by sector and policy', async () => {
    const { deps, metrics } = setup();
    await tokenizeOne(deps, backend, { sector: 'social', nationalId: 'CD000001' });
    await tokenizeOne(deps, backend, { sector: 'social', nationalId: 'CD000002' });
    await tokenizeOne(deps, backend, { sector: 'health', nationalId: 'CD000001' });
    expect(await issued(metrics)).toEqual({ 'social/one-way': 2, 'health/reversible': 1 });
  });

  it('with an in-process cache, answers what the cache holds under the blind index of sector, key version and canonical ID', async () => {
    const { deps, cache, queued } = setup({ lruEntries: 10 });
    const index = cache.indexOf('health', 1, 'AB123456');
    await cache.setMany('reversible', [[index, '123456789012']]);
    const answer = await tokenizeOne(deps, backend, { sector: 'health', nationalId: 'ab123456' });
    expect(answer).toEqual({ sector: 'health', token: '123456789012', keyVersion: 1, schemeVersion: SCHEME_VERSION });
    expect(queued).toEqual([]);
  });

  it('with an in-process cache, derives a miss itself (not through the queue) and remembers it under its blind index', async () => {
    const { deps, cache, tokenizer, queued, metrics } = setup({ lruEntries: 10 });
    const index = cache.indexOf('social', 1, 'EF654321');
    expect(await cache.getMany('one-way', [index])).toEqual([undefined]);
    const answer = await tokenizeOne(deps, backend, { sector: 'social', nationalId: 'EF654321' });
    const token = tokenizer.tokenize('social', 'EF654321').token;
    expect(answer.token).toBe(token);
    expect(queued).toEqual([]);
    expect(await cache.getMany('one-way', [index])).toEqual([token]);
    expect(await issued(metrics)).toEqual({ 'social/one-way': 1 });
  });

  it('refuses a sector that does not exist, a sector outside the client, and a blind sector, before counting the ID', async () => {
    const { deps, limited } = setup({ identities: [{ points: 1, perSeconds: 3600 }] });
    await expect(tokenizeOne(deps, backend, { sector: 'nowhere', nationalId: 'AB123456' })).rejects.toMatchObject({
      code: 'unknown_sector',
    });
    await expect(tokenizeOne(deps, backend, { sector: 'finance', nationalId: 'AB123456' })).rejects.toMatchObject({
      code: 'forbidden',
    });
    await expect(tokenizeOne(deps, backend, { sector: 'civil', nationalId: 'AB123456' })).rejects.toMatchObject({
      code: 'policy_mismatch',
      message: "this sector's tokens are blind: the backend blinds the national ID and calls POST /v1/blind/evaluate",
    });
    // The one point of the window is still there, in the civil sector too.
    await tokenizeOne(deps, backend, { sector: 'tax', nationalId: 'AB123456' });
    expect(limited).toEqual([]);
  });

  it('refuses a malformed national ID after counting it', async () => {
    const { deps, limited } = setup({ identities: [{ points: 1, perSeconds: 3600 }] });
    await expect(tokenizeOne(deps, backend, { sector: 'tax', nationalId: 'A-1' })).rejects.toMatchObject({
      code: 'invalid_national_id',
    });
    expect(await codeOf(tokenizeOne(deps, backend, { sector: 'tax', nationalId: 'AB123456' }))).toBe('rate_limited');
    expect(limited).toEqual(['identities']);
  });

  it("draws one identity per call on the client's window of that sector", async () => {
    const { deps, limited } = setup({ identities: [{ points: 2, perSeconds: 3600 }] });
    await tokenizeOne(deps, backend, { sector: 'tax', nationalId: 'AB123456' });
    await tokenizeOne(deps, backend, { sector: 'tax', nationalId: 'AB123457' });
    await expect(tokenizeOne(deps, backend, { sector: 'tax', nationalId: 'AB123458' })).rejects.toMatchObject({
      code: 'rate_limited',
    });
    // Another sector has a window of its own.
    await tokenizeOne(deps, backend, { sector: 'health', nationalId: 'AB123458' });
    expect(limited).toEqual(['identities']);
  });
});

describe('tokenizeBatchTokens', () => {
  it('answers in input order, undefined for an invalid ID, each token the one derived alone, under the current key version', async () => {
    const { deps, tokenizer, metrics, queued } = setup();
    const ids = ['AB123456', 'not an id', ' cd000001 ', 'AB123456', '', 'Z9'];
    const answer = await tokenizeBatchTokens(deps, backend, { sector: 'health', nationalIds: ids });
    const t = (id: string) => tokenizer.tokenize('health', id).token;
    expect(answer).toEqual({
      sector: 'health',
      keyVersion: 1,
      schemeVersion: SCHEME_VERSION,
      tokens: [t('AB123456'), undefined, t('CD000001'), t('AB123456'), undefined, t('Z9')],
    });
    expect(queued).toEqual([]);
    // Only the valid ones are issued.
    expect(await issued(metrics)).toEqual({ 'health/reversible': 4 });
  });

  it('answers an empty batch, and a batch of invalid IDs only, without deriving', async () => {
    const { deps, metrics } = setup();
    expect((await tokenizeBatchTokens(deps, backend, { sector: 'tax', nationalIds: [] })).tokens).toEqual([]);
    // One answer per ID, an invalid last one too (toStrictEqual: an array cut short is not [undefined, undefined]).
    expect((await tokenizeBatchTokens(deps, backend, { sector: 'tax', nationalIds: ['?', '!'] })).tokens).toStrictEqual(
      [undefined, undefined],
    );
    expect(await issued(metrics)).toEqual({ 'tax/reversible': 0 });
  });

  it('under the sector current key version', async () => {
    const { deps, keyring } = setup();
    rotateSector(keyring, 'social');
    const rotated = createTokenizer(configOf({}), keyring);
    deps.tokenizer = () => rotated;
    const answer = await tokenizeBatchTokens(deps, backend, { sector: 'social', nationalIds: ['AB123456'] });
    expect(answer).toEqual({
      sector: 'social',
      keyVersion: 2,
      schemeVersion: SCHEME_VERSION,
      tokens: [rotated.tokenize('social', 'AB123456').token],
    });
  });

  it('neither reads nor fills an in-process cache that is not shared: a batch derives everything', async () => {
    const { deps, cache, tokenizer } = setup({ lruEntries: 10 });
    const seeded = cache.indexOf('tax', 1, 'AB123456');
    await cache.setMany('reversible', [[seeded, 'SEEDED']]);
    const answer = await tokenizeBatchTokens(deps, backend, { sector: 'tax', nationalIds: ['AB123456', 'CD1'] });
    expect(answer.tokens).toEqual([
      tokenizer.tokenize('tax', 'AB123456').token,
      tokenizer.tokenize('tax', 'CD1').token,
    ]);
    expect(await cache.getMany('reversible', [cache.indexOf('tax', 1, 'CD1')])).toEqual([undefined]);
  });

  it("writes nothing into an in-process cache that is not shared, so a batch evicts no single request's token", async () => {
    const { deps, metrics } = setup({ lruEntries: 1 });
    const lruHits = async () => (await metrics.cacheHits.get()).values.find((v) => v.labels.tier === 'lru')?.value ?? 0;
    await tokenizeOne(deps, backend, { sector: 'tax', nationalId: 'AB123456' });
    await tokenizeBatchTokens(deps, backend, { sector: 'tax', nationalIds: ['CD1', 'EF2'] });
    expect(await lruHits()).toBe(0);
    await tokenizeOne(deps, backend, { sector: 'tax', nationalId: 'AB123456' });
    expect(await lruHits()).toBe(1);
  });

  it('counts every national ID of the batch, the invalid ones too, on the sector window, and refuses a batch larger than the window', async () => {
    const { deps, limited } = setup({ identities: [{ points: 4, perSeconds: 3600 }] });
    expect(
      await codeOf(tokenizeBatchTokens(deps, backend, { sector: 'tax', nationalIds: ['A1', 'A2', 'A3', 'A4', 'A5'] })),
    ).toBe('batch_too_large');
    await tokenizeBatchTokens(deps, backend, { sector: 'tax', nationalIds: ['A1', '?', 'A3'] });
    await tokenizeBatchTokens(deps, backend, { sector: 'tax', nationalIds: ['A4'] });
    expect(await codeOf(tokenizeBatchTokens(deps, backend, { sector: 'tax', nationalIds: ['A5'] }))).toBe(
      'rate_limited',
    );
    await tokenizeBatchTokens(deps, backend, { sector: 'social', nationalIds: ['A1', 'A2', 'A3', 'A4'] });
    expect(limited).toEqual(['identities']);
  });

  it('refuses a sector that does not exist, a sector outside the client and a blind sector, before counting', async () => {
    const { deps } = setup({ identities: [{ points: 1, perSeconds: 3600 }] });
    const batch = (sector: string) => tokenizeBatchTokens(deps, backend, { sector, nationalIds: ['AB123456'] });
    expect(await codeOf(batch('nowhere'))).toBe('unknown_sector');
    expect(await codeOf(batch('finance'))).toBe('forbidden');
    await expect(batch('civil')).rejects.toMatchObject({
      code: 'policy_mismatch',
      message: "this sector's tokens are blind: the backend blinds the national ID and calls POST /v1/blind/evaluate",
    });
    expect((await batch('tax')).tokens).toHaveLength(1);
  });
});

describe('upgradeTokens', () => {
  /** Tokens of AB123456, CD000001 under version 1, then the health key rotated twice, version 1 retired. */
  function rotated() {
    const s = setup();
    const v1 = ['AB123456', 'CD000001'].map((id) => s.tokenizer.tokenize('health', id).token);
    rotateSector(s.keyring, 'health');
    const v2Tokenizer = createTokenizer(configOf({}), s.keyring);
    const v2 = ['AB123456', 'EF654321'].map((id) => v2Tokenizer.tokenize('health', id).token);
    rotateSector(s.keyring, 'health');
    s.keyring.sectors.get('health')!.minVersion = 2;
    const v3Tokenizer = createTokenizer(configOf({}), s.keyring);
    s.deps.tokenizer = () => v3Tokenizer;
    return { ...s, v1, v2, v3Tokenizer };
  }

  it('re-issues each token under the current key version, in input order, a malformed or retired one answered with its error', async () => {
    const { deps, v1, v2, v3Tokenizer } = rotated();
    const current = (id: string) => v3Tokenizer.tokenize('health', id).token;
    const malformed = '000000000000';
    const answer = await upgradeTokens(deps, backend, {
      sector: 'health',
      tokens: [v2[1]!, v1[0]!, malformed, v2[0]!, current('Z9')],
    });
    expect(answer).toEqual({
      sector: 'health',
      keyVersion: 3,
      schemeVersion: SCHEME_VERSION,
      results: [
        { token: current('EF654321'), keyVersion: 3 },
        { error: 'token_retired' },
        { error: 'invalid_token' },
        { token: current('AB123456'), keyVersion: 3 },
        { token: current('Z9'), keyVersion: 3 },
      ],
    });
  });

  it('answers errors only when no token can be re-issued, and nothing for no token', async () => {
    const { deps, v1 } = rotated();
    expect((await upgradeTokens(deps, backend, { sector: 'health', tokens: [v1[1]!, 'x'] })).results).toEqual([
      { error: 'token_retired' },
      { error: 'invalid_token' },
    ]);
    expect((await upgradeTokens(deps, backend, { sector: 'health', tokens: [] })).results).toEqual([]);
  });

  it('refuses a one-way sector, a sector outside the client and an unknown sector', async () => {
    const { deps, tokenizer } = setup();
    const social = tokenizer.tokenize('social', 'AB123456').token;
    await expect(upgradeTokens(deps, backend, { sector: 'social', tokens: [social] })).rejects.toMatchObject({
      code: 'not_reversible',
      message: 'one-way tokens cannot be re-issued: tokenize the national IDs again',
    });
    const finance = tokenizer.tokenize('finance', 'AB123456').token;
    expect(await codeOf(upgradeTokens(deps, backend, { sector: 'finance', tokens: [finance] }))).toBe('forbidden');
    expect(await codeOf(upgradeTokens(deps, backend, { sector: 'nowhere', tokens: [finance] }))).toBe('unknown_sector');
  });

  it('answers only a malformed or retired token as an item error: any other failure of opening one fails the upgrade', async () => {
    const { deps, tokenizer } = setup();
    const token = tokenizer.tokenize('health', 'AB123456').token;
    for (const failure of [new Error('the key store went away'), new SectokenError('internal', 'a fault')]) {
      deps.tokenizer = () => ({
        ...tokenizer,
        tniOfToken: () => {
          throw failure;
        },
      });
      await expect(upgradeTokens(deps, backend, { sector: 'health', tokens: [token] })).rejects.toBe(failure);
    }
  });

  it('draws one identity per token on the sector window, and refuses more tokens than the window holds', async () => {
    const { deps, tokenizer, limited } = setup({ identities: [{ points: 3, perSeconds: 3600 }] });
    const tokens = ['A1', 'A2', 'A3', 'A4'].map((id) => tokenizer.tokenize('health', id).token);
    expect(await codeOf(upgradeTokens(deps, backend, { sector: 'health', tokens }))).toBe('batch_too_large');
    await upgradeTokens(deps, backend, { sector: 'health', tokens: tokens.slice(0, 2) });
    await upgradeTokens(deps, backend, { sector: 'health', tokens: tokens.slice(2, 3) });
    expect(await codeOf(upgradeTokens(deps, backend, { sector: 'health', tokens: tokens.slice(3) }))).toBe(
      'rate_limited',
    );
    const tax = tokenizer.tokenize('tax', 'A1').token;
    expect((await upgradeTokens(deps, backend, { sector: 'tax', tokens: [tax, tax, tax] })).results).toHaveLength(3);
    expect(limited).toEqual(['identities']);
  });
});
