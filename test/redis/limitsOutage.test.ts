/**
 * Limits that hold when Redis is late or gone (README "Redis"): a busy event loop (an
 * unauthenticated flood, and the loop held on purpose so that PINGs are late on any machine)
 * never hands out a fresh quota; with Redis really stopped (a redis-server of this test, killed by
 * its pid), reverse and translate fail closed with 503 limits_unavailable, and tokenization goes
 * on within the conservative outage budget: never more than Redis last said was left, nor more
 * than 1 % of a daily quota.
 */
import { performance } from 'node:perf_hooks';
import { burst } from '../helpers/burst.js';
import { listening, startTestService, type TestService } from '../helpers/service.js';
import {
  act,
  configWith,
  post,
  randomNationalIds,
  redisReady,
  redisSettings,
  sharedRedis,
  startRedisServer,
  tokenize,
  tokenizeBatch,
  waitFor,
  type RedisServer,
  type SharedTestRedis,
} from './helpers.js';

const DAY = 86400;

/** How many of each answer ("<status> <code or ok>") came back. */
const tally = (answers: { status: number; body: { error?: { code: string } } }[]): Record<string, number> => {
  const seen: Record<string, number> = {};
  for (const a of answers) {
    const key = `${a.status} ${a.body.error?.code ?? 'ok'}`;
    seen[key] = (seen[key] ?? 0) + 1;
  }
  return seen;
};

describe('a busy event loop does not switch the limits', () => {
  let shared: SharedTestRedis;
  let service: TestService;

  beforeAll(async () => {
    shared = await sharedRedis();
    service = startTestService({
      config: configWith({
        rateLimits: {
          defaults: { identities: [{ points: 5, perSeconds: DAY }], reverse: [{ points: 1, perSeconds: DAY }] },
          clients: {},
        },
      }),
      settings: { instanceId: 'flood', redis: redisSettings({ url: shared.url }, shared.prefix, 50) },
    });
    await redisReady(service);
  });
  afterAll(async () => {
    await service?.close();
    await shared?.cleanup();
  });

  it('when a client past its daily quota and a regulator past its reverse quota try again during an unauthenticated flood, then neither gets anything more', async () => {
    const ids = randomNationalIds(40);
    for (const id of ids.slice(0, 5)) expect((await tokenize(service, 'tax', id)).status).toBe(200);
    expect((await tokenize(service, 'tax', ids[5]!)).status).toBe(429);
    const token = (await tokenize(service, 'finance', ids[6]!)).body.token as string;
    const reverse = () =>
      post(service, '/v1/reverse', 'regulator-cndp', {
        sector: 'finance',
        token,
        legalBasis: 'LOI-09-08-ART-4',
        ...act,
      });
    expect((await reverse()).status).toBe(200);
    expect((await reverse()).status).toBe(429);

    const server = await listening(service.app);
    // The loop held 120 ms out of every 150: every 50 ms PING of the old probe came back late.
    const jam = setInterval(() => {
      const until = performance.now() + 120;
      while (performance.now() < until);
    }, 150);
    const attempts: { status: number; body: { error?: { code: string } } }[] = [];
    let reachableThroughout = true;
    try {
      // Waves of 100 unauthenticated reverses, one after the other, for as long as the client tries.
      let trying = true;
      const answers = new Set<string>();
      const flood = (async () => {
        while (trying)
          for (const answer of Object.keys(
            await burst(server.url, 100, 'POST', '/v1/reverse', 'nobody', {
              sector: 'finance',
              token,
              legalBasis: 'LOI-09-08-ART-4',
              ...act,
            }),
          ))
            answers.add(answer);
      })();
      for (const id of ids.slice(7, 22)) {
        attempts.push(await tokenize(service, 'tax', id));
        if (attempts.length % 5 === 0) attempts.push(await reverse());
        reachableThroughout &&= service.redis!.reachable();
      }
      trying = false;
      await flood;
      expect([...answers]).toEqual(['401 unauthenticated']);
    } finally {
      clearInterval(jam);
      await server.close();
    }
    // Nothing more, whichever way the loop was late: refused by Redis, or fails closed.
    const seen = tally(attempts);
    expect(seen['200 ok']).toBeUndefined();
    expect(
      Object.keys(seen).every((answer) => answer === '429 rate_limited' || answer === '503 limits_unavailable'),
    ).toBe(true);
    expect(reachableThroughout).toBe(true);
  });
});

