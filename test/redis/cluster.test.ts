/**
 * Redis Cluster (SPEC "Redis": "Scale-out: many stateless instances, and Redis Cluster"): a private
 * cluster of three masters; two instances on it (REDIS_CLUSTER_NODES) give identical tokens,
 * share the token cache and a rate limit, and share dual-control requests, whose keys carry the
 * {req} hash tag so that the compare-and-set script's keys live in one slot.
 */
import { Cluster } from 'ioredis';
import request from 'supertest';
import type { Service } from '../../src/service.js';
import { startTestService, type TestService } from '../helpers/service.js';
import {
  approve,
  askReverse,
  cacheCounts,
  cacheWritten,
  configWith,
  fetchResult,
  keysUnder,
  randomNationalIds,
  redisReady,
  redisSettings,
  secondInstance,
  startRedisCluster,
  tokenize,
  tokenizeBatch,
  waitFor,
  type RedisTestCluster,
} from './helpers.js';

// Started before the tests, and never skipped: where redis-server cannot make a cluster, every test
// here fails naming why (a suite that passed without them would not have tested the cluster).
let cluster: RedisTestCluster | undefined;
let noCluster: string | undefined;
try {
  cluster = await startRedisCluster(3);
} catch (err) {
  noCluster = (err as Error).message;
}

const PREFIX = 'sectoken-cluster:';

/**
 * The keys of the `command` calls a service's cluster client makes while `work` runs, with what
 * Redis answered (null for no value), or 'failed' where it did not answer (a command timeout on a
 * loaded machine): so that "B finds what A stored" is checked on what Redis did, not on timing.
 */
async function outcomesDuring(
  service: Service,
  command: 'get' | 'set',
  work: () => Promise<void>,
): Promise<Map<string, unknown>> {
  const client = service.redis!.client as unknown as Record<
    string,
    (key: string, ...rest: unknown[]) => Promise<unknown>
  >;
  const original = client[command]!.bind(client);
  const outcomes = new Map<string, unknown>();
  client[command] = (key, ...rest) =>
    original(key, ...rest).then(
      (answer) => {
        outcomes.set(key, answer);
        return answer;
      },
      (err: unknown) => {
        outcomes.set(key, 'failed');
        throw err;
      },
    );
  try {
    await work();
  } finally {
    Reflect.deleteProperty(client, command);
  }
  return outcomes;
}

describe('two instances on a Redis Cluster of three masters', () => {
  let a: TestService;
  let b: Service;
  let inspector: Cluster;

  beforeAll(async () => {
    if (!cluster)
      throw new Error(
        `redis-server could not start a Redis Cluster of three masters here, so these tests cannot run (they are not skipped): ${noCluster}`,
      );
    a = startTestService({
      config: configWith({
        cache: { lruEntries: 0 },
        rateLimits: { defaults: {}, clients: { 'tax-backend': { identities: [{ points: 3, perSeconds: 60 }] } } },
      }),
      settings: { instanceId: 'a', redis: redisSettings({ clusterNodes: cluster.nodes }, PREFIX) },
    });
    b = secondInstance(a, 'b');
    inspector = new Cluster(cluster.nodes.map((node) => ({ host: '127.0.0.1', port: Number(node.split(':')[1]) })));
    await redisReady(a, 10_000);
    await redisReady(b, 10_000);
    await waitFor(() => inspector.status === 'ready', 'the inspecting client', 10_000);
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    inspector?.disconnect();
    await cluster?.stop();
  });

  it("when A and B tokenize, then the tokens are identical, B finds A's in the cluster, and the entries are spread over the masters", async () => {
    const ready = await request(a.app).get('/readyz');
    expect(ready.body.checks.redis).toBe('ok');
    const ids = randomNationalIds(24);
    for (const sector of ['health', 'social', 'telecom']) {
      let fromA: request.Response | undefined;
      const stored = await outcomesDuring(a, 'set', async () => {
        fromA = await tokenizeBatch(a, sector, ids);
        await cacheWritten(a);
      });
      expect(fromA!.status).toBe(200);
      expect(fromA!.body.results).toEqual(ids.map((id) => ({ token: a.tokenizer().tokenize(sector, id).token })));
      const before = await cacheCounts(b);
      let fromB: request.Response | undefined;
      const found = await outcomesDuring(b, 'get', async () => {
        fromB = await tokenizeBatch(b, sector, ids);
      });
      expect(fromB!.body.results).toEqual(fromA!.body.results);
      const after = await cacheCounts(b);
      // Every entry A stored and B asked for with an answer, B found: all 24 but on a stalled machine.
      const storedAndAsked = [...stored].filter(
        ([key, answer]) => answer === 'OK' && found.has(key) && found.get(key) !== 'failed',
      );
      expect(storedAndAsked.length).toBeGreaterThan(ids.length / 2);
      expect(storedAndAsked.filter(([key]) => typeof found.get(key) !== 'string')).toEqual([]);
      expect(after.redisHits - before.redisHits).toBeGreaterThanOrEqual(storedAndAsked.length);
      expect(after.redisHits - before.redisHits + after.redisMisses - before.redisMisses).toBe(ids.length);
    }
    const perMaster = await Promise.all(inspector.nodes('master').map((node) => keysUnder(node, `${PREFIX}tok:`)));
    expect(perMaster.flat()).toHaveLength(3 * ids.length);
    expect(perMaster.filter((keys) => keys.length > 0).length).toBeGreaterThanOrEqual(2);
  });

  it('when A and B tokenize for one client and sector, then they share its limit: the 4th is refused', async () => {
    const ids = randomNationalIds(4);
    expect((await tokenize(a, 'tax', ids[0]!)).status).toBe(200);
    expect((await tokenize(b, 'tax', ids[1]!)).status).toBe(200);
    expect((await tokenize(a, 'tax', ids[2]!)).status).toBe(200);
    for (const service of [b, a]) {
      const refused = await tokenize(service, 'tax', ids[3]!);
      expect([refused.status, refused.body.error?.code]).toEqual([429, 'rate_limited']);
      expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    }
  });

  it('when a request is made on A and approved on B, then A fetches the national ID once, and a race for it has one winner', async () => {
    const [x, y] = randomNationalIds(2) as [string, string];
    const requestId = await askReverse(a, a.tokenizer().tokenize('health', x).token);
    expect((await fetchResult(b, requestId)).status).toBe(202);
    const approved = await approve(b, requestId);
    expect([approved.status, approved.body.status]).toEqual([200, 'approved']);
    const released = await fetchResult(a, requestId);
    expect([released.status, released.body.nationalId]).toEqual([200, x]);
    const again = await fetchResult(b, requestId);
    expect([again.status, again.body.error?.code]).toEqual([409, 'request_closed']);

    const raced = await askReverse(b, a.tokenizer().tokenize('health', y).token);
    expect((await approve(a, raced)).status).toBe(200);
    const answers = await Promise.all([fetchResult(a, raced), fetchResult(b, raced)]);
    expect(answers.map((r) => r.status).sort()).toEqual([200, 409]);
    expect(answers.find((r) => r.status === 200)!.body.nationalId).toBe(y);

    // Every request key is in the {req} slot, on one master.
    const perMaster = await Promise.all(inspector.nodes('master').map((node) => keysUnder(node, `${PREFIX}{req}:`)));
    expect(perMaster.filter((keys) => keys.length > 0)).toHaveLength(1);
    expect(perMaster.flat().sort()).toEqual(
      [`${PREFIX}{req}:${raced}`, `${PREFIX}{req}:${requestId}`, `${PREFIX}{req}:live`].sort(),
    );
  });
});
