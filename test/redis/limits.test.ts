/**
 * Rate limits and quotas per client, sector and operation (SPEC "Bad input and abuse") on a real
 * Redis: refusals with Retry-After, one limit shared by every instance, one budget of identities
 * for single calls, batch items and upgrade items, a regulator's daily reverse cap, the in-process
 * fallback without Redis, and the metric (read as the operator).
 */
import request from 'supertest';
import type { Service } from '../../src/service.js';
import { bearer, startTestService, type TestService } from '../helpers/service.js';
import {
  act,
  configWith,
  keysUnder,
  metricValue,
  post,
  randomNationalIds,
  redisReady,
  redisSettings,
  secondInstance,
  sharedRedis,
  tokenize,
  tokenizeBatch,
  type SharedTestRedis,
} from './helpers.js';

const RATE_LIMITS = {
  defaults: {
    identities: [{ points: 3, perSeconds: 60 }],
    reverse: [{ points: 100, perSeconds: 60 }],
  },
  // This regulator may reverse twice a day per sector, far below the others.
  clients: { 'regulator-cndp': { reverse: [{ points: 2, perSeconds: 86400 }] } },
};

const limited = (service: Service, operation: string): Promise<number> =>
  metricValue(service, 'sectoken_rate_limited_total', { operation });

function expectRateLimited(res: request.Response, maxRetryAfter: number): number {
  expect(res.status).toBe(429);
  expect(res.body.error.code).toBe('rate_limited');
  const retryAfter = Number(res.headers['retry-after']);
  expect(Number.isInteger(retryAfter)).toBe(true);
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(maxRetryAfter);
  return retryAfter;
}