describe('with Redis stopped', () => {
  let server: RedisServer;
  let service: TestService;
  const ids = randomNationalIds(60);
  let taxToken: string;

  beforeAll(async () => {
    server = await startRedisServer();
    service = startTestService({
      config: configWith({
        rateLimits: {
          defaults: {
            identities: [{ points: 1000, perSeconds: DAY }],
            reverse: [{ points: 100, perSeconds: DAY }],
            translate: [{ points: 100, perSeconds: DAY }],
          },
          clients: {},
        },
      }),
      // Commands wait up to 1 s: on a loaded machine the counts before the outage still reach Redis.
      settings: { instanceId: 'stopped', redis: redisSettings({ url: server.url }, 'sectoken-stopped:', 1000) },
    });
    await redisReady(service);
  });
  afterAll(async () => {
    await service?.close();
    await server?.stop();
  });

  it('before: a client has used 997 of its 1000 a day, another 3', async () => {
    expect((await tokenizeBatch(service, 'finance', randomNationalIds(997))).status).toBe(200);
    for (const id of ids.slice(0, 3)) expect((await tokenize(service, 'tax', id)).status).toBe(200);
    taxToken = (await post(service, '/v1/tokens', 'tax-backend', { sector: 'tax', nationalId: ids[3] })).body
      .token as string;
  });

  it('when redis-server is killed, then the limits stop asking it only after several missed probes', async () => {
    await server.stop('SIGKILL');
    await waitFor(() => !service.redis!.reachable(), 'the limits to give Redis up', 10_000, 20);
  });

  it('then reverse and translate fail closed: 503 limits_unavailable, nothing disclosed', async () => {
    const reverse = await post(service, '/v1/reverse', 'regulator-cndp', {
      sector: 'tax',
      token: taxToken,
      legalBasis: 'LOI-09-08-ART-4',
      ...act,
    });
    expect([reverse.status, reverse.body.error?.code]).toEqual([503, 'limits_unavailable']);
    expect(JSON.stringify(reverse.body)).not.toContain(ids[3]!);
    const translate = await post(service, '/v1/translate', 'regulator-cndp', {
      fromSector: 'tax',
      token: taxToken,
      toSector: 'social',
      legalBasis: 'CSS-FRAUD-2026',
      ...act,
    });
    expect([translate.status, translate.body.error?.code]).toEqual([503, 'limits_unavailable']);
  });

  it('then tokenization goes on within the outage budget: what Redis said was left (3), and at most 1 % of the daily quota (10)', async () => {
    // Exactly, unless a count before the outage was already taken here (a command that timed out): then fewer.
    const granted = async (sector: string, from: number, n: number, most: number): Promise<void> => {
      const answers = [];
      for (const id of ids.slice(from, from + n)) answers.push(await tokenize(service, sector, id));
      const seen = tally(answers);
      expect(Object.keys(seen).sort()).toEqual(['200 ok', '429 rate_limited']);
      expect(seen['200 ok']).toBeLessThanOrEqual(most);
      expect(seen['200 ok']).toBeGreaterThanOrEqual(most - 4);
    };
    await granted('finance', 10, 10, 3);
    await granted('tax', 20, 20, 10);
    expect(tally([await tokenizeBatch(service, 'tax', ids.slice(40, 42))])).toEqual({ '429 rate_limited': 1 });
  });

  it('when redis-server is back, then reverse works again', async () => {
    await server.restart();
    await waitFor(() => service.redis!.reachable() && service.redis!.state() === 'ok', 'Redis back', 10_000, 50);
    const reverse = await post(service, '/v1/reverse', 'regulator-cndp', {
      sector: 'tax',
      token: taxToken,
      legalBasis: 'LOI-09-08-ART-4',
      ...act,
    });
    expect([reverse.status, reverse.body.nationalId]).toEqual([200, ids[3]]);
  });
});
