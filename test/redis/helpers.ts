/**
 * Real Redis for the Redis integration tests: private redis-server processes (one server, or a
 * three-master cluster) on free ports, stopped by their pid; and, for the tests that do not stop
 * Redis, the machine's shared redis-server at 127.0.0.1:6379 under a key prefix of their own, of
 * which only their keys are deleted afterwards.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Cluster, Redis } from 'ioredis';
import request from 'supertest';
import type { Settings } from '../../src/config/env.js';
import { createLogger } from '../../src/log.js';
import { createService, type Service } from '../../src/service.js';
import { bearer, devConfig, startTestService, type TestService } from '../helpers/service.js';
import { SERVICE_OF } from '../acts/helpers.js';

const run = promisify(execFile);
export const SHARED_REDIS_PORT = 6379;

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until `check` holds; fails with `what` after `timeoutMs`. */
export async function waitFor(
  check: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 5000,
  everyMs = 25,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

const portIsFree = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });

/** A free port P; with `clusterBus`, P + 10000 (the cluster bus) is free as well. */
export async function freePort(clusterBus = false): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = 20000 + Math.floor(Math.random() * 12000);
    if ((await portIsFree(port)) && (!clusterBus || (await portIsFree(port + 10000)))) return port;
  }
  throw new Error('no free port found');
}

/** One PING over a raw socket, so that no Redis client (and no handle) is left behind. */
export function ping(port: number, timeoutMs = 300): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    let reply = '';
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      reply += chunk.toString('latin1');
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG'));
    });
  });
}

