/**
 * createRateLimits (src/limits/rateLimits.ts) in process, without a service: each window of an
 * operation counts (the second too), a client's own windows replace the defaults rather than add to
 * them, and do not leak into other clients' limiters, sectors and operations are counted apart,
 * exhausted() tells without consuming, and a refusal says which budget, when to retry, and is
 * reported once. With Redis configured but degraded, the in-process limiter answers and Redis is
 * not asked. The same over a real Redis: test/redis/limits.test.ts.
 */
import type { Config, Operation } from '../../src/config/schema.js';
import { createRateLimits, REFUSAL_SECTOR } from '../../src/limits/rateLimits.js';
import type { SharedRedis } from '../../src/store/redis.js';

type Limits = Config['rateLimits'];
const w = (points: number, perSeconds: number) => ({ points, perSeconds });

function setup(rateLimits: Limits, redis?: SharedRedis) {
  const limited: Operation[] = [];
  const limits = createRateLimits({ rateLimits }, redis, (op) => limited.push(op));
  const attempt = async (client: string, sector: string, op: Operation, points = 1): Promise<string | number> => {
    try {
      await limits.consume(client, sector, op, points);
      return 'ok';
    } catch (err) {
      expect(err).toMatchObject({ code: 'rate_limited' });
      return (err as { retryAfter: number }).retryAfter;
    }
  };
  return { limits, limited, attempt };
}

