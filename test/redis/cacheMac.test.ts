/**
 * Cached tokens in Redis are bound to their blind index by a MAC (issue 9 item 18): whoever can
 * write to Redis cannot make the service hand out another person's token, a token of their own
 * making, or an untagged value. Each such value is refused (a miss, counted), and overwritten.
 */
import type { Service } from '../../src/service.js';
import { startTestService, type TestService } from '../helpers/service.js';
import {
  cacheWritten,
  configWith,
  get,
  metricValue,
  randomNationalIds,
  redisReady,
  redisSettings,
  sharedRedis,
  tokenize,
  tokenOfValue,
  type SharedTestRedis,
} from './helpers.js';

describe('cache values in Redis', () => {
  let shared: SharedTestRedis;
  let service: TestService;
  const services: Service[] = [];

  beforeAll(async () => {
    shared = await sharedRedis();
    // No LRU: every lookup reads Redis.
    service = startTestService({
      config: configWith({ cache: { lruEntries: 0 } }),
      settings: { instanceId: 'mac', redis: redisSettings({ url: shared.url }, `${shared.prefix}mac:`) },
    });
    services.push(service);
    await redisReady(service);
  });
  afterAll(async () => {
    for (const s of services) await s.close();
    await shared?.cleanup();
  });

  const keyOf = (sector: string, id: string): string =>
    `${service.settings.redis.prefix}tok:${service.tokens.cache.indexOf(sector, 1, id)}`;
  const rejected = (): Promise<number> => metricValue(service, 'sectoken_cache_rejected_total');

  it.each(['health', 'social'])(
    "when the value of one person is copied onto another person's entry (%s), then the service still answers the right token, counts the refusal and repairs the entry",
    async (sector) => {
      const [victim, other] = randomNationalIds(2) as [string, string];
      const right = service.tokenizer().tokenize(sector, victim).token;
      const wrong = service.tokenizer().tokenize(sector, other).token;
      expect((await tokenize(service, sector, victim)).body.token).toBe(right);
      expect((await tokenize(service, sector, other)).body.token).toBe(wrong);
      await cacheWritten(service);
      const before = await rejected();

      await shared.client.set(keyOf(sector, victim), (await shared.client.get(keyOf(sector, other)))!);
      const res = await tokenize(service, sector, victim);
      expect([res.status, res.body.token]).toEqual([200, right]);
      expect(await rejected()).toBe(before + 1);
      await cacheWritten(service);
      expect(tokenOfValue(await shared.client.get(keyOf(sector, victim)))).toBe(right); // rewritten, with a good tag
      expect((await tokenize(service, sector, victim)).body.token).toBe(right);
      expect(await rejected()).toBe(before + 1);
    },
  );

  it('when a bare token, a forged tag or garbage is written under an index, then each is refused and the computed token answered', async () => {
    const [victim, other] = randomNationalIds(2) as [string, string];
    const right = service.tokenizer().tokenize('tax', victim).token;
    const wrong = service.tokenizer().tokenize('tax', other).token;
    expect((await tokenize(service, 'tax', victim)).status).toBe(200);
    const good = (await shared.client.get(keyOf('tax', victim)))!;
    const tag = good.slice(good.lastIndexOf('.') + 1);
    const before = await rejected();
    const forgeries = [
      wrong,
      `${wrong}.${tag}`,
      `${wrong}.${'A'.repeat(22)}`,
      `${right}.${'A'.repeat(22)}`,
      `${right}.`,
      '.',
      '',
    ];
    for (const forged of forgeries) {
      await shared.client.set(keyOf('tax', victim), forged);
      const res = await tokenize(service, 'tax', victim);
      expect([forged, res.status, res.body.token]).toEqual([forged, 200, right]);
    }
    expect(await rejected()).toBe(before + forgeries.length);
    // The operator sees the refusals.
    const metrics = await get(service, '/metrics', 'operator');
    expect(metrics.text).toMatch(new RegExp(`^sectoken_cache_rejected_total ${before + forgeries.length}$`, 'm'));
  });
});