export const redisCli = async (port: number, ...args: string[]): Promise<string> =>
  (await run('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args], { timeout: 10_000 })).stdout;

// Whatever happens to a test, no redis-server it started outlives the jest worker.
const children = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

export interface RedisServer {
  port: number;
  url: string;
  /** The running process's pid, undefined while stopped. */
  pid(): number | undefined;
  /** Stops the process by its pid and waits for it to exit (SIGKILL: a crash, no goodbye). */
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** Starts it again on the same port (empty: nothing is saved). */
  restart(): Promise<void>;
  /** SIGSTOP / SIGCONT: a Redis that hangs with its connections open. */
  pause(): void;
  resume(): void;
}

/** redis-server on a free port, no persistence, in a temporary directory; resolves once it answers PING. */
export async function startRedisServer(options: { port?: number; args?: string[] } = {}): Promise<RedisServer> {
  const port = options.port ?? (await freePort());
  const dir = mkdtempSync(join(tmpdir(), 'sectoken-redis-'));
  let child: ChildProcess | undefined;
  let output = '';

  const launch = async (): Promise<void> => {
    output = '';
    const proc = spawn(
      'redis-server',
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        '--dir',
        dir,
        ...(options.args ?? []),
      ],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    child = proc;
    children.add(proc);
    proc.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    proc.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    let exited = false;
    proc.once('exit', () => {
      exited = true;
      children.delete(proc);
    });
    let spawnError: Error | undefined;
    proc.once('error', (err) => (spawnError = err));
    try {
      await waitFor(
        async () => spawnError !== undefined || exited || (await ping(port)),
        `redis-server on port ${port}`,
        5000,
      );
    } catch (err) {
      proc.kill('SIGKILL');
      throw err;
    }
    if (spawnError || exited) {
      throw new Error(
        `redis-server did not start on port ${port}: ${spawnError?.message ?? output.trim().split('\n').slice(-3).join(' | ')}`,
      );
    }
  };

  const stop = async (signal: NodeJS.Signals = 'SIGKILL'): Promise<void> => {
    const proc = child;
    if (proc?.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    process.kill(proc.pid!, 'SIGCONT'); // a paused server would not act on SIGTERM
    process.kill(proc.pid!, signal);
    await exited;
    child = undefined;
  };

  await launch();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    pid: () => child?.pid,
    stop,
    async restart() {
      await stop();
      await launch();
    },
    pause() {
      if (child?.pid) process.kill(child.pid, 'SIGSTOP');
    },
    resume() {
      if (child?.pid) process.kill(child.pid, 'SIGCONT');
    },
  };
}

export interface RedisTestCluster {
  nodes: string[];
  servers: RedisServer[];
  stop(): Promise<void>;
}

/** A cluster of `masters` masters without replicas; resolves when every node says cluster_state:ok. */
export async function startRedisCluster(masters = 3): Promise<RedisTestCluster> {
  const servers: RedisServer[] = [];
  const stop = async (): Promise<void> => {
    await Promise.all(servers.map((s) => s.stop()));
  };
  try {
    const dir = mkdtempSync(join(tmpdir(), 'sectoken-cluster-'));
    for (let i = 0; i < masters; i++) {
      const port = await freePort(true);
      servers.push(
        await startRedisServer({
          port,
          args: [
            '--cluster-enabled',
            'yes',
            '--cluster-config-file',
            join(dir, `nodes-${port}.conf`),
            '--cluster-node-timeout',
            '5000',
          ],
        }),
      );
    }
    const nodes = servers.map((s) => `127.0.0.1:${s.port}`);
    await run('redis-cli', ['--cluster', 'create', ...nodes, '--cluster-replicas', '0', '--cluster-yes'], {
      timeout: 20_000,
    });
    for (const server of servers) {
      await waitFor(
        async () => (await redisCli(server.port, 'cluster', 'info')).includes('cluster_state:ok'),
        `cluster_state:ok on ${server.port}`,
        15_000,
        100,
      );
    }
    return { nodes, servers, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** A key prefix no other test file uses. */
export const uniquePrefix = (): string => `sectoken-test-${randomBytes(6).toString('hex')}:`;

const globEscape = (s: string): string => s.replace(/[*?[\]\\]/g, (c) => `\\${c}`);

export interface KeyDump {
  key: string;
  type: string;
  /** Every string the key holds: the value, hash fields and values, set and list members, zset members and scores. */
  values: string[];
  hash?: Record<string, string>;
}

async function scanNode(client: Redis, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await client.scan(cursor, 'MATCH', `${globEscape(prefix)}*`, 'COUNT', 1000);
    cursor = next;
    keys.push(...batch);
  } while (cursor !== '0');
  return [...new Set(keys)];
}

/** Every key under `prefix` (on every master of a cluster). */
export async function keysUnder(client: Redis | Cluster, prefix: string): Promise<string[]> {
  if (client instanceof Cluster)
    return (await Promise.all(client.nodes('master').map((node) => scanNode(node, prefix)))).flat();
  return scanNode(client, prefix);
}

/** SCAN every key under `prefix` and read whatever it holds. */
export async function dumpKeys(client: Redis, prefix: string): Promise<KeyDump[]> {
  const dump: KeyDump[] = [];
  for (const key of await keysUnder(client, prefix)) {
    const type = await client.type(key);
    switch (type) {
      case 'string':
        dump.push({ key, type, values: [(await client.get(key)) ?? ''] });
        break;
      case 'hash': {
        const hash = await client.hgetall(key);
        dump.push({ key, type, values: Object.entries(hash).flat(), hash });
        break;
      }
      case 'zset':
        dump.push({ key, type, values: (await client.zrange(key, '0', '-1', 'WITHSCORES')).flat().map(String) });
        break;
      case 'set':
        dump.push({ key, type, values: await client.smembers(key) });
        break;
      case 'list':
        dump.push({ key, type, values: await client.lrange(key, '0', '-1') });
        break;
      case 'none': // expired between SCAN and TYPE
        break;
      default:
        dump.push({ key, type, values: [] });
    }
  }
  return dump;
}

export async function deleteKeysUnder(client: Redis, prefix: string): Promise<number> {
  const keys = await keysUnder(client, prefix);
  for (let i = 0; i < keys.length; i += 500) await client.del(...keys.slice(i, i + 500));
  return keys.length;
}

export interface SharedTestRedis {
  url: string;
  /** This test file's prefix; every service of the file uses it or a longer one. */
  prefix: string;
  client: Redis;
  /** Deletes the keys under the prefix (and nothing else), closes the client, stops a fallback server. */
  cleanup(): Promise<void>;
}

/**
 * The shared redis-server at 127.0.0.1:6379 with a prefix of this file's own. Should it not be
 * running, a private one takes its place, so that the tests still run against a real Redis.
 */
export async function sharedRedis(): Promise<SharedTestRedis> {
  const prefix = uniquePrefix();
  let fallback: RedisServer | undefined;
  let url = `redis://127.0.0.1:${SHARED_REDIS_PORT}`;
  if (!(await ping(SHARED_REDIS_PORT, 500))) {
    fallback = await startRedisServer();
    url = fallback.url;
  }
  const client = new Redis(url, { maxRetriesPerRequest: 1 });
  return {
    url,
    prefix,
    client,
    async cleanup() {
      try {
        await deleteKeysUnder(client, prefix);
        expect(await keysUnder(client, prefix)).toEqual([]);
      } finally {
        client.disconnect();
        await fallback?.stop();
      }
    },
  };
}

export const redisSettings = (
  redis: { url?: string | undefined; clusterNodes?: string[] | undefined },
  prefix: string,
  commandTimeoutMs = 1000,
): Settings['redis'] => ({
  url: redis.url,
  clusterNodes: redis.clusterNodes,
  prefix,
  commandTimeoutMs,
});

/** The development configuration with the given cache and rate limits (none unless given). */
export function configWith(
  options: { cache?: Record<string, unknown>; rateLimits?: Record<string, unknown> } = {},
): Record<string, unknown> {
  return {
    ...devConfig(),
    rateLimits: options.rateLimits ?? { defaults: {}, clients: {} },
    cache: { lruEntries: 100_000, ttlSeconds: 3600, redis: { reversible: true, 'one-way': true }, ...options.cache },
  };
}

/** A second instance sharing the first one's keyring, configuration, audit directory and Redis. */
export const secondInstance = (first: TestService, instanceId = 'b'): Service =>
  createService({ ...first.settings, instanceId }, createLogger('silent'));

export async function redisReady(service: Service, timeoutMs = 5000): Promise<void> {
  await waitFor(() => service.redis?.state() === 'ok', 'the service to connect to Redis', timeoutMs);
}

export interface InstancePair {
  shared: SharedTestRedis;
  a: TestService;
  b: Service;
  /** Stops both instances, then deletes the file's keys. */
  close(): Promise<void>;
}

/** Two instances (a, and b on a's keyring) of one configuration on the shared redis-server under this file's prefix, both connected. */
export async function twoInstances(config: Record<string, unknown>): Promise<InstancePair> {
  const shared = await sharedRedis();
  const a = startTestService({
    config,
    settings: { instanceId: 'a', redis: redisSettings({ url: shared.url }, shared.prefix) },
  });
  const b = secondInstance(a, 'b');
  const close = async (): Promise<void> => {
    await a.close();
    await b.close();
    await shared.cleanup();
  };
  try {
    await redisReady(a);
    await redisReady(b);
  } catch (err) {
    await close();
    throw err;
  }
  return { shared, a, b, close };
}

/**
 * Waits until Redis has run every command the service sent so far: its cache SETs go out without
 * being awaited (src/store/tokenCache.ts), and a PING on each of its connections answers after them.
 */
export async function cacheWritten(service: Service): Promise<void> {
  const client = service.redis!.client;
  if (client instanceof Cluster) await Promise.all(client.nodes('master').map((node) => node.ping()));
  else await client.ping();
}

/** The value of a counter or gauge of a service (served or internal), for one label set (0 when absent). */
export async function metricValue(
  service: Service,
  name: string,
  labels: Record<string, string> = {},
): Promise<number> {
  const metric = service.metrics.registry.getSingleMetric(name) ?? service.metrics.internal.getSingleMetric(name);
  if (!metric) throw new Error(`no metric ${name}`);
  const { values } = await metric.get();
  const match = values.find(
    (v) =>
      Object.entries(labels).every(([k, want]) => String(v.labels[k]) === want) &&
      Object.keys(v.labels).length === Object.keys(labels).length,
  );
  return match?.value ?? 0;
}

/** Cache counters of a service, per tier. */
export async function cacheCounts(
  service: Service,
): Promise<{ lruHits: number; lruMisses: number; redisHits: number; redisMisses: number }> {
  return {
    lruHits: await metricValue(service, 'sectoken_cache_hits_total', { tier: 'lru' }),
    lruMisses: await metricValue(service, 'sectoken_cache_misses_total', { tier: 'lru' }),
    redisHits: await metricValue(service, 'sectoken_cache_hits_total', { tier: 'redis' }),
    redisMisses: await metricValue(service, 'sectoken_cache_misses_total', { tier: 'redis' }),
  };
}

/** The token in a Redis cache value (`<token>.<tag>`), null when there is none. */
export const tokenOfValue = (value: string | null): string | null =>
  !value?.includes('.') ? null : value.slice(0, value.lastIndexOf('.'));

/** Random national IDs of two letters and six digits: long enough never to appear by chance in Redis. */
export function randomNationalIds(count: number): string[] {
  const ids = new Set<string>();
  while (ids.size < count) {
    const letters = String.fromCharCode(65 + randomInt(26), 65 + randomInt(26));
    ids.add(letters + String(randomInt(1_000_000)).padStart(6, '0'));
  }
  return [...ids];
}

/** HTTP calls of the tests, in process (supertest), as a given client of the development configuration. */
export const post = (service: Service, path: string, client: string, body: object) =>
  request(service.app).post(path).set('Authorization', bearer(client)).send(body);
export const get = (service: Service, path: string, client: string) =>
  request(service.app).get(path).set('Authorization', bearer(client));

/** POST /v1/tokens as the sector's service client. */
export const tokenize = (service: Service, sector: string, nationalId: string) =>
  post(service, '/v1/tokens', SERVICE_OF[sector]!, { sector, nationalId });
export const tokenizeBatch = (service: Service, sector: string, nationalIds: string[]) =>
  post(service, '/v1/tokens/batch', SERVICE_OF[sector]!, { sector, nationalIds });

export const act = { caseId: 'CASE-2026-REDIS-7731', purpose: 'Inquiry into unlawful processing by a clinic' };

/** A dual-control reverse in health: regulator-cndp asks, and gets a request id (202). */
export async function askReverse(service: Service, token: string): Promise<string> {
  const res = await post(service, '/v1/reverse', 'regulator-cndp', {
    sector: 'health',
    token,
    legalBasis: 'CNDP-D-97-2020',
    ...act,
  });
  expect(res.status).toBe(202);
  expect(res.body.requestId).toMatch(/^[A-Za-z0-9_-]{22}$/);
  return res.body.requestId as string;
}
export const approve = (service: Service, id: string, client = 'regulator-health') =>
  post(service, `/v1/reverse/requests/${id}/approve`, client, {});
export const deny = (service: Service, id: string, client = 'regulator-health') =>
  post(service, `/v1/reverse/requests/${id}/deny`, client, {});
export const fetchResult = (service: Service, id: string, client = 'regulator-cndp') =>
  get(service, `/v1/reverse/requests/${id}`, client);
