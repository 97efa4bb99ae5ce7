/**
 * The end-to-end half of the bench: real server processes on loopback, driven by autocannon from
 * this process, every case repeated and the repeats interleaved (case A, B, C, then again), medians
 * reported. Also the cache tiers, measured in process against recomputing.
 *
 * Servers: `sectoken serve` (dist/, development keyring, rate limits off, logs and metrics on, one
 * worker and two workers) and bench/bare-server.mjs (express 5 + the same JSON parsing + one
 * createHmac per request, no auth, no validation, no logs).
 *
 * Pinned (when taskset exists): every one-process server on CPU 0, this process (autocannon) on
 * CPU 1, so that a server's figures are one core's. Beside req/s, each case gives the server's CPU
 * time per request (utime + stime from /proc/<pid>/stat over the repeat, workers included): the
 * per-core cost, which a noisy neighbour on the machine disturbs far less than req/s. The
 * 2-worker case cannot be pinned apart from the load generator on two cores: it runs on both.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { freePort, median, randomId, waitHealthy } from './common.js';
import { parseConfig } from '../src/config/schema.js';
import { generateKeyring } from '../src/keys/keyring.js';
import { createMetrics } from '../src/metrics.js';
import { connectRedis } from '../src/store/redis.js';
import { createTokenCache } from '../src/store/tokenCache.js';
import { createDerivationQueue } from '../src/acts/tokens/derivationQueue.js';
import { canonicalNationalId } from '../src/derivation/nationalId.js';
import { createTokenizer } from '../src/derivation/tokenizer.js';

export interface HttpResult {
  name: string;
  connections: number;
  requestsPerSecond: number;
  itemsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** Median over the repeats of the server's CPU time per request (µs), all its processes. */
  cpuUsPerRequest: number;
  /** The CPUs the server ran on ("0", or "0-1" unpinned). */
  serverCpus: string;
  repeats: number[];
  cpuRepeats: number[];
}

export interface CacheResult {
  tier: string;
  medianUsPerToken: number;
  repeats: number[];
}

const TASKSET = ['/usr/bin/taskset', '/bin/taskset'].find((p) => existsSync(p));
const CLOCK_TICKS = ((): number => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** utime + stime of a process and its live children (cluster workers), in µs. */
function cpuMicros(pid: number): number {
  const ticks = (p: number): number => {
    try {
      const fields = readFileSync(`/proc/${p}/stat`, 'utf8').split(') ')[1]!.split(' ');
      return Number(fields[11]) + Number(fields[12]);
    } catch {
      return 0;
    }
  };
  let children: number[] = [];
  try {
    children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number);
  } catch {
    // no /proc children list: the process alone
  }
  return ((ticks(pid) + children.reduce((sum, c) => sum + ticks(c), 0)) * 1e6) / CLOCK_TICKS;
}

