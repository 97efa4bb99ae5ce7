/**
 * A cache miss answers without waiting for its SET (src/acts/tokens/tokenize.ts, src/store/tokenCache.ts):
 * had it waited, a miss would take one Redis round trip more than a hit, and another backend of
 * the sector could tell by timing who had been tokenized before. Shown on a redis-server of this
 * test's own whose writes are paused (CLIENT PAUSE … WRITE): the answer comes while its SET has
 * not run; once writes resume, the entry is there. Ordering only, no wall-clock threshold.
 */
import { Redis } from 'ioredis';
import type { Service } from '../../src/service.js';
import { startTestService } from '../helpers/service.js';
import {
  configWith,
  metricValue,
  randomNationalIds,
  redisReady,
  redisSettings,
  startRedisServer,
  tokenize,
  tokenizeBatch,
  tokenOfValue,
  waitFor,
  type RedisServer,
} from './helpers.js';

/** Long enough that an answer waiting for its SET would come only after the checks below. */
const PAUSE_MS = 20_000;

describe('a token cache miss does not wait for its SET', () => {
  let server: RedisServer;
  let service: Service;
  let inspector: Redis;
  const prefix = 'sectoken-misstiming:';
  const keyOf = (sector: string, id: string): string => `${prefix}tok:${service.tokens.cache.indexOf(sector, 1, id)}`;

  beforeAll(async () => {
    server = await startRedisServer();
    // A command timeout longer than the pause: the paused SET completes afterwards, it does not fail.
    service = startTestService({
      config: configWith({ cache: { lruEntries: 0 } }),
      settings: { instanceId: 'misstiming', redis: redisSettings({ url: server.url }, prefix, 60_000) },
    });
    await redisReady(service);
    inspector = new Redis(server.url, { maxRetriesPerRequest: 1 });
  });
  afterAll(async () => {
    await inspector?.call('CLIENT', 'UNPAUSE').catch(() => undefined);
    inspector?.disconnect();
    await service?.close();
    await server?.stop();
  });

  /** With writes paused, `ask` is answered while none of `keys` is stored yet; once writes resume, all are. */
  async function answeredBeforeStored(ask: () => Promise<void>, keys: string[]): Promise<void> {
    await inspector.call('CLIENT', 'PAUSE', String(PAUSE_MS), 'WRITE');
    try {
      await ask();
      // Answered, and Redis has not stored any of them yet (reads go on under a write pause).
      expect(await inspector.exists(...keys)).toBe(0);
    } finally {
      await inspector.call('CLIENT', 'UNPAUSE');
    }
    // Commands of one connection run in order: the next request's GETs would queue behind the paused SET.
    await waitFor(async () => (await inspector.exists(...keys)) === keys.length, 'the paused SETs to complete', 10_000);
  }

  it('when writes are paused, then a miss (single and batch) is answered while its entry is absent; once writes resume, the entries arrive', async () => {
    const [single, ...batch] = randomNationalIds(4) as [string, ...string[]];
    const errorsBefore = await metricValue(service, 'sectoken_redis_errors_total');

    let token = '';
    await answeredBeforeStored(async () => {
      const one = await tokenize(service, 'health', single);
      expect([one.status, one.body.token]).toEqual([200, service.tokenizer().tokenize('health', single).token]);
      token = one.body.token as string;
    }, [keyOf('health', single)]);
    expect(tokenOfValue(await inspector.get(keyOf('health', single)))).toBe(token);

    await answeredBeforeStored(
      async () => {
        const many = await tokenizeBatch(service, 'social', batch);
        expect(many.status).toBe(200);
        expect(many.body.results).toEqual(
          batch.map((id) => ({ token: service.tokenizer().tokenize('social', id).token })),
        );
      },
      batch.map((id) => keyOf('social', id)),
    );
    expect(await metricValue(service, 'sectoken_redis_errors_total')).toBe(errorsBefore);
  }, 90_000);

  it('when a SET fails, then the answer was given all the same and the failure is counted', async () => {
    const [id] = randomNationalIds(1) as [string];
    const errorsBefore = await metricValue(service, 'sectoken_redis_errors_total');
    // A read-only replica refuses every write: the GET works, the SET fails.
    await inspector.call('CONFIG', 'SET', 'min-replicas-to-write', '1');
    try {
      const res = await tokenize(service, 'finance', id);
      expect([res.status, res.body.token]).toEqual([200, service.tokenizer().tokenize('finance', id).token]);
      await waitFor(
        async () => (await metricValue(service, 'sectoken_redis_errors_total')) > errorsBefore,
        'the failed SET to be counted',
        10_000,
      );
      expect(await inspector.exists(keyOf('finance', id))).toBe(0);
    } finally {
      await inspector.call('CONFIG', 'SET', 'min-replicas-to-write', '0');
    }
  });
});