describe('rate limits in process', () => {
  it('refuses by the first window that runs out, the second one too, with its own retry time', async () => {
    const { attempt } = setup({ defaults: { identities: [w(5, 60), w(2, 3600)] }, clients: {} });
    expect([await attempt('c', 'tax', 'identities'), await attempt('c', 'tax', 'identities')]).toEqual(['ok', 'ok']);
    const retry = await attempt('c', 'tax', 'identities');
    expect(retry).toBeGreaterThan(3500);
    expect(retry).toBeLessThanOrEqual(3600);
  });

  it('counts points, not calls, and refuses a call that would pass the window', async () => {
    const { attempt } = setup({ defaults: { identities: [w(10, 60)] }, clients: {} });
    expect(await attempt('c', 'tax', 'identities', 7)).toBe('ok');
    expect(typeof (await attempt('c', 'tax', 'identities', 4))).toBe('number');
  });

  it("uses a client's own windows instead of the defaults, and the defaults for its other operations", async () => {
    const { attempt } = setup({ defaults: { identities: [w(1, 60)], reverse: [w(1, 60)] }, clients: { big: { identities: [w(3, 60)] } } });
    expect([await attempt('big', 'tax', 'identities'), await attempt('big', 'tax', 'identities'), await attempt('big', 'tax', 'identities')]).toEqual(['ok', 'ok', 'ok']);
    expect(typeof (await attempt('big', 'tax', 'identities'))).toBe('number');
    expect(await attempt('big', 'tax', 'reverse')).toBe('ok');
    expect(typeof (await attempt('big', 'tax', 'reverse'))).toBe('number');
  });

  it("keeps a client's own limiter apart from the defaults' limiter at the same place", async () => {
    // The client with its own window is counted first: the default clients still get theirs.
    const { attempt } = setup({ defaults: { identities: [w(3, 60)] }, clients: { small: { identities: [w(1, 60)] } } });
    expect(await attempt('small', 'tax', 'identities')).toBe('ok');
    expect(typeof (await attempt('small', 'tax', 'identities'))).toBe('number');
    expect([await attempt('other', 'tax', 'identities'), await attempt('other', 'tax', 'identities'), await attempt('other', 'tax', 'identities')]).toEqual(['ok', 'ok', 'ok']);
    expect(typeof (await attempt('other', 'tax', 'identities'))).toBe('number');
  });

  it("keeps each client's own limiter apart from another client's own at the same place", async () => {
    const { attempt } = setup({ defaults: {}, clients: { small: { identities: [w(1, 60)] }, big: { identities: [w(3, 60)] } } });
    expect(await attempt('small', 'tax', 'identities')).toBe('ok');
    expect([await attempt('big', 'tax', 'identities'), await attempt('big', 'tax', 'identities'), await attempt('big', 'tax', 'identities')]).toEqual(['ok', 'ok', 'ok']);
    expect(typeof (await attempt('big', 'tax', 'identities'))).toBe('number');
  });

  it('counts each client, sector and operation apart; nothing is limited where no window is configured', async () => {
    const { attempt } = setup({ defaults: { identities: [w(1, 60)], reverse: [w(1, 60)] }, clients: {} });
    expect(await attempt('a', 'tax', 'identities')).toBe('ok');
    expect(await attempt('b', 'tax', 'identities')).toBe('ok');
    expect(await attempt('a', 'health', 'identities')).toBe('ok');
    expect(await attempt('a', 'tax', 'reverse')).toBe('ok');
    for (let i = 0; i < 20; i++) expect(await attempt('a', 'tax', 'translate')).toBe('ok');
  });

  it('says which budget ran out and when to retry, and reports each refusal once, with its operation', async () => {
    const { limits, limited } = setup({ defaults: { identities: [w(1, 60)], reverse: [w(1, 60)], translate: [w(1, 60)], refusal: [w(1, 60)] }, clients: {} });
    const said: Record<Operation, string> = {
      identities: 'too many national IDs or tokens for this client and sector in this window; retry later',
      reverse: 'too many reversals for this client and sector in this window; retry later',
      translate: 'too many translations for this client and sector in this window; retry later',
      refusal: 'too many refused requests from this client in this window; retry later',
    };
    for (const op of ['identities', 'reverse', 'translate', 'refusal'] as const) {
      const sector = op === 'refusal' ? REFUSAL_SECTOR : 'tax';
      await limits.consume('c', sector, op, 1);
      let thrown: unknown;
      try {
        await limits.consume('c', sector, op, 1);
      } catch (err) {
        thrown = err;
      }
      expect(thrown).toMatchObject({ code: 'rate_limited', message: said[op] });
      expect((thrown as { retryAfter: number }).retryAfter).toBeGreaterThanOrEqual(59);
    }
    expect(limited).toEqual(['identities', 'reverse', 'translate', 'refusal']);
    expect(REFUSAL_SECTOR).toBe('*');
  });

  it('exhausted() tells whether a window is used up and for how long, without consuming', async () => {
    const { limits, attempt } = setup({ defaults: { reverse: [w(2, 60), w(5, 86400)] }, clients: {} });
    expect(await limits.exhausted('c', 'tax', 'reverse')).toBeUndefined();
    expect(await attempt('c', 'tax', 'reverse')).toBe('ok');
    expect(await limits.exhausted('c', 'tax', 'reverse')).toBeUndefined();
    expect(await limits.exhausted('c', 'tax', 'reverse')).toBeUndefined();
    expect(await attempt('c', 'tax', 'reverse')).toBe('ok');
    const wait = await limits.exhausted('c', 'tax', 'reverse');
    expect(wait).toBeGreaterThan(50);
    expect(wait).toBeLessThanOrEqual(60);
    expect(await limits.exhausted('c', 'health', 'reverse')).toBeUndefined();
    expect(await limits.exhausted('c', 'tax', 'identities')).toBeUndefined();
  });

  it('exhausted() also reads the second window, and answers at least 1 second', async () => {
    const { limits, attempt } = setup({ defaults: { reverse: [w(10, 1), w(1, 86400)] }, clients: {} });
    expect(await attempt('c', 'tax', 'reverse')).toBe('ok');
    const wait = await limits.exhausted('c', 'tax', 'reverse');
    expect(wait).toBeGreaterThan(86000);
    const { limits: short, attempt: once } = setup({ defaults: { reverse: [w(1, 1)] }, clients: {} });
    expect(await once('c', 'tax', 'reverse')).toBe('ok');
    expect(await short.exhausted('c', 'tax', 'reverse')).toBe(1);
  });

  /** A Redis client that would take the limiter's script (defineCommand) and reports every command it is asked. */
  function fakeRedis(status: string, state: string): { redis: SharedRedis; asked: string[] } {
    const asked: string[] = [];
    const client = new Proxy(
      {},
      {
        get: (_target, prop) => {
          if (prop === 'defineCommand') return () => undefined;
          if (prop === 'status') return status;
          if (typeof prop !== 'string' || prop === 'then') return undefined;
          return () => {
            asked.push(prop);
            return Promise.reject(new Error('Redis was asked'));
          };
        },
      },
    );
    return { redis: { client, prefix: 'p:', state: () => state, close: async () => {} } as unknown as SharedRedis, asked };
  }

  it('with Redis degraded, counts in process and does not ask Redis', async () => {
    const { redis, asked } = fakeRedis('ready', 'degraded');
    const { attempt, limits } = setup({ defaults: { identities: [w(1, 60)] }, clients: {} }, redis);
    expect(await attempt('c', 'tax', 'identities')).toBe('ok');
    expect(typeof (await attempt('c', 'tax', 'identities'))).toBe('number');
    expect(await limits.exhausted('c', 'tax', 'identities')).toBeGreaterThan(0);
    expect(asked).toEqual([]);
  });

  it('with Redis said to be up but its client not ready, counts in process without sending Redis a command', async () => {
    const { redis, asked } = fakeRedis('reconnecting', 'ok');
    const { attempt } = setup({ defaults: { identities: [w(1, 60)] }, clients: {} }, redis);
    expect(await attempt('c', 'tax', 'identities')).toBe('ok');
    expect(typeof (await attempt('c', 'tax', 'identities'))).toBe('number');
    expect(asked).toEqual([]);
  });
});