describe('rate limits on Redis', () => {
  let shared: SharedTestRedis;
  const services: Service[] = [];

  /** Each test has its own prefix, so its counters start at zero. */
  async function start(name: string, redis = true): Promise<TestService> {
    const service = startTestService({
      config: configWith({ rateLimits: RATE_LIMITS }),
      settings: {
        instanceId: name,
        redis: redisSettings({ url: redis ? shared.url : undefined }, `${shared.prefix}${name}:`),
      },
    });
    services.push(service);
    if (redis) await redisReady(service);
    return service;
  }

  beforeAll(async () => {
    shared = await sharedRedis();
  });
  afterAll(async () => {
    for (const service of services) await service.close();
    await shared?.cleanup();
  });

  it('when a client tokenizes a 4th time in the window, then 429 rate_limited with Retry-After, counted in Redis and in the metric; other sectors and clients are not affected', async () => {
    const service = await start('single');
    const ids = randomNationalIds(5);
    for (const id of ids.slice(0, 3)) expect((await tokenize(service, 'finance', id)).status).toBe(200);
    const refused = await tokenize(service, 'finance', ids[3]!);
    expectRateLimited(refused, 60);
    expect(JSON.stringify(refused.body)).not.toContain(ids[3]!);
    expect(await limited(service, 'identities')).toBe(1);
    expect((await tokenize(service, 'finance', ids[0]!)).status).toBe(429); // even a cached one

    // The counter is in Redis, under the prefix, keyed by client and sector.
    const key = `${service.settings.redis.prefix}rl:default:identities:3:60:bank-backend:finance`;
    expect(Number(await shared.client.get(key))).toBeGreaterThanOrEqual(4);

    expect((await tokenize(service, 'telecom', ids[4]!)).status).toBe(200); // same client, other sector
    expect((await tokenize(service, 'health', ids[4]!)).status).toBe(200); // other client
    const metrics = await request(service.app).get('/metrics').set('Authorization', bearer('operator'));
    expect(metrics.text).toMatch(/^sectoken_rate_limited_total\{operation="identities"\} 2$/m);
  });

  it('when two instances share Redis, then they share the limit: 2 on A and 2 on B, the 4th is refused', async () => {
    const a = await start('pair');
    const b = secondInstance(a);
    services.push(b);
    await redisReady(b);
    const ids = randomNationalIds(4);
    expect((await tokenize(a, 'tax', ids[0]!)).status).toBe(200);
    expect((await tokenize(a, 'tax', ids[1]!)).status).toBe(200);
    expect((await tokenize(b, 'tax', ids[2]!)).status).toBe(200);
    expectRateLimited(await tokenize(b, 'tax', ids[3]!), 60);
    expectRateLimited(await tokenize(a, 'tax', ids[3]!), 60);
    expect(await limited(a, 'identities')).toBe(1);
    expect(await limited(b, 'identities')).toBe(1);
  });

  it('when single calls, batch items and upgrade items are mixed on two instances, then they draw on one budget of identities', async () => {
    const a = await start('batch');
    const b = secondInstance(a);
    services.push(b);
    await redisReady(b);
    const ids = randomNationalIds(6);
    // More items than the window could ever hold: refused for what it is, not told to retry.
    const tooLarge = await tokenizeBatch(a, 'tax', ids.slice(0, 4));
    expect([tooLarge.status, tooLarge.body.error.code]).toEqual([422, 'batch_too_large']);
    expect(await limited(a, 'identities')).toBe(0);

    const two = await tokenizeBatch(a, 'health', ids.slice(0, 2));
    expect(two.status).toBe(200);
    expect(two.body.results).toHaveLength(2);
    expect((await tokenize(b, 'health', ids[2]!)).status).toBe(200); // the 3rd identity, on B
    // The budget is used up, whichever way the next identity comes and on whichever instance.
    expectRateLimited(await tokenize(a, 'health', ids[3]!), 60);
    expectRateLimited(await tokenizeBatch(b, 'health', ids.slice(4, 5)), 60);
    const token = two.body.results[0].token as string;
    expectRateLimited(
      await post(b, '/v1/tokens/upgrade', 'hospital-backend', { sector: 'health', tokens: [token] }),
      60,
    );
    expect(await limited(a, 'identities')).toBe(1);
    expect(await limited(b, 'identities')).toBe(2);
    // One counter per client and sector in Redis, not one per kind of call.
    const keys = (await keysUnder(shared.client, a.settings.redis.prefix)).filter((k) =>
      k.includes(':hospital-backend:health'),
    );
    expect(keys.map((k) => k.slice(a.settings.redis.prefix.length))).toEqual([
      'rl:default:identities:3:60:hospital-backend:health',
    ]);
  });

  it("when a regulator reaches its daily reverse cap, then it is refused until tomorrow, while another regulator's defaults still allow", async () => {
    const service = await start('reverse');
    const ids = randomNationalIds(3);
    const reverseTax = (id: string) =>
      post(service, '/v1/reverse', 'regulator-cndp', {
        sector: 'tax',
        token: service.tokenizer().tokenize('tax', id).token,
        legalBasis: 'LOI-09-08-ART-4',
        ...act,
      });
    for (const id of ids.slice(0, 2)) {
      const res = await reverseTax(id);
      expect([res.status, res.body.nationalId]).toEqual([200, id]);
    }
    const refused = await reverseTax(ids[2]!);
    const retryAfter = expectRateLimited(refused, 86400);
    expect(retryAfter).toBeGreaterThan(86000); // a daily window, not a per-minute one
    expect(refused.body.nationalId).toBeUndefined();
    expect(await limited(service, 'reverse')).toBe(1);

    // regulator-health is under the defaults (100 a minute): three dual-control requests pass.
    for (const id of ids) {
      const res = await post(service, '/v1/reverse', 'regulator-health', {
        sector: 'health',
        token: service.tokenizer().tokenize('health', id).token,
        legalBasis: 'CNDP-D-97-2020',
        ...act,
      });
      expect(res.status).toBe(202);
    }
    expect(await limited(service, 'reverse')).toBe(1);
  });

  it('when Redis is not configured, then the limits still apply, in process', async () => {
    const service = await start('memory', false);
    expect(service.redis).toBeUndefined();
    const ready = await request(service.app).get('/readyz');
    expect(ready.body.checks.redis).toBe('disabled');
    const ids = randomNationalIds(6);
    for (const id of ids.slice(0, 3)) expect((await tokenize(service, 'social', id)).status).toBe(200);
    expectRateLimited(await tokenize(service, 'social', ids[3]!), 60);
    expectRateLimited(await tokenizeBatch(service, 'social', ids.slice(4, 5)), 60);
    expect(await limited(service, 'identities')).toBe(2);
    expect((await tokenizeBatch(service, 'social', ids)).body.error.code).toBe('batch_too_large');
    expect(await keysUnder(shared.client, service.settings.redis.prefix)).toEqual([]);
  });
});

describe('metrics without Redis', () => {
  it('when Redis is not configured, then sectoken_redis_up is absent rather than 0', async () => {
    const { startTestService } = await import('../helpers/service.js');
    const service = startTestService();
    const text = await service.metrics.registry.metrics();
    expect(text).toContain('sectoken_redis_errors_total');
    expect(text).not.toContain('sectoken_redis_up');
    await service.close();
  });
});
