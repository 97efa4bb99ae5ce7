/**
 * Redis going away and coming back (SPEC "Redis": "When Redis is slow or down, tokenization goes
 * on (bounded command timeouts, no offline queue), readiness reports it, and nothing is lost"),
 * against a private redis-server that the test kills by its pid and restarts on the same port.
 */
import type { Redis } from 'ioredis';
import request from 'supertest';
import { startTestService, type TestService } from '../helpers/service.js';
import {
  act,
  approve,
  askReverse,
  cacheCounts,
  configWith,
  fetchResult,
  metricValue,
  post,
  randomNationalIds,
  redisReady,
  redisSettings,
  sleep,
  startRedisServer,
  tokenize,
  waitFor,
  type RedisServer,
} from './helpers.js';

const COMMAND_TIMEOUT_MS = 50;
const SLACK_MS = 250;
/**
 * A bound for a single answer: on a loaded machine one answer among many can take longer than the
 * command timeout plus slack for reasons of its own (350 ms seen), but an answer that waits on a
 * Redis that never answers waits until the test restarts it, seconds later.
 */
const STUCK_MS = 2000;
const SECTORS = ['health', 'social', 'tax'] as const;
/** SECTOKEN_TEST_STATS=1 prints the measured latencies and recovery time. */
const stats = (what: string, values: object): void => {
  if (process.env.SECTOKEN_TEST_STATS) console.info(`${what}: ${JSON.stringify(values)}`);
};
const summary = (results: { ms: number }[]) => {
  const ms = results.map((r) => r.ms).sort((x, y) => x - y);
  return {
    requests: ms.length,
    medianMs: ms[ms.length >> 1],
    p99Ms: ms[Math.floor(ms.length * 0.99)],
    maxMs: ms.at(-1),
  };
};