async function startProcess(
  args: string[],
  env: Record<string, string>,
  cpus = '0',
): Promise<{ url: string; child: ChildProcess; cpus: string }> {
  const port = await freePort();
  const fullEnv = { PATH: process.env.PATH, HOME: process.env.HOME, ...env, PORT: String(port), HOST: '127.0.0.1' };
  // taskset execs node: the child's pid is the server's.
  const child = TASKSET
    ? spawn(TASKSET, ['-c', cpus, process.execPath, ...args], { env: fullEnv, stdio: 'ignore' })
    : spawn(process.execPath, args, { env: fullEnv, stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}`;
  await waitHealthy(url);
  return { url, child, cpus: TASKSET ? cpus : 'unpinned' };
}

interface HttpCase {
  name: string;
  url: string;
  server: { child: ChildProcess; cpus: string };
  path: string;
  connections: number;
  items: number;
  headers: Record<string, string>;
  body: () => string;
}

async function drive(
  c: HttpCase,
  seconds: number,
): Promise<{ rps: number; p50: number; p99: number; errors: number; cpuUs: number }> {
  const cpuBefore = cpuMicros(c.server.child.pid!);
  const result = await autocannon({
    url: c.url,
    connections: c.connections,
    duration: seconds,
    requests: [
      {
        method: 'POST',
        path: c.path,
        headers: { 'content-type': 'application/json', ...c.headers },
        setupRequest: (req) => ({ ...req, body: c.body() }),
      },
    ],
  });
  const cpuUs = (cpuMicros(c.server.child.pid!) - cpuBefore) / Math.max(1, result.requests.total);
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.non2xx + result.errors,
    cpuUs,
  };
}

export async function httpBench(root: string, repeats: number, seconds: number): Promise<HttpResult[]> {
  const dir = mkdtempSync(join(tmpdir(), 'sectoken-bench-'));
  const config = JSON.parse(readFileSync(join(root, 'config', 'sectoken.dev.json'), 'utf8')) as Record<string, unknown>;
  const configPath = join(dir, 'config.json');
  writeFileSync(configPath, JSON.stringify({ ...config, rateLimits: { defaults: {}, clients: {} } }));
  const cli = join(root, 'dist', 'cli.js');
  // A keyring of its own, made by `keys init` (a start makes development keys only at the default paths).
  const kek = execFileSync(process.execPath, [cli, 'keys', 'new-kek'], { encoding: 'utf8' }).trim();
  const env = {
    SECTOKEN_CONFIG: configPath,
    SECTOKEN_KEYRING: join(dir, 'keyring.json'),
    SECTOKEN_KEK: kek,
    SECTOKEN_AUDIT_DIR: join(dir, 'audit'),
    LOG_LEVEL: 'info',
  };
  execFileSync(process.execPath, [cli, 'keys', 'init'], { env: { ...process.env, ...env }, stdio: 'ignore' });
  // The load generator (this process, all its threads) on CPU 1; one-process servers on CPU 0.
  if (TASKSET) execFileSync(TASKSET, ['-a', '-p', '-c', '1', String(process.pid)], { stdio: 'ignore' });
  const one = await startProcess([cli, 'serve'], { ...env, SECTOKEN_WORKERS: '1', SECTOKEN_INSTANCE_ID: 'bench-1' });
  // Workers without Redis are refused where dual control is configured; the 2-worker case only tokenizes.
  const noDualPath = join(dir, 'config-no-dual-control.json');
  const sectors = Object.fromEntries(
    Object.entries(config.sectors as Record<string, object>).map(([id, s]) => [id, { ...s, dualControl: false }]),
  );
  const legalBases = (config.legalBases as object[]).map((b) => ({ ...b, dualControl: false }));
  writeFileSync(
    noDualPath,
    JSON.stringify({ ...config, sectors, legalBases, rateLimits: { defaults: {}, clients: {} } }),
  );
  const two = await startProcess(
    [cli, 'serve'],
    { ...env, SECTOKEN_CONFIG: noDualPath, SECTOKEN_WORKERS: '2', SECTOKEN_INSTANCE_ID: 'bench-2' },
    '0-1',
  );
  const bare = await startProcess([join(root, 'bench', 'bare-server.mjs')], {});
  try {
    const service = { authorization: 'Bearer stk_dev_welfare-backend' };
    const tax = { authorization: 'Bearer stk_dev_tax-backend' };
    const ids = Array.from({ length: 1000 }, randomId);
    const prepared = (await (
      await fetch(`${one.url}/v1/tokens/batch`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...tax },
        body: JSON.stringify({ sector: 'tax', nationalIds: ids }),
      })
    ).json()) as { results: { token: string }[] };
    const taxTokens = prepared.results.map((r) => r.token);
    let n = 0;
    const cases: HttpCase[] = [
      {
        name: 'bare express + createHmac, POST',
        url: bare.url,
        server: bare,
        path: '/v1/tokens',
        connections: 20,
        items: 1,
        headers: {},
        body: () => JSON.stringify({ sector: 'social', nationalId: randomId() }),
      },
      {
        name: 'sectoken POST /v1/tokens (one-way), 1 worker',
        url: one.url,
        server: one,
        path: '/v1/tokens',
        connections: 20,
        items: 1,
        headers: service,
        body: () => JSON.stringify({ sector: 'social', nationalId: randomId() }),
      },
      {
        name: 'sectoken POST /v1/tokens (one-way), 2 workers',
        url: two.url,
        server: two,
        path: '/v1/tokens',
        connections: 20,
        items: 1,
        headers: service,
        body: () => JSON.stringify({ sector: 'social', nationalId: randomId() }),
      },
      {
        name: 'sectoken POST /v1/tokens (reversible tax), 1 worker',
        url: one.url,
        server: one,
        path: '/v1/tokens',
        connections: 20,
        items: 1,
        headers: tax,
        body: () => JSON.stringify({ sector: 'tax', nationalId: randomId() }),
      },
      {
        name: 'sectoken POST /v1/tokens/batch of 1000 (tax), 1 worker',
        url: one.url,
        server: one,
        path: '/v1/tokens/batch',
        connections: 4,
        items: 1000,
        headers: tax,
        body: () => JSON.stringify({ sector: 'tax', nationalIds: Array.from({ length: 1000 }, randomId) }),
      },
      {
        name: 'sectoken POST /v1/reverse (audited, fsync), 1 worker',
        url: one.url,
        server: one,
        path: '/v1/reverse',
        connections: 20,
        items: 1,
        headers: { authorization: 'Bearer stk_dev_regulator-cndp' },
        body: () =>
          JSON.stringify({
            sector: 'tax',
            token: taxTokens[n++ % taxTokens.length],
            legalBasis: 'LOI-09-08-ART-4',
            caseId: 'BENCH-1',
            purpose: 'benchmark',
          }),
      },
    ];
    const samples = cases.map(() => [] as { rps: number; p50: number; p99: number; errors: number; cpuUs: number }[]);
    for (const c of cases) await drive(c, 1); // warm-up
    for (let r = 0; r < repeats; r++) {
      for (const [k, c] of cases.entries()) samples[k]!.push(await drive(c, seconds));
    }
    return cases.map((c, k) => {
      const s = samples[k]!;
      if (s.some((x) => x.errors > 0)) throw new Error(`bench: ${c.name} had non-2xx answers`);
      const rps = median(s.map((x) => x.rps));
      return {
        name: c.name,
        connections: c.connections,
        requestsPerSecond: rps,
        itemsPerSecond: rps * c.items,
        p50Ms: median(s.map((x) => x.p50)),
        p99Ms: median(s.map((x) => x.p99)),
        cpuUsPerRequest: median(s.map((x) => x.cpuUs)),
        serverCpus: c.server.cpus,
        repeats: s.map((x) => Math.round(x.rps)),
        cpuRepeats: s.map((x) => Number(x.cpuUs.toFixed(1))),
      };
    });
  } finally {
    for (const p of [one, two, bare]) p.child.kill('SIGTERM');
    if (TASKSET)
      execFileSync(TASKSET, ['-a', '-p', '-c', `0-${Math.max(0, cpus().length - 1)}`, String(process.pid)], {
        stdio: 'ignore',
      });
  }
}

/**
 * One token looked up in each cache tier, against computing it (a one-token batch through the
 * tokenizer, what a miss costs). The Redis tier uses the machine's redis-server on 127.0.0.1:6379
 * if there is one, under its own prefix, and is skipped otherwise.
 */
export async function cacheBench(root: string, repeats: number): Promise<CacheResult[]> {
  const config = parseConfig(JSON.parse(readFileSync(join(root, 'config', 'sectoken.dev.json'), 'utf8')), 'sample');
  const keyring = generateKeyring(Object.keys(config.sectors), true);
  const tokenizer = createTokenizer(config, keyring);
  const redis = connectRedis({
    url: 'redis://127.0.0.1:6379',
    clusterNodes: undefined,
    prefix: `sectoken-bench-${process.pid}:`,
    commandTimeoutMs: 200,
  });
  await new Promise((r) => setTimeout(r, 300));
  const withRedis = redis?.state() === 'ok';
  const cacheConfig = { cache: { lruEntries: 10_000, ttlSeconds: 600, redis: { reversible: true, 'one-way': true } } };
  const lru = createTokenCache(cacheConfig, keyring.cacheIndex, undefined, createMetrics(false));
  const redisOnly = createTokenCache(
    { cache: { ...cacheConfig.cache, lruEntries: 0 } },
    keyring.cacheIndex,
    withRedis ? redis : undefined,
    createMetrics(false),
  );
  const ids = Array.from({ length: 500 }, () => canonicalNationalId(randomId()));
  const queue = createDerivationQueue();
  const results: CacheResult[] = [];
  try {
    for (const [policy, sector] of [
      ['reversible', 'tax'],
      ['one-way', 'social'],
    ] as const) {
      const tokens = tokenizer.tokenizeMany(sector, ids);
      const indexes = ids.map((id) => lru.indexOf(sector, 1, id));
      await lru.setMany(
        policy,
        indexes.map((index, k) => [index, tokens[k]!] as const),
      );
      if (withRedis)
        await redisOnly.setMany(
          policy,
          indexes.map((index, k) => [index, tokens[k]!] as const),
        );
      const tiers: [string, () => Promise<unknown>][] = [
        [
          `${policy} (${sector}): recompute`,
          async () => {
            for (const id of ids) await Promise.resolve(tokenizer.tokenizeMany(sector, [id]));
          },
        ],
        // What single requests cost without a cache under load: several per turn, derived together.
        [
          `${policy} (${sector}): recompute, 10 requests per turn (derivation queue)`,
          async () => {
            for (let i = 0; i < ids.length; i += 10)
              await Promise.all(ids.slice(i, i + 10).map((id) => queue.token(tokenizer, sector, id)));
          },
        ],
        [
          `${policy} (${sector}): LRU hit (blind index + lookup)`,
          async () => {
            for (const id of ids) await lru.getMany(policy, [lru.indexOf(sector, 1, id)]);
          },
        ],
      ];
      if (withRedis)
        tiers.push([
          `${policy} (${sector}): Redis hit (blind index + GET, sequential)`,
          async () => {
            for (const id of ids) await redisOnly.getMany(policy, [redisOnly.indexOf(sector, 1, id)]);
          },
        ]);
      const samples = tiers.map(() => [] as number[]);
      for (let r = 0; r < repeats; r++) {
        for (const [k, [, run]] of tiers.entries()) {
          const t0 = process.hrtime.bigint();
          await run();
          samples[k]!.push(Number(process.hrtime.bigint() - t0) / 1000 / ids.length);
        }
      }
      tiers.forEach(([tier], k) =>
        results.push({
          tier,
          medianUsPerToken: median(samples[k]!),
          repeats: samples[k]!.map((x) => Number(x.toFixed(3))),
        }),
      );
    }
    if (withRedis) {
      const keys = await redis.client.keys(`${redis.prefix}*`);
      if (keys.length > 0) await redis.client.del(...keys);
    }
  } finally {
    await redis?.close();
  }
  return results;
}
