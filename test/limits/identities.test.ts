/**
 * One budget of identities per client, sector and window (issue 9 item 14): single calls, batch
 * items and upgrade items all draw on it, in process as on Redis (test/redis/limits.test.ts), so a
 * batch enumerates no faster than single calls. The sample's quotas fit a real backend's day; a
 * regulator's reversals are capped far lower; `refusal` counts a client's refused acts.
 */
import { rmSync } from 'node:fs';
import request from 'supertest';
import { parseConfig } from '../../src/config/schema.js';
import { createRateLimits, REFUSAL_SECTOR } from '../../src/limits/rateLimits.js';
import { SectokenError } from '../../src/errors.js';
import { bearer, devConfig, startTestService, type TestService } from '../helpers/service.js';

const withLimits = (rateLimits: object): Record<string, unknown> => ({ ...devConfig(), rateLimits });

describe('one budget of identities', () => {
  const services: TestService[] = [];
  afterAll(async () => {
    for (const s of services) {
      await s.close();
      rmSync(s.dir, { recursive: true, force: true });
    }
  });
  const start = (rateLimits: object): TestService => {
    const s = startTestService({ config: withLimits(rateLimits) });
    services.push(s);
    return s;
  };
  const post = (s: TestService, path: string, client: string, body: object) =>
    request(s.app).post(path).set('Authorization', bearer(client)).send(body);
  const ids = (n: number, from = 0): string[] => Array.from({ length: n }, (_, k) => `KL${String(100000 + from + k)}`);

  it('when a batch takes the whole window, then the next single call and the next upgrade are refused (not a budget of their own)', async () => {
    const s = start({ defaults: { identities: [{ points: 10, perSeconds: 60 }] }, clients: {} });
    const batch = await post(s, '/v1/tokens/batch', 'tax-backend', { sector: 'tax', nationalIds: ids(10) });
    expect(batch.status).toBe(200);
    for (const res of [
      await post(s, '/v1/tokens', 'tax-backend', { sector: 'tax', nationalId: ids(1, 10)[0] }),
      await post(s, '/v1/tokens/batch', 'tax-backend', { sector: 'tax', nationalIds: ids(1, 11) }),
      await post(s, '/v1/tokens/upgrade', 'tax-backend', { sector: 'tax', tokens: [batch.body.results[0].token] }),
    ]) {
      expect([res.status, res.body.error?.code]).toEqual([429, 'rate_limited']);
      expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(res.body.error.message).toMatch(/national IDs or tokens/);
    }
    // Another sector of another client has its own budget.
    expect((await post(s, '/v1/tokens', 'bank-backend', { sector: 'finance', nationalId: ids(1)[0] })).status).toBe(
      200,
    );
  });

  it('when single calls and upgrades use the window first, then a batch that would pass it is refused', async () => {
    const s = start({ defaults: { identities: [{ points: 10, perSeconds: 60 }] }, clients: {} });
    const tokens: string[] = [];
    for (const id of ids(6, 20))
      tokens.push(
        (await post(s, '/v1/tokens', 'hospital-backend', { sector: 'health', nationalId: id })).body.token as string,
      );
    expect(
      (await post(s, '/v1/tokens/upgrade', 'hospital-backend', { sector: 'health', tokens: tokens.slice(0, 3) }))
        .status,
    ).toBe(200); // 9 used
    expect(
      (await post(s, '/v1/tokens/batch', 'hospital-backend', { sector: 'health', nationalIds: ids(2, 30) })).status,
    ).toBe(429);
  });

  it('the sample configuration: one identities budget of 200/s and 200,000/day per sector, reversals far lower, refusals counted', () => {
    const config = parseConfig(devConfig(), 'sample');
    const { defaults, clients } = config.rateLimits;
    expect(Object.keys(defaults).sort()).toEqual(['identities', 'refusal', 'reverse', 'translate']);
    expect(defaults.identities).toEqual([
      { points: 200, perSeconds: 1 },
      { points: 200_000, perSeconds: 86400 },
    ]);
    const daily = (w: { points: number; perSeconds: number }[] | undefined): number =>
      w!.find((x) => x.perSeconds === 86400)!.points;
    expect(daily(defaults.reverse)).toBeLessThanOrEqual(daily(defaults.identities) / 1000);
    expect(daily(clients['regulator-health']!.reverse)).toBeLessThan(daily(defaults.reverse));
    expect(defaults.refusal).toEqual([{ points: 30, perSeconds: 60 }]);
  });

  it('when a configuration still names tokenize, batchItem or upgradeItem, then it is refused with a pointer to identities', () => {
    for (const op of ['tokenize', 'batchItem', 'upgradeItem']) {
      expect(() =>
        parseConfig(withLimits({ defaults: { [op]: [{ points: 1, perSeconds: 1 }] }, clients: {} }), 'old.json'),
      ).toThrow(new RegExp(`rateLimits\\.defaults\\.${op}: now part of "identities"`));
    }
  });

  it('refusal: points per client across sectors (sector "*"), refused past the window with rate_limited', async () => {
    const config = parseConfig(
      withLimits({ defaults: { refusal: [{ points: 3, perSeconds: 60 }] }, clients: {} }),
      'refusal',
    );
    const limited: string[] = [];
    const limits = createRateLimits(config, undefined, (op) => limited.push(op));
    for (let i = 0; i < 3; i++) await limits.consume('regulator-health', REFUSAL_SECTOR, 'refusal', 1);
    const err = await limits.consume('regulator-health', '*', 'refusal', 1).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SectokenError);
    expect((err as SectokenError).code).toBe('rate_limited');
    expect((err as SectokenError).message).toMatch(/refused requests from this client/);
    expect(limited).toEqual(['refusal']);
    await limits.consume('regulator-cndp', '*', 'refusal', 1); // another client
  });
});