describe('Redis outage', () => {
  let server: RedisServer;
  let service: TestService;
  const ids = randomNationalIds(12);
  const expected = new Map<string, string>();
  const key = (sector: string, id: string): string => `${sector}/${id}`;

  const readyz = () => request(service.app).get('/readyz');

  /** Tokenize requests, two at a time, until `stop()` resolves; each one checked and timed. */
  async function tokenizeLoop(
    until: Promise<void>,
  ): Promise<{ at: number; ms: number; status: number; right: boolean }[]> {
    let done = false;
    void until.finally(() => (done = true));
    const results: { at: number; ms: number; status: number; right: boolean }[] = [];
    const worker = async (offset: number): Promise<void> => {
      for (let n = offset; !done; n += 2) {
        const sector = SECTORS[n % SECTORS.length]!;
        const id = ids[n % ids.length]!;
        const at = Date.now();
        const res = await tokenize(service, sector, id);
        results.push({
          at,
          ms: Date.now() - at,
          status: res.status,
          right: res.body.token === expected.get(key(sector, id)),
        });
      }
    };
    await Promise.all([worker(0), worker(1), until]);
    return results;
  }

  /** The names of the Redis commands the service sends, on either of its connections, while `work` runs. */
  async function commandsSentDuring(work: () => Promise<void>): Promise<string[]> {
    const sent: string[] = [];
    const connections = [service.redis!.client, service.redis!.patient] as Redis[];
    const originals = connections.map((c) => c.sendCommand.bind(c));
    connections.forEach((c, i) => {
      c.sendCommand = (command, stream) => {
        sent.push(command.name);
        return originals[i]!(command, stream);
      };
    });
    try {
      await work();
    } finally {
      connections.forEach((c, i) => (c.sendCommand = originals[i]!));
    }
    return sent;
  }

  beforeAll(async () => {
    server = await startRedisServer();
    const generous = Object.fromEntries(
      ['identities', 'reverse'].map((op) => [op, [{ points: 100_000, perSeconds: 60 }]]),
    );
    service = startTestService({
      // No LRU: every tokenize asks Redis; limits on, so the rate limiter's Redis and its outage budget are used too.
      config: configWith({ cache: { lruEntries: 0 }, rateLimits: { defaults: generous, clients: {} } }),
      settings: {
        instanceId: 'outage',
        redis: redisSettings({ url: server.url }, 'sectoken-outage:', COMMAND_TIMEOUT_MS),
      },
    });
    for (const sector of SECTORS)
      for (const id of ids) expected.set(key(sector, id), service.tokenizer().tokenize(sector, id).token);
    await redisReady(service);
  });
  afterAll(async () => {
    await service?.close();
    await server?.stop();
  });

  it('with Redis up, tokenize is right and served from Redis, /readyz says redis ok', async () => {
    const ready = await readyz();
    expect([ready.status, ready.body.status, ready.body.checks.redis]).toEqual([200, 'ready', 'ok']);
    expect(await metricValue(service, 'sectoken_redis_up')).toBe(1);
    const before = await cacheCounts(service);
    for (let pass = 0; pass < 2; pass++) {
      for (const sector of SECTORS) {
        for (const id of ids)
          expect((await tokenize(service, sector, id)).body.token).toBe(expected.get(key(sector, id)));
      }
    }
    const after = await cacheCounts(service);
    expect(after.redisHits - before.redisHits).toBe(SECTORS.length * ids.length);
    expect(after.redisMisses - before.redisMisses).toBe(SECTORS.length * ids.length);
  });

  let killedAt = 0;

  it('when redis-server is killed mid-run, then every tokenize is still 200 with the right token, within the command timeout plus slack (95th percentile), none stuck, and /readyz stays 200 with redis degraded', async () => {
    const errorsBefore = await metricValue(service, 'sectoken_redis_errors_total');
    const pid = server.pid();
    expect(pid).toEqual(expect.any(Number));
    const outage = (async () => {
      await sleep(300);
      killedAt = Date.now();
      await server.stop('SIGKILL');
      await waitFor(() => service.redis!.state() === 'degraded', 'the service to notice', 2000, 5);
      const ready = await readyz();
      expect([ready.status, ready.body.status, ready.body.checks]).toEqual([
        200,
        'ready',
        { keys: 'ok', audit: 'ok', redis: 'degraded' },
      ]);
      await sleep(700);
    })();
    const results = await tokenizeLoop(outage);

    const after = results.filter((r) => r.at >= killedAt);
    stats('kill: before', summary(results.filter((r) => r.at < killedAt)));
    stats('kill: after', summary(after));
    expect(results.filter((r) => r.at < killedAt).length).toBeGreaterThan(5);
    expect(after.length).toBeGreaterThan(20);
    expect(results.filter((r) => r.status !== 200 || !r.right)).toEqual([]);
    // The 95th percentile within the command timeout plus slack, and no answer stuck.
    const sorted = results.map((r) => r.ms).sort((x, y) => x - y);
    expect(sorted[Math.floor(sorted.length * 0.95)]!).toBeLessThanOrEqual(COMMAND_TIMEOUT_MS + SLACK_MS);
    expect(sorted.at(-1)!).toBeLessThan(STUCK_MS);

    expect(await metricValue(service, 'sectoken_redis_up')).toBe(0);
    expect(await metricValue(service, 'sectoken_redis_errors_total')).toBeGreaterThan(errorsBefore);
    const ready = await readyz();
    expect([ready.status, ready.body.checks.redis]).toEqual([200, 'degraded']);
  });

  it('while Redis is down, then reverse fails closed (503 limits_unavailable: its quota cannot be counted), and dual control answers 503 dual_control_unavailable', async () => {
    expect(server.pid()).toBeUndefined();
    const token = expected.get(key('health', ids[0]!))!;
    const ask = await post(service, '/v1/reverse', 'regulator-cndp', {
      sector: 'health',
      token,
      legalBasis: 'CNDP-D-97-2020',
      ...act,
    });
    expect([ask.status, ask.body.error?.code]).toEqual([503, 'limits_unavailable']);
    expect(JSON.stringify(ask.body)).not.toContain(ids[0]!);
    const someId = 'A'.repeat(22);
    const decided = await approve(service, someId);
    expect([decided.status, decided.body.error?.code]).toEqual([503, 'dual_control_unavailable']);
    const fetched = await fetchResult(service, someId);
    expect([fetched.status, fetched.body.error?.code]).toEqual([503, 'dual_control_unavailable']);

    const plain = await post(service, '/v1/reverse', 'regulator-cndp', {
      sector: 'tax',
      token: expected.get(key('tax', ids[1]!))!,
      legalBasis: 'LOI-09-08-ART-4',
      ...act,
    });
    expect([plain.status, plain.body.error?.code]).toEqual([503, 'limits_unavailable']);
    expect(JSON.stringify(plain.body)).not.toContain(ids[1]!);
  });

  it('when redis-server restarts on the same port, then within a few seconds /readyz says ok, Redis hits resume and dual control works again', async () => {
    await server.restart();
    const restartedAt = Date.now();
    await waitFor(async () => (await readyz()).body.checks.redis === 'ok', '/readyz to say redis ok', 5000, 50);
    const recoveredInMs = Date.now() - restartedAt;
    stats('restart', { recoveredInMs, downForMs: restartedAt - killedAt });
    expect(recoveredInMs).toBeLessThan(5000);
    expect(await metricValue(service, 'sectoken_redis_up')).toBe(1);
    expect(await metricValue(service, 'sectoken_redis_errors_total')).toBeGreaterThan(0);

    // The restarted server is empty: one miss fills it, then hits.
    const before = await cacheCounts(service);
    for (let pass = 0; pass < 3; pass++)
      expect((await tokenize(service, 'social', ids[2]!)).body.token).toBe(expected.get(key('social', ids[2]!)));
    const after = await cacheCounts(service);
    expect([after.redisMisses - before.redisMisses, after.redisHits - before.redisHits]).toEqual([1, 2]);

    // The limits ask Redis again once their own probe is answered (src/store/redis.ts).
    await waitFor(() => service.redis!.reachable(), 'the limits to ask Redis again', 5000, 50);
    const requestId = await askReverse(service, expected.get(key('health', ids[3]!))!);
    expect((await approve(service, requestId)).status).toBe(200);
    const released = await fetchResult(service, requestId);
    expect([released.status, released.body.nationalId]).toEqual([200, ids[3]]);
  });
  it('when Redis hangs (SIGSTOP, connections open), then every tokenize is still 200 with the right token within the bound, reverse fails closed, and all resumes after SIGCONT', async () => {
    const errorsBefore = await metricValue(service, 'sectoken_redis_errors_total');
    server.pause();
    let results: { at: number; ms: number; status: number; right: boolean }[];
    try {
      // The limits stop asking Redis after several missed probes (about 2 s), not at the first late one.
      results = await tokenizeLoop(sleep(3000));
      // The PING probe notices the hang although the connection stays open.
      const ready = await readyz();
      expect([ready.status, ready.body.checks.redis]).toEqual([200, 'degraded']);
      const started = Date.now();
      const ask = await post(service, '/v1/reverse', 'regulator-cndp', {
        sector: 'health',
        token: expected.get(key('health', ids[4]!))!,
        legalBasis: 'CNDP-D-97-2020',
        ...act,
      });
      expect([ask.status, ask.body.error?.code]).toEqual([503, 'limits_unavailable']);
      expect(Date.now() - started).toBeLessThan(STUCK_MS);

      // Once the hang is known, requests no longer wait on Redis at all: counted as commands sent,
      // not timed (a loaded machine slows answers, it never adds commands). Only probes' PINGs go out.
      await waitFor(
        () => !service.redis!.reachable() && service.redis!.state() === 'degraded',
        'the hang known',
        5000,
        50,
      );
      const sent = await commandsSentDuring(async () => {
        for (let n = 0; n < 6; n += 1) {
          const res = await tokenize(service, SECTORS[n % SECTORS.length]!, ids[n]!);
          expect([res.status, res.body.token]).toEqual([200, expected.get(key(SECTORS[n % SECTORS.length]!, ids[n]!))]);
        }
      });
      expect(sent.filter((name) => name !== 'ping')).toEqual([]);
    } finally {
      server.resume();
    }
    stats('hang', summary(results));
    expect(results.length).toBeGreaterThan(5);
    expect(results.filter((r) => r.status !== 200 || !r.right)).toEqual([]);
    // Until the limits give Redis up (about 2 s), each answer waits one command timeout: on a loaded
    // machine one of these many can take longer for reasons of its own, so the 95th percentile.
    const sorted = results.map((r) => r.ms).sort((x, y) => x - y);
    expect(sorted[Math.floor(sorted.length * 0.95)]!).toBeLessThanOrEqual(COMMAND_TIMEOUT_MS + SLACK_MS);
    expect(await metricValue(service, 'sectoken_redis_errors_total')).toBeGreaterThan(errorsBefore);

    await waitFor(
      async () => {
        const before = (await cacheCounts(service)).redisHits;
        await tokenize(service, 'health', ids[5]!);
        return (await cacheCounts(service)).redisHits > before;
      },
      'Redis hits after SIGCONT',
      5000,
      50,
    );
    expect((await readyz()).body.checks.redis).toBe('ok');
  });
});
