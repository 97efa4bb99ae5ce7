/**
 * The two-tier token cache against a real Redis (SPEC "Redis"): misses then hits per tier, Redis
 * shared by instances of one keyring, the per-policy switch, and nothing in Redis that names a
 * person: no national ID, no TNI, no token in a key, no readable dual-control request.
 */
import type { Service } from '../../src/service.js';
import { startTestService, type TestService } from '../helpers/service.js';
import {
  act,
  approve,
  askReverse,
  cacheCounts,
  cacheWritten,
  configWith,
  deny,
  dumpKeys,
  fetchResult,
  get,
  keysUnder,
  post,
  randomNationalIds,
  redisReady,
  redisSettings,
  secondInstance,
  sharedRedis,
  tokenize,
  tokenizeBatch,
  tokenOfValue,
  type SharedTestRedis,
} from './helpers.js';

describe('token cache in Redis', () => {
  let shared: SharedTestRedis;
  const services: Service[] = [];

  async function start(config: Record<string, unknown>, name: string): Promise<TestService> {
    const service = startTestService({
      config,
      settings: { instanceId: name, redis: redisSettings({ url: shared.url }, `${shared.prefix}${name}:`) },
    });
    services.push(service);
    await redisReady(service);
    return service;
  }
  const indexKey = (service: TestService, sector: string, nationalId: string): string =>
    `${service.settings.redis.prefix}tok:${service.tokens.cache.indexOf(sector, 1, nationalId)}`;

  beforeAll(async () => {
    shared = await sharedRedis();
  });
  afterAll(async () => {
    for (const service of services) await service.close();
    await shared?.cleanup();
  });

  it('when a person is tokenized the first time, then both tiers miss; later, the LRU hits; the token is the computed one, in Redis under its blind index', async () => {
    const service = await start(configWith(), 'lru');
    const [id] = randomNationalIds(1) as [string];
    const computed = service.tokenizer().tokenize('health', id).token;
    const before = await cacheCounts(service);

    const first = await tokenize(service, 'health', id.toLowerCase());
    expect(first.status).toBe(200);
    expect(first.body.token).toBe(computed);
    expect(await cacheCounts(service)).toEqual({
      ...before,
      lruMisses: before.lruMisses + 1,
      redisMisses: before.redisMisses + 1,
    });

    for (const variant of [id, `  ${id} `]) {
      const again = await tokenize(service, 'health', variant);
      expect([again.status, again.body.token]).toEqual([200, computed]);
    }
    expect(await cacheCounts(service)).toEqual({
      ...before,
      lruHits: before.lruHits + 2,
      lruMisses: before.lruMisses + 1,
      redisMisses: before.redisMisses + 1,
    });

    // The entry: key = prefix + blind index, value = the token and its MAC tag, with the configured TTL.
    const key = indexKey(service, 'health', id);
    await cacheWritten(service);
    expect(tokenOfValue(await shared.client.get(key))).toBe(computed);
    const ttl = await shared.client.ttl(key);
    expect(ttl).toBeGreaterThan(3500);
    expect(ttl).toBeLessThanOrEqual(3600);

    // The hit and miss counters are kept in process, never served: GET /metrics (operator) lacks them.
    const metrics = await get(service, '/metrics', 'operator');
    expect(metrics.status).toBe(200);
    expect(metrics.text).toContain('sectoken_tokens_issued_total');
    expect(metrics.text).not.toMatch(/sectoken_cache_(hits|misses)_total/);
    expect(metrics.text).not.toContain(id);
    expect(metrics.text).not.toContain(computed);
  });

  it('when the LRU is off, then the second request is a Redis hit, in reversible and one-way sectors and item by item in a batch', async () => {
    const service = await start(configWith({ cache: { lruEntries: 0 } }), 'nolru');
    const ids = randomNationalIds(6);
    for (const [k, sector] of ['health', 'social', 'telecom'].entries()) {
      const id = ids[k]!;
      const computed = service.tokenizer().tokenize(sector, id).token;
      const before = await cacheCounts(service);
      expect((await tokenize(service, sector, id)).body.token).toBe(computed);
      expect(await cacheCounts(service)).toEqual({ ...before, redisMisses: before.redisMisses + 1 });
      expect((await tokenize(service, sector, id)).body.token).toBe(computed);
      expect(await cacheCounts(service)).toEqual({
        ...before,
        redisHits: before.redisHits + 1,
        redisMisses: before.redisMisses + 1,
      });
      expect(tokenOfValue(await shared.client.get(indexKey(service, sector, id)))).toBe(computed);
    }
    const counts = await cacheCounts(service);
    expect([counts.lruHits, counts.lruMisses]).toEqual([0, 0]);

    // ids[2] is cached in telecom already; ids[3], ids[4] are not; an invalid item is not looked up.
    const batch = [ids[2]!, ids[3]!, 'not-an-id', ids[4]!.toLowerCase()];
    const expected = [
      { token: service.tokenizer().tokenize('telecom', ids[2]!).token },
      { token: service.tokenizer().tokenize('telecom', ids[3]!).token },
      { error: 'invalid_national_id' },
      { token: service.tokenizer().tokenize('telecom', ids[4]!).token },
    ];
    const before = await cacheCounts(service);
    const first = await tokenizeBatch(service, 'telecom', batch);
    expect(first.status).toBe(200);
    expect(first.body.results).toEqual(expected);
    expect(await cacheCounts(service)).toEqual({
      ...before,
      redisHits: before.redisHits + 1,
      redisMisses: before.redisMisses + 2,
    });
    const second = await tokenizeBatch(service, 'telecom', batch);
    expect(second.body.results).toEqual(expected);
    expect(await cacheCounts(service)).toEqual({
      ...before,
      redisHits: before.redisHits + 4,
      redisMisses: before.redisMisses + 2,
    });
  });

  it('when a second instance shares the keyring, then it finds in Redis the tokens the first made; an instance of another keyring does not', async () => {
    const a = await start(configWith(), 'pair');
    const b = secondInstance(a);
    services.push(b);
    await redisReady(b);
    const ids = randomNationalIds(5);
    const made = await tokenizeBatch(a, 'finance', ids);
    expect(made.status).toBe(200);
    const tokens = (made.body.results as { token: string }[]).map((r) => r.token);
    expect(tokens).toEqual(ids.map((id) => a.tokenizer().tokenize('finance', id).token));
    await cacheWritten(a);

    const before = await cacheCounts(b);
    for (const [k, id] of ids.entries()) {
      const res = await tokenize(b, 'finance', id);
      expect([res.status, res.body.token]).toEqual([200, tokens[k]]);
    }
    expect(await cacheCounts(b)).toEqual({
      ...before,
      lruMisses: before.lruMisses + 5,
      redisHits: before.redisHits + 5,
    });

    // Same Redis, same prefix, another keyring: another blind index, so its own tokens, never a's.
    const stranger = await start(configWith(), 'pair');
    const res = await tokenize(stranger, 'finance', ids[0]!);
    expect(res.body.token).toBe(stranger.tokenizer().tokenize('finance', ids[0]!).token);
    expect(res.body.token).not.toBe(tokens[0]);
    expect((await cacheCounts(stranger)).redisHits).toBe(0);
  });

  it('when cache.redis.reversible is false, then reversible tokens stay out of Redis while one-way tokens go in', async () => {
    const service = await start(
      configWith({ cache: { lruEntries: 0, redis: { reversible: false, 'one-way': true } } }),
      'policy',
    );
    const [health, social] = randomNationalIds(2) as [string, string];
    for (let i = 0; i < 2; i++) {
      expect((await tokenize(service, 'health', health)).body.token).toBe(
        service.tokenizer().tokenize('health', health).token,
      );
    }
    expect(await cacheCounts(service)).toEqual({ lruHits: 0, lruMisses: 0, redisHits: 0, redisMisses: 0 });
    expect(await shared.client.exists(indexKey(service, 'health', health))).toBe(0);

    for (let i = 0; i < 2; i++) {
      expect((await tokenize(service, 'social', social)).body.token).toBe(
        service.tokenizer().tokenize('social', social).token,
      );
    }
    expect(await cacheCounts(service)).toEqual({ lruHits: 0, lruMisses: 0, redisHits: 1, redisMisses: 1 });
    expect(await keysUnder(shared.client, service.settings.redis.prefix)).toEqual([
      indexKey(service, 'social', social),
    ]);
  });

  it('after many tokenize, batch, reverse, translate, upgrade and dual-control acts, then Redis holds no national ID, no TNI, no token in a key, and no readable request', async () => {
    const limits = Object.fromEntries(
      ['identities', 'reverse', 'translate', 'refusal'].map((op) => [op, [{ points: 100_000, perSeconds: 60 }]]),
    );
    const service = await start(
      configWith({
        rateLimits: {
          defaults: limits,
          clients: { 'regulator-health': { reverse: [{ points: 1000, perSeconds: 86400 }] } },
        },
      }),
      'leak',
    );
    const prefix = service.settings.redis.prefix;
    const ids = randomNationalIds(24);
    const submitted = (id: string, k: number): string =>
      [id, id.toLowerCase(), ` ${id.slice(0, 1).toLowerCase()}${id.slice(1)}\t`][k % 3]!;
    const tokens = new Set<string>();
    const keep = (token: unknown): void => {
      expect(typeof token).toBe('string');
      tokens.add(token as string);
    };

    for (const [k, id] of ids.entries()) {
      for (const sector of ['health', 'tax', 'finance', 'social', 'telecom']) {
        const res = await tokenize(service, sector, submitted(id, k));
        expect(res.status).toBe(200);
        keep(res.body.token);
      }
    }
    for (const sector of ['finance', 'telecom', 'social']) {
      const res = await tokenizeBatch(
        service,
        sector,
        ids.map((id, k) => submitted(id, k + 1)),
      );
      expect(res.status).toBe(200);
      for (const r of res.body.results) keep(r.token);
    }
    const tax = (id: string): string => service.tokenizer().tokenize('tax', id).token;
    const health = (id: string): string => service.tokenizer().tokenize('health', id).token;

    for (const id of ids.slice(0, 4)) {
      const res = await post(service, '/v1/reverse', 'regulator-cndp', {
        sector: 'tax',
        token: tax(id),
        legalBasis: 'LOI-09-08-ART-4',
        ...act,
      });
      expect([res.status, res.body.nationalId]).toEqual([200, id]);
    }
    for (const [id, toSector, legalBasis] of [
      [ids[4]!, 'social', 'CSS-FRAUD-2026'],
      [ids[5]!, 'social', 'CSS-FRAUD-2026'],
      [ids[6]!, 'social', 'CSS-FRAUD-2026'],
    ] as const) {
      const res = await post(service, '/v1/translate', 'regulator-cndp', {
        fromSector: 'tax',
        token: tax(id),
        toSector,
        legalBasis,
        ...act,
      });
      expect([res.status, res.body.token]).toEqual([200, service.tokenizer().tokenize(toSector, id).token]);
      keep(res.body.token);
    }
    const upgraded = await post(service, '/v1/tokens/upgrade', 'tax-backend', {
      sector: 'tax',
      tokens: ids.slice(7, 10).map(tax),
    });
    expect(upgraded.status).toBe(200);

    const released = await askReverse(service, health(ids[10]!));
    expect((await approve(service, released)).status).toBe(200);
    const result = await fetchResult(service, released);
    expect([result.status, result.body.nationalId]).toEqual([200, ids[10]]);
    const denied = await askReverse(service, health(ids[11]!));
    expect((await deny(service, denied)).status).toBe(200);
    const approved = await askReverse(service, health(ids[12]!));
    expect((await approve(service, approved)).status).toBe(200);
    const pending = await askReverse(service, health(ids[13]!));
    for (const id of [ids[10]!, ids[11]!, ids[12]!, ids[13]!]) tokens.add(health(id));

    const dump = await dumpKeys(shared.client, prefix);
    const text = JSON.stringify(dump).toLowerCase();
    expect(text.length).toBeGreaterThan(1000);
    const tokenizer = service.tokenizer();
    for (const id of ids) {
      expect(text).not.toContain(id.toLowerCase());
      const tni = String(tokenizer.tniOf(id)).padStart(9, '0');
      expect(tni).toMatch(/^\d{9}$/);
      expect(text).not.toContain(tni);
    }
    for (const { key } of dump) {
      for (const token of tokens) expect(key.includes(token)).toBe(false);
    }

    // Every key is one of three kinds, and what each holds is known.
    const tokenKeys = dump.filter((d) => d.key.startsWith(`${prefix}tok:`));
    const limitKeys = dump.filter((d) => d.key.startsWith(`${prefix}rl:`));
    const requestKeys = dump.filter((d) => d.key.startsWith(`${prefix}{req}:`));
    expect(tokenKeys.length + limitKeys.length + requestKeys.length).toBe(dump.length);
    expect(tokenKeys.length).toBe(ids.length * 5);
    for (const d of tokenKeys) {
      expect(d.key).toMatch(/:tok:[A-Za-z0-9_-]{22}$/);
      expect(d.type).toBe('string');
      expect(d.values[0]).toMatch(/^[0-9A-Z]+\.[A-Za-z0-9_-]{22}$/);
      expect(tokens.has(tokenOfValue(d.values[0]!)!)).toBe(true); // a token of its sector and its tag, nothing else
    }
    expect(limitKeys.length).toBeGreaterThanOrEqual(5);
    for (const d of limitKeys) {
      expect(d.key.slice(prefix.length)).toMatch(
        /^rl:(default|c-[a-z-]+):(identities|reverse|translate|refusal):\d+:\d+:[a-z-]+:([a-z]+|\*)$/,
      );
      expect(d.values[0]).toMatch(/^\d+$/);
    }

    // Each request is one sealed value under its id (its state included), and one index of live ids.
    const sealed = requestKeys.filter((d) => d.type === 'string');
    expect(sealed.map((d) => d.key.slice(`${prefix}{req}:`.length)).sort()).toEqual(
      [released, denied, approved, pending].sort(),
    );
    const readable = [
      act.caseId,
      act.purpose,
      'regulator-cndp',
      'regulator-health',
      'CNDP-D-97-2020',
      ...[10, 11, 12, 13].map((k) => health(ids[k]!)),
    ];
    for (const d of sealed) {
      const value = d.values[0]!;
      expect(value).toMatch(/^[A-Za-z0-9_-]{200,}$/);
      const raw = Buffer.from(value, 'base64url').toString('latin1');
      for (const word of ['health', '"sector"', 'pending', 'approved', 'released', 'denied', ...readable]) {
        expect(value).not.toContain(word);
        expect(raw).not.toContain(word);
      }
    }
    const index = requestKeys.filter((d) => d.type === 'zset');
    expect(index.map((d) => d.key)).toEqual([`${prefix}{req}:live`]);
    expect(index[0]!.values.filter((_v, i) => i % 2 === 0).sort()).toEqual(
      [released, denied, approved, pending].sort(),
    );
  });
});
