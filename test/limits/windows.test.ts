/**
 * createRateLimits (src/limits/rateLimits.ts) in process, without a service: each window of an
 * operation counts (the second too), a client's own windows replace the defaults rather than add to
 * them, and do not leak into other clients' limiters, sectors and operations are counted apart,
 * and a refusal says which budget, when to retry, and is reported once. The same over a real
 * Redis: test/redis/limits.test.ts.
 */
import type { Config, Operation } from '../../src/config/schema.js';
import { createRateLimits, REFUSAL_SECTOR } from '../../src/limits/rateLimits.js';

type Limits = Config['rateLimits'];
const w = (points: number, perSeconds: number) => ({ points, perSeconds });

function setup(rateLimits: Limits) {
  const limited: Operation[] = [];
  const limits = createRateLimits({ rateLimits }, undefined, (op) => limited.push(op));
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
    const { attempt } = setup({
      defaults: { identities: [w(1, 60)], reverse: [w(1, 60)] },
      clients: { big: { identities: [w(3, 60)] } },
    });
    expect([
      await attempt('big', 'tax', 'identities'),
      await attempt('big', 'tax', 'identities'),
      await attempt('big', 'tax', 'identities'),
    ]).toEqual(['ok', 'ok', 'ok']);
    expect(typeof (await attempt('big', 'tax', 'identities'))).toBe('number');
    expect(await attempt('big', 'tax', 'reverse')).toBe('ok');
    expect(typeof (await attempt('big', 'tax', 'reverse'))).toBe('number');
  });

  it("keeps a client's own limiter apart from the defaults' limiter at the same place", async () => {
    // The client with its own window is counted first: the default clients still get theirs.
    const { attempt } = setup({ defaults: { identities: [w(3, 60)] }, clients: { small: { identities: [w(1, 60)] } } });
    expect(await attempt('small', 'tax', 'identities')).toBe('ok');
    expect(typeof (await attempt('small', 'tax', 'identities'))).toBe('number');
    expect([
      await attempt('other', 'tax', 'identities'),
      await attempt('other', 'tax', 'identities'),
      await attempt('other', 'tax', 'identities'),
    ]).toEqual(['ok', 'ok', 'ok']);
    expect(typeof (await attempt('other', 'tax', 'identities'))).toBe('number');
  });

  it("keeps each client's own limiter apart from another client's own at the same place", async () => {
    const { attempt } = setup({
      defaults: {},
      clients: { small: { identities: [w(1, 60)] }, big: { identities: [w(3, 60)] } },
    });
    expect(await attempt('small', 'tax', 'identities')).toBe('ok');
    expect([
      await attempt('big', 'tax', 'identities'),
      await attempt('big', 'tax', 'identities'),
      await attempt('big', 'tax', 'identities'),
    ]).toEqual(['ok', 'ok', 'ok']);
    expect(typeof (await attempt('big', 'tax', 'identities'))).toBe('number');
  });

  it("windows() names a client's windows in force: its own, else the defaults, else none", () => {
    const { limits } = setup({
      defaults: { identities: [w(1, 60)] },
      clients: { big: { identities: [w(3, 60), w(100, 86400)] } },
    });
    expect(limits.windows('big', 'identities')).toEqual([w(3, 60), w(100, 86400)]);
    expect(limits.windows('other', 'identities')).toEqual([w(1, 60)]);
    expect(limits.windows('big', 'translate')).toEqual([]);
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
    const { limits, limited } = setup({
      defaults: { identities: [w(1, 60)], reverse: [w(1, 60)], translate: [w(1, 60)], refusal: [w(1, 60)] },
      clients: {},
    });
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

  it('refuses a batch over the smallest identities window wherever that window is listed, naming it; of equal sizes, the first listed', async () => {
    const batchError = async (windows: { points: number; perSeconds: number }[], points: number) => {
      const { limits } = setup({ defaults: { identities: windows }, clients: {} });
      try {
        await limits.consume('c', 'tax', 'identities', points);
        return 'ok';
      } catch (err) {
        expect(err).toMatchObject({ code: 'batch_too_large' });
        return (err as Error).message.replace(/:.*/, '');
      }
    };
    expect(await batchError([w(100, 60), w(10, 1)], 11)).toBe(
      "11 national IDs or tokens in one request can never fit this client's window of 10 per 1 s",
    );
    expect(await batchError([w(100, 60), w(10, 1)], 10)).toBe('ok');
    expect(await batchError([w(10, 1), w(10, 60)], 11)).toMatch(/window of 10 per 1 s$/);
    expect(await batchError([w(10, 60), w(10, 1)], 11)).toMatch(/window of 10 per 60 s$/);
  });

  it('gives points back only to a window still running: none is credited to the next one', async () => {
    const { limits, attempt } = setup({ defaults: { identities: [w(2, 1)] }, clients: {} });
    const taken = await limits.consume('c', 'tax', 'identities', 2);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await taken.giveBack();
    expect(await attempt('c', 'tax', 'identities', 2)).toBe('ok');
    expect(await attempt('c', 'tax', 'identities', 1)).toBe(1);
  });
});
