#!/usr/bin/env node
// Load test of sectoken with autocannon (`npm run load -- …`; `--help` lists the options).
//
// Without --url it starts its own server from dist/ (run `npm run build` first): a temporary
// directory with a copy of config/sectoken.dev.json without rate limits, a development keyring and
// audit log of its own, and two clients made with the real CLI (`sectoken clients add`). With --url
// it loads a server you started, using SECTOKEN_LOAD_SERVICE_KEY and SECTOKEN_LOAD_REGULATOR_KEY
// (default: the published development keys). Requests only ever go to a loopback address.
//
// One autocannon request template picks an operation by weight for every request (tokenize,
// batch, reverse, translate); responses are counted by status and error code. The summary gives
// requests/s, tokens/s, latency p50/p90/p99/p99.9 of 2xx answers (µs resolution) and errors.
// --soak samples the server's RSS, heap and active handles every --sample-every and exits 1 if
// they grow without bound (or RSS ends above --max-rss).
import { execFileSync, spawn } from 'node:child_process';
import { lookup } from 'node:dns/promises';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, hostname, tmpdir, totalmem } from 'node:os';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(ROOT, 'dist', 'cli.js');
const OPERATIONS = ['tokenize', 'batch', 'reverse', 'translate'];
const DEV_SERVICE_KEY = 'stk_dev_tax-backend';
const DEV_REGULATOR_KEY = 'stk_dev_regulator-cndp';
const DEV_OPERATOR_KEY = 'stk_dev_operator';
const PREPARED_TOKENS = 200;

const USAGE = `usage: npm run load -- [options]

  --url URL            a running sectoken on a loopback address (127.0.0.0/8, localhost, ::1);
                       without it the script starts its own server from dist/ (npm run build)
  --mix OPS            operations and weights, e.g. tokenize:80,batch:15,reverse:5
                       (tokenize, batch, reverse, translate; default tokenize:80,batch:15,reverse:5)
  --duration D         e.g. 30s, 2m (default 60s)
  --connections N      concurrent connections (default 50)
  --batch-size N       national IDs per batch request (default 100)
  --sectors LIST       sectors to tokenize in, picked at random (default tax)
  --soak               sample RSS, heap and active handles; exit 1 if they grow without bound
  --sample-every D     soak sampling period (default 10s)
  --max-rss MB         soak: fail if the last RSS sample is above this (default 200)
  --json FILE          also write the summary as JSON

With --url the API keys come from SECTOKEN_LOAD_SERVICE_KEY (a service client of the sectors) and
SECTOKEN_LOAD_REGULATOR_KEY (a regulator of tax and social); the defaults are the development keys
${DEV_SERVICE_KEY} and ${DEV_REGULATOR_KEY}; --soak reads /metrics with SECTOKEN_LOAD_OPERATOR_KEY (an
operator client; default ${DEV_OPERATOR_KEY}). Reverse uses legal basis LOI-09-08-ART-4 on tax,
translate tax→social under CSS-FRAUD-2026; a server with the sample rate limits answers most of
them 429.`;

class UsageError extends Error {}

// ---------------------------------------------------------------------------------------------
// options

function parseArgs(argv) {
  const opts = {
    url: undefined,
    mix: 'tokenize:80,batch:15,reverse:5',
    duration: '60s',
    connections: '50',
    batchSize: '100',
    sectors: 'tax',
    soak: false,
    sampleEvery: '10s',
    maxRss: '200',
    json: undefined,
  };
  const names = {
    '--url': 'url',
    '--mix': 'mix',
    '--duration': 'duration',
    '--connections': 'connections',
    '--batch-size': 'batchSize',
    '--sectors': 'sectors',
    '--sample-every': 'sampleEvery',
    '--max-rss': 'maxRss',
    '--json': 'json',
  };
  for (let i = 0; i < argv.length; i++) {
    let arg = argv[i];
    let value;
    const eq = arg.indexOf('=');
    if (arg.startsWith('--') && eq > 0) {
      value = arg.slice(eq + 1);
      arg = arg.slice(0, eq);
    }
    if (arg === '--help' || arg === '-h') {
      process.stdout.write(USAGE + '\n');
      process.exit(0);
    } else if (arg === '--soak') {
      opts.soak = true;
    } else if (names[arg]) {
      if (value === undefined) {
        value = argv[++i];
        if (value === undefined) throw new UsageError(`${arg} needs a value`);
      }
      opts[names[arg]] = value;
    } else {
      throw new UsageError(`unknown option ${arg}`);
    }
  }
  const durationS = parseDuration(opts.duration, '--duration');
  const sampleEveryS = parseDuration(opts.sampleEvery, '--sample-every');
  const connections = parseInteger(opts.connections, '--connections', 1, 10_000);
  const batchSize = parseInteger(opts.batchSize, '--batch-size', 1, 100_000);
  const maxRssMb = parseInteger(opts.maxRss, '--max-rss', 1, 1_000_000);
  const sectors = opts.sectors
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (sectors.length === 0 || sectors.some((s) => !/^[a-z0-9_-]{1,64}$/i.test(s)))
    throw new UsageError('--sectors must be comma-separated sector ids');
  return {
    url: opts.url,
    mix: parseMix(opts.mix),
    durationS,
    sampleEveryS,
    connections,
    batchSize,
    maxRssMb,
    sectors,
    soak: opts.soak,
    json: opts.json,
  };
}

function parseDuration(text, name) {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(String(text).trim());
  if (!m) throw new UsageError(`${name} must be a duration such as 30s, 2m or 1h (got "${text}")`);
  const seconds = Number(m[1]) * { ms: 0.001, s: 1, m: 60, h: 3600 }[m[2] ?? 's'];
  if (seconds < 1 || seconds > 7 * 86400) throw new UsageError(`${name} must be between 1s and 7 days`);
  return seconds;
}

function parseInteger(text, name, min, max) {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new UsageError(`${name} must be an integer in [${min}, ${max}]`);
  return n;
}

function parseMix(text) {
  const mix = [];
  for (const part of String(text)
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const [op, weightText, ...rest] = part.split(':');
    if (!OPERATIONS.includes(op) || rest.length > 0)
      throw new UsageError(`--mix: "${part}" is not op:weight with op one of ${OPERATIONS.join(', ')}`);
    const weight = weightText === undefined ? 1 : Number(weightText);
    if (!Number.isFinite(weight) || weight < 0) throw new UsageError(`--mix: the weight of ${op} must be a number ≥ 0`);
    if (mix.some((m) => m.op === op)) throw new UsageError(`--mix: ${op} is given twice`);
    if (weight > 0) mix.push({ op, weight });
  }
  if (mix.length === 0) throw new UsageError('--mix needs at least one operation with a weight above 0');
  return mix;
}

// ---------------------------------------------------------------------------------------------
// loopback only

async function checkLoopback(text) {
  let url;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`--url "${text}" is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new UsageError(`--url must be http:// or https:// (got ${url.protocol})`);
  if (url.username || url.password || url.search || url.hash)
    throw new UsageError('--url must not carry credentials, a query or a fragment');
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const refuse = () =>
    new UsageError(
      `refusing --url ${url.origin}: the load test only targets a loopback address (127.0.0.0/8, localhost or ::1), never "${host}"`,
    );
  if (host === 'localhost') {
    const addresses = await lookup('localhost', { all: true });
    if (addresses.length === 0 || !addresses.every((a) => isLoopbackAddress(a.address))) throw refuse();
  } else if (!isLoopbackAddress(host)) {
    throw refuse();
  }
  return url.origin + url.pathname.replace(/\/+$/, '');
}

function isLoopbackAddress(address) {
  const family = isIP(address);
  if (family === 4) return address.split('.')[0] === '127';
  if (family === 6) return address === '::1' || address === '0:0:0:0:0:0:0:1';
  return false;
}

// ---------------------------------------------------------------------------------------------
// our own server

function childEnv(extra) {
  // SECTOKEN_LOAD_NODE_OPTIONS reaches the server only (e.g. V8 heap flags to try against the RSS goal).
  const nodeOptions = process.env.SECTOKEN_LOAD_NODE_OPTIONS
    ? { NODE_OPTIONS: process.env.SECTOKEN_LOAD_NODE_OPTIONS }
    : {};
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? tmpdir(),
    NODE_ENV: 'development',
    ...nodeOptions,
    ...extra,
  };
}

async function startOwnServer() {
  if (!existsSync(CLI)) throw new UsageError(`${CLI} is missing: run \`npm run build\` first`);
  const dir = mkdtempSync(join(tmpdir(), 'sectoken-load-'));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  const configPath = join(dir, 'sectoken.json');
  const config = JSON.parse(readFileSync(join(ROOT, 'config', 'sectoken.dev.json'), 'utf8'));
  config.development = true;
  config.rateLimits = { defaults: {}, clients: {} };
  writeFileSync(configPath, JSON.stringify(config, null, 2) + '\n', { mode: 0o600 });
  const env = childEnv({
    SECTOKEN_CONFIG: configPath,
    SECTOKEN_KEYRING: join(dir, 'keyring.json'),
    SECTOKEN_AUDIT_DIR: join(dir, 'audit'),
    SECTOKEN_INSTANCE_ID: 'load',
    SECTOKEN_WORKERS: '1',
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'info',
  });
  // A keyring of its own, made as production makes one (a start makes development keys only at the default paths).
  env.SECTOKEN_KEK = execFileSync(process.execPath, [CLI, 'keys', 'new-kek'], {
    env,
    encoding: 'utf8',
    timeout: 60_000,
  }).trim();
  execFileSync(process.execPath, [CLI, 'keys', 'init'], { env, stdio: 'ignore', timeout: 60_000 });
  const addClient = (args) => {
    try {
      return execFileSync(process.execPath, [CLI, 'clients', 'add', ...args], {
        env,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
        timeout: 60_000,
      }).trim();
    } catch (err) {
      throw new Error(
        `sectoken clients add ${args[1]} failed (${err.signal ?? `exit ${err.status}`}): ${String(err.stderr ?? '')
          .trim()
          .slice(0, 500)}`,
        { cause: err },
      );
    }
  };
  const serviceKey = addClient([
    '--id',
    'load-service',
    '--role',
    'service',
    '--sectors',
    'tax,social',
    '--description',
    'load test',
  ]);
  const regulatorKey = addClient([
    '--id',
    'load-regulator',
    '--role',
    'regulator',
    '--sectors',
    'tax,social,finance',
    '--person',
    'Load Test',
    '--organisation',
    'Load test',
    '--description',
    'load test',
  ]);
  // /metrics is for operator clients only.
  const operatorKey = addClient([
    '--id',
    'load-operator',
    '--role',
    'operator',
    '--description',
    'load test: soak readings of /metrics',
  ]);

  // Its own process group, so that a Ctrl-C stops the run (and prints its summary) rather than
  // the server under it; we stop it ourselves, and kill it if we exit first.
  const child = spawn(process.execPath, [CLI, 'serve'], { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  process.on('exit', () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  // Keep only the last few KB of output for a diagnosis; after the URL line everything is
  // discarded (the pipes are still drained so the server never blocks on a full pipe).
  let tail = '';
  let found = false;
  const onData = (chunk) => {
    if (found) return;
    tail = (tail + chunk.toString()).slice(-8192);
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`the server did not say its URL within 20 s:\n${tail}`));
    }, 20_000);
    const poll = setInterval(() => {
      const m = /"url":"(http:\/\/[^"]+)"/.exec(tail);
      if (m) {
        cleanup();
        found = true;
        tail = '';
        resolve(m[1]);
      }
    }, 20);
    const onExit = (code, signal) => {
      cleanup();
      reject(new Error(`the server exited (${signal ?? code}) before listening:\n${tail}`));
    };
    const cleanup = () => {
      clearTimeout(timer);
      clearInterval(poll);
      child.off('exit', onExit);
    };
    child.once('exit', onExit);
  });
  return { child, dir, url, serviceKey, regulatorKey, operatorKey };
}

async function stopOwnServer(server) {
  const { child } = server;
  if (child.exitCode !== null || child.signalCode !== null) return;
  await new Promise((resolve) => {
    const killer = setTimeout(() => {
      process.stderr.write('the server did not stop within 10 s of SIGTERM: SIGKILL\n');
      child.kill('SIGKILL');
    }, 10_000);
    child.once('exit', () => {
      clearTimeout(killer);
      resolve();
    });
    child.kill('SIGTERM');
  });
  rmSync(server.dir, { recursive: true, force: true });
}

// ---------------------------------------------------------------------------------------------
// requests

const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
function randomNationalId() {
  // Two letters and six digits: 676 million IDs, so the token cache mostly misses.
  return (
    LETTERS[Math.floor(Math.random() * 26)] +
    LETTERS[Math.floor(Math.random() * 26)] +
    String(Math.floor(Math.random() * 1e6)).padStart(6, '0')
  );
}

function pick(list) {
  return list[Math.floor(Math.random() * list.length)];
}

/** fetch, with the reason of a failure to connect in the message ("fetch failed" alone says little). */
async function fetchChecked(url, init) {
  try {
    return await fetch(url, { ...init, redirect: 'manual' });
  } catch (err) {
    const cause = err.cause?.code ?? err.cause?.message ?? err.name;
    throw new Error(`${init?.method ?? 'GET'} ${url}: ${cause ?? err.message}`, { cause: err });
  }
}

async function api(base, path, key, body) {
  const res = await fetchChecked(base + path, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, json, text, headers: res.headers };
}

/**
 * The most national IDs one batch of this client may hold (GET /v1/me: its smallest identities
 * window, under the service's maximum): a larger batch would be refused 422 batch_too_large.
 */
async function batchLimit(base, key) {
  const res = await fetchChecked(base + '/v1/me', {
    headers: { authorization: `Bearer ${key}` },
    signal: AbortSignal.timeout(30_000),
  });
  const body = await res.json().catch(() => undefined);
  return res.ok && typeof body?.limits?.batchSize === 'number' ? body.limits.batchSize : Infinity;
}

/** One batch request prepares the tax tokens that reverse and translate take (waiting as a 429 says). */
async function prepareTokens(base, serviceKey, limit) {
  const ids = Array.from({ length: Math.min(PREPARED_TOKENS, limit) }, randomNationalId);
  let res = await api(base, '/v1/tokens/batch', serviceKey, { sector: 'tax', nationalIds: ids });
  for (let attempt = 0; res.status === 429 && attempt < 5; attempt++) {
    await new Promise((resolve) =>
      setTimeout(resolve, 1000 * Math.max(1, Number(res.headers?.get('retry-after') ?? 1))),
    );
    res = await api(base, '/v1/tokens/batch', serviceKey, { sector: 'tax', nationalIds: ids });
  }
  if (res.status !== 200)
    throw new Error(
      `preparing tokens: POST /v1/tokens/batch (sector tax) answered ${res.status} ${res.text.slice(0, 300)}; the service key must be a service client of tax`,
    );
  const tokens = res.json.results.map((r) => r.token).filter(Boolean);
  if (tokens.length === 0) throw new Error('preparing tokens: the batch gave no token');
  return tokens;
}

async function checkServiceKey(base, key, sectors) {
  for (const sector of sectors) {
    const res = await api(base, '/v1/tokens', key, { sector, nationalId: 'AB123456' });
    if (res.status !== 200)
      throw new Error(
        `POST /v1/tokens (sector ${sector}) answered ${res.status} ${res.text.slice(0, 300)}: check the service key and --sectors`,
      );
  }
}

// ---------------------------------------------------------------------------------------------
// latency histogram: counts per value rounded to 3 significant digits (µs), bounded in size

class Histogram {
  constructor() {
    this.counts = new Map();
    this.total = 0;
    this.max = 0;
  }
  record(ms) {
    const us = Math.max(1, Math.round(ms * 1000));
    const key = us < 1000 ? us : Number(us.toPrecision(3));
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
    this.total += 1;
    if (ms > this.max) this.max = ms;
  }
  percentiles(ps) {
    const keys = [...this.counts.keys()].sort((a, b) => a - b);
    const out = {};
    for (const p of ps) {
      if (this.total === 0) {
        out[p] = null;
        continue;
      }
      const rank = Math.ceil((p / 100) * this.total);
      let seen = 0;
      for (const k of keys) {
        seen += this.counts.get(k);
        if (seen >= rank) {
          out[p] = k / 1000;
          break;
        }
      }
    }
    return out;
  }
}

const PERCENTILES = [50, 90, 99, 99.9];

// ---------------------------------------------------------------------------------------------
// soak sampling

/** One reading: RSS (from /proc when we know the pid), heap used and active handles from /metrics. */
async function readMetrics(base, pid, t, operatorKey) {
  const res = await fetchChecked(base + '/metrics', {
    headers: { authorization: `Bearer ${operatorKey}` },
    signal: AbortSignal.timeout(10_000),
  });
  if (res.status !== 200) throw new Error(`GET /metrics answered ${res.status}`);
  const text = await res.text();
  const metric = (re) => {
    const m = re.exec(text);
    return m ? Number(m[1]) : undefined;
  };
  let rss;
  if (pid !== undefined) {
    try {
      const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (m) rss = Number(m[1]) * 1024;
    } catch {
      // not Linux, or the process is gone: fall back on /metrics
    }
  }
  // The service's default metrics are prefixed sectoken_ (earlier versions: sectoken_process_).
  rss ??= metric(/^sectoken_(?:process_)?process_resident_memory_bytes(?:\{[^}]*\})? (\S+)$/m);
  const heap = metric(/^sectoken_(?:process_)?nodejs_heap_size_used_bytes(?:\{[^}]*\})? (\S+)$/m);
  const handles = metric(/^sectoken_(?:process_)?nodejs_active_handles_total(?:\{[^}]*\})? (\S+)$/m);
  if (rss === undefined || heap === undefined || handles === undefined) {
    throw new Error(
      'GET /metrics lacks sectoken_process_resident_memory_bytes, sectoken_nodejs_heap_size_used_bytes or sectoken_nodejs_active_handles_total',
    );
  }
  return { t, rss, heap, handles };
}

/**
 * Soak sampling. Under load, heap used swings by ~100 MB between two collections, so one reading
 * every 10 s says little about a leak. The sampler reads every second (or every --sample-every if
 * shorter) and each sample, every --sample-every, keeps the window's lowest heap reading (the
 * closest to the heap after a collection: what a leak raises) with its last RSS and handle counts.
 */
class Soak {
  constructor({ base, pid, sampleEveryS, operatorKey }) {
    this.base = base;
    this.operatorKey = operatorKey;
    this.pid = pid;
    this.sampleEveryS = sampleEveryS;
    this.readEveryS = Math.min(1, sampleEveryS);
    this.samples = [];
    this.errors = [];
    this.stop = new AbortController();
  }

  async reading(t) {
    try {
      return await readMetrics(this.base, this.pid, t, this.operatorKey);
    } catch (err) {
      this.errors.push(`${Math.round(t)} s: ${err.message}`);
      process.stderr.write(`[soak ${String(Math.round(t)).padStart(5)} s] reading failed: ${err.message}\n`);
      return undefined;
    }
  }

  add(sample) {
    this.samples.push(sample);
    const label = sample.phase === 'load' ? `${String(Math.round(sample.t)).padStart(5)} s` : sample.phase.padStart(7);
    process.stderr.write(
      `[soak ${label}] RSS ${fmtMb(sample.rss).padStart(6)} MB  heap used ${fmtMb(sample.heap).padStart(6)} MB  active handles ${String(sample.handles).padStart(4)}\n`,
    );
  }

  async single(t, phase) {
    const r = await this.reading(t);
    if (r) this.add({ ...r, phase });
  }

  /** Reads until stopped; bounded by the run, each reading by its 10 s timeout. */
  async loop(elapsed) {
    const { signal } = this.stop;
    let window = [];
    let nextRead = this.readEveryS;
    let nextSample = this.sampleEveryS;
    let lastSampleT = 0;
    const flush = () => {
      const last = window.at(-1);
      this.add({
        t: last.t,
        rss: last.rss,
        heap: Math.min(...window.map((r) => r.heap)),
        handles: last.handles,
        readings: window.length,
        phase: 'load',
      });
      lastSampleT = last.t;
      window = [];
    };
    while (!signal.aborted) {
      await sleep(Math.max(0, (nextRead - elapsed()) * 1000), signal);
      if (signal.aborted) break;
      const t = elapsed();
      const r = await this.reading(t);
      if (r) window.push(r);
      while (nextRead <= elapsed()) nextRead += this.readEveryS;
      if (t >= nextSample - this.readEveryS / 2) {
        if (window.length > 0) flush();
        while (nextSample <= t + this.readEveryS / 2) nextSample += this.sampleEveryS;
      }
    }
    // the load ended inside a window: keep it if it covers at least half a period
    if (window.length > 0 && window.at(-1).t - lastSampleT >= this.sampleEveryS / 2) flush();
  }
}

function sleep(ms, signal) {
  return new Promise((resolve) => {
    if (signal.aborted) {
      resolve();
      return;
    }
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done);
  });
}

const MB = 1024 * 1024;
const fmtMb = (bytes) => (bytes / MB).toFixed(1);

/** Least-squares slope of points {t, v} and its t statistic (slope / standard error). */
function fitSlope(points) {
  const n = points.length;
  const mt = points.reduce((s, p) => s + p.t, 0) / n;
  const mv = points.reduce((s, p) => s + p.v, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (const p of points) {
    sxy += (p.t - mt) * (p.v - mv);
    sxx += (p.t - mt) ** 2;
  }
  if (sxx === 0) return { slope: 0, tStat: 0 };
  const slope = sxy / sxx;
  let ssr = 0;
  for (const p of points) ssr += (p.v - (mv + slope * (p.t - mt))) ** 2;
  const se = n > 2 ? Math.sqrt(ssr / (n - 2) / sxx) : Infinity;
  const tStat = se === 0 ? (slope > 0 ? Infinity : slope < 0 ? -Infinity : 0) : slope / se;
  return { slope, tStat };
}

/** One-sided 95% quantile of Student's t with df degrees of freedom. */
function tCritical(df) {
  const table = [
    6.314, 2.92, 2.353, 2.132, 2.015, 1.943, 1.895, 1.86, 1.833, 1.812, 1.796, 1.782, 1.771, 1.761, 1.753, 1.746, 1.74,
    1.734, 1.729, 1.725,
  ];
  if (df < 1) return Infinity;
  if (df <= table.length) return table[df - 1];
  return df <= 30 ? 1.7 : df <= 60 ? 1.67 : 1.645;
}

function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/**
 * Growth without bound: over the second half of the samples under load, the least-squares slope
 * would add more than half of their median within the run's length, and the rise is steady (the
 * slope is above 0 at 95% confidence; a short run's three noisy samples seldom are). Plus a
 * ceiling on RSS.
 */
function judgeSoak(samples, runLengthS, maxRssMb) {
  const loaded = samples.filter((s) => s.phase === 'load');
  const problems = [];
  const notes = [];
  const last = loaded.at(-1);
  if (last && last.rss > maxRssMb * MB)
    problems.push(`RSS ${fmtMb(last.rss)} MB at the last sample under load is above ${maxRssMb} MB`);
  const half = loaded.slice(Math.floor(loaded.length / 2));
  const trends = {};
  let judged = false;
  if (half.length < 3) {
    notes.push(
      `growth NOT judged: ${loaded.length} samples under load, and the second half needs at least 3 (5 samples in all: run longer or sample more often)`,
    );
  } else {
    judged = true;
    for (const [key, label, unit] of [
      ['rss', 'RSS', 'MB'],
      ['heap', 'heap used', 'MB'],
      ['handles', 'active handles', ''],
    ]) {
      const points = half.map((s) => ({ t: s.t, v: s[key] }));
      const { slope: perS, tStat } = fitSlope(points);
      const tNeeded = tCritical(points.length - 2);
      const med = median(points.map((p) => p.v));
      const projected = perS * runLengthS;
      const limit = 0.5 * med;
      const large = projected > limit;
      const steady = tStat > tNeeded;
      const show = (v) => (unit === 'MB' ? `${fmtMb(v)} MB` : v.toFixed(1));
      const sign = (v) => (v >= 0 ? '+' : '');
      trends[key] = {
        slopePerMin: perS * 60,
        projectedOverRun: projected,
        median: med,
        limit,
        tStat,
        tNeeded,
        grows: large && steady,
      };
      const tText = Number.isFinite(tStat) ? tStat.toFixed(2) : String(tStat);
      const line =
        `${label}: ${sign(perS)}${show(perS * 60)}/min over the last ${half.length} samples, ${sign(projected)}${show(projected)} over the run's ${formatSeconds(runLengthS)}; ` +
        `limit ${show(limit)} (half their median ${show(med)}); t ${tText} (steady rise above ${tNeeded.toFixed(2)})`;
      if (large && steady) problems.push(`${line}: grows without bound`);
      else if (large) notes.push(`${line}: large but not steady, taken as noise`);
      else notes.push(line);
    }
  }
  return { ok: problems.length === 0, judged, problems, notes, trends };
}

// ---------------------------------------------------------------------------------------------
// output

function formatSeconds(s) {
  return s >= 120 && s % 60 === 0 ? `${s / 60} min` : `${Math.round(s * 10) / 10} s`;
}

function table(rows) {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => String(r[i]).length)));
  return rows
    .map((r) => r.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join('  '))
    .join('\n');
}

const fmtMs = (v) => (v === null || v === undefined ? '-' : v < 10 ? v.toFixed(2) : v.toFixed(1));

// ---------------------------------------------------------------------------------------------
// main

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const base = opts.url !== undefined ? await checkLoopback(opts.url) : undefined;

  const needsTokens = opts.mix.some((m) => m.op === 'reverse' || m.op === 'translate');
  let server;
  let target;
  let serviceKey;
  let regulatorKey;
  if (base === undefined) {
    process.stderr.write(
      'starting a server of our own (dist/cli.js serve, temporary config without rate limits, clients load-service and load-regulator)…\n',
    );
    server = await startOwnServer();
    target = server.url;
    serviceKey = server.serviceKey;
    regulatorKey = server.regulatorKey;
    process.stderr.write(`server pid ${server.child.pid} on ${target}\n`);
  } else {
    target = base;
    serviceKey = process.env.SECTOKEN_LOAD_SERVICE_KEY || DEV_SERVICE_KEY;
    regulatorKey = process.env.SECTOKEN_LOAD_REGULATOR_KEY || DEV_REGULATOR_KEY;
  }
  // The server we started listens where we told it, but check its answer all the same.
  await checkLoopback(target);
  const targetUrl = new URL(target);
  const pathPrefix = targetUrl.pathname.replace(/\/+$/, '');

  let exitCode;
  try {
    await checkServiceKey(target, serviceKey, opts.sectors);
    const limit = await batchLimit(target, serviceKey);
    if (opts.batchSize > limit) {
      process.stderr.write(
        `load: --batch-size ${opts.batchSize} is more than this client's batch limit (GET /v1/me): batches of ${limit}\n`,
      );
      opts.batchSize = limit;
    }
    const tokens = needsTokens ? await prepareTokens(target, serviceKey, limit) : [];
    exitCode = await run({ opts, target, targetUrl, pathPrefix, serviceKey, regulatorKey, tokens, server });
  } finally {
    if (server) await stopOwnServer(server);
  }
  return exitCode;
}

async function run({ opts, target, targetUrl, pathPrefix, serviceKey, regulatorKey, tokens, server }) {
  const totalWeight = opts.mix.reduce((s, m) => s + m.weight, 0);
  const cumulative = [];
  let acc = 0;
  for (const m of opts.mix) {
    acc += m.weight;
    cumulative.push({ op: m.op, upTo: acc / totalWeight });
  }
  const chooseOp = () => {
    const r = Math.random();
    for (const c of cumulative) if (r < c.upTo) return c.op;
    return cumulative.at(-1).op;
  };

  const serviceHeaders = { 'content-type': 'application/json', authorization: `Bearer ${serviceKey}` };
  const regulatorHeaders = { 'content-type': 'application/json', authorization: `Bearer ${regulatorKey}` };
  const perOp = Object.fromEntries(
    OPERATIONS.map((op) => [op, { sent: 0, responses: 0, ok: 0, tokens: 0, hist: new Histogram() }]),
  );
  const overall = new Histogram();
  const byStatus = {};
  const byCode = {};
  let responses = 0;
  let non2xx = 0;
  let tokensIssued = 0;
  let caseNo = 0;

  const setupRequest = (req, context) => {
    const op = chooseOp();
    context.op = op;
    perOp[op].sent += 1;
    req.method = 'POST';
    if (op === 'tokenize') {
      req.path = `${pathPrefix}/v1/tokens`;
      req.headers = serviceHeaders;
      req.body = JSON.stringify({ sector: pick(opts.sectors), nationalId: randomNationalId() });
    } else if (op === 'batch') {
      const ids = new Array(opts.batchSize);
      for (let i = 0; i < ids.length; i++) ids[i] = randomNationalId();
      req.path = `${pathPrefix}/v1/tokens/batch`;
      req.headers = serviceHeaders;
      req.body = JSON.stringify({ sector: pick(opts.sectors), nationalIds: ids });
    } else if (op === 'reverse') {
      req.path = `${pathPrefix}/v1/reverse`;
      req.headers = regulatorHeaders;
      req.body = JSON.stringify({
        sector: 'tax',
        token: pick(tokens),
        legalBasis: 'LOI-09-08-ART-4',
        caseId: `LOAD-${++caseNo}`,
        purpose: 'load test',
      });
    } else {
      req.path = `${pathPrefix}/v1/translate`;
      req.headers = regulatorHeaders;
      req.body = JSON.stringify({
        fromSector: 'tax',
        token: pick(tokens),
        toSector: 'social',
        legalBasis: 'CSS-FRAUD-2026',
        caseId: `LOAD-${++caseNo}`,
        purpose: 'load test',
      });
    }
    context.start = performance.now();
    return req;
  };

  const onResponse = (status, body, context) => {
    const ms = performance.now() - context.start;
    const op = context.op;
    const stats = perOp[op];
    responses += 1;
    stats.responses += 1;
    byStatus[status] = (byStatus[status] ?? 0) + 1;
    if (status >= 200 && status < 300) {
      stats.ok += 1;
      overall.record(ms);
      stats.hist.record(ms);
      const issued = op === 'tokenize' || op === 'translate' ? 1 : op === 'batch' ? opts.batchSize : 0;
      stats.tokens += issued;
      tokensIssued += issued;
    } else {
      non2xx += 1;
      let code = `http_${status}`;
      try {
        const parsed = JSON.parse(body);
        if (typeof parsed?.error?.code === 'string') code = parsed.error.code;
      } catch {
        // not JSON: keep http_<status>
      }
      const key = `${code} (${status})`;
      byCode[key] = (byCode[key] ?? 0) + 1;
    }
  };

  // soak sampling
  const pid = server?.child.pid;
  const operatorKey = server?.operatorKey ?? (process.env.SECTOKEN_LOAD_OPERATOR_KEY || DEV_OPERATOR_KEY);
  const soak = opts.soak ? new Soak({ base: target, pid, sampleEveryS: opts.sampleEveryS, operatorKey }) : undefined;
  if (soak) await soak.single(0, 'before');

  const mixText = opts.mix.map((m) => `${m.op}:${m.weight}`).join(',');
  process.stderr.write(
    `load: ${formatSeconds(opts.durationS)}, ${opts.connections} connections, mix ${mixText}, batch size ${opts.batchSize}, sectors ${opts.sectors.join(',')} @ ${target}\n`,
  );

  const instance = autocannon({
    url: targetUrl.origin,
    connections: opts.connections,
    // autocannon stops at its first once-a-second tick after the duration has passed, which is
    // one tick late when the timer and the tick are due together: ask for 10 ms less.
    duration: opts.durationS - 0.01,
    timeout: 10,
    requests: [{ setupRequest, onResponse }],
  });

  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-conversion -- isTTY is undefined, not false, on a pipe
  const tty = Boolean(process.stderr.isTTY) && !opts.soak;
  if (tty) {
    autocannon.track(instance, {
      outputStream: process.stderr,
      renderProgressBar: true,
      renderResultsTable: false,
      renderLatencyTable: false,
    });
  }
  const startedAt = performance.now();
  const elapsed = () => (performance.now() - startedAt) / 1000;
  let lastLine = 0;
  let lastResponses = 0;
  let socketErrors = 0;
  instance.on('reqError', () => {
    socketErrors += 1;
  });
  const progress = setInterval(() => {
    if (tty) return;
    const t = elapsed();
    const rate = (responses - lastResponses) / (t - lastLine);
    lastLine = t;
    lastResponses = responses;
    process.stderr.write(
      `[${String(Math.round(t)).padStart(5)} s / ${formatSeconds(opts.durationS)}] ${responses} responses, ${Math.round(rate)}/s now, non-2xx ${non2xx}, socket errors ${socketErrors}\n`,
    );
  }, 5000);
  const sampling = soak?.loop(elapsed);

  // autocannon stops by itself after the duration; a watchdog bounds the run even if it did not.
  const watchdog = setTimeout(
    () => {
      process.stderr.write('the run did not end 30 s after its duration: stopping it\n');
      instance.stop();
    },
    (opts.durationS + 30) * 1000,
  );
  runningInstance = instance;

  const result = await new Promise((resolve, reject) => {
    instance.once('done', resolve);
    instance.once('error', reject);
  });
  clearTimeout(watchdog);
  clearInterval(progress);
  runningInstance = undefined;
  const runS = elapsed();
  if (soak) {
    soak.stop.abort();
    await sampling;
    await soak.single(elapsed(), 'after');
  }

  // summary
  const durationS = result.duration || runS;
  const lat = overall.percentiles(PERCENTILES);
  const summary = {
    date: new Date().toISOString(),
    machine: {
      host: hostname(),
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model,
      memoryMb: Math.round(totalmem() / MB),
      node: process.version,
    },
    target: server ? `own server (pid ${server.child.pid}) ${target}` : target,
    options: {
      mix: mixText,
      durationS: opts.durationS,
      connections: opts.connections,
      batchSize: opts.batchSize,
      sectors: opts.sectors,
      soak: opts.soak,
      sampleEveryS: opts.sampleEveryS,
    },
    durationS,
    responses,
    requestsPerSec: responses / durationS,
    tokens: tokensIssued,
    tokensPerSec: tokensIssued / durationS,
    latencyMs: {
      p50: lat[50],
      p90: lat[90],
      p99: lat[99],
      'p99.9': lat[99.9],
      max: overall.max,
      of: 'responses with a 2xx status',
    },
    perOperation: Object.fromEntries(
      opts.mix.map(({ op }) => {
        const s = perOp[op];
        const p = s.hist.percentiles(PERCENTILES);
        return [
          op,
          {
            responses: s.responses,
            ok: s.ok,
            requestsPerSec: s.responses / durationS,
            tokens: s.tokens,
            latencyMs: { p50: p[50], p90: p[90], p99: p[99], 'p99.9': p[99.9] },
          },
        ];
      }),
    ),
    status: byStatus,
    non2xx,
    errorsByCode: byCode,
    socketErrors: result.errors,
    timeouts: result.timeouts,
  };

  const rows = [['', 'responses', 'req/s', 'tokens/s', 'p50 ms', 'p90 ms', 'p99 ms', 'p99.9 ms', 'non-2xx']];
  rows.push([
    'all',
    responses,
    summary.requestsPerSec.toFixed(0),
    summary.tokensPerSec.toFixed(0),
    fmtMs(lat[50]),
    fmtMs(lat[90]),
    fmtMs(lat[99]),
    fmtMs(lat[99.9]),
    non2xx,
  ]);
  for (const [op, s] of Object.entries(summary.perOperation)) {
    rows.push([
      op,
      s.responses,
      s.requestsPerSec.toFixed(0),
      (s.tokens / durationS).toFixed(0),
      fmtMs(s.latencyMs.p50),
      fmtMs(s.latencyMs.p90),
      fmtMs(s.latencyMs.p99),
      fmtMs(s.latencyMs['p99.9']),
      s.responses - s.ok,
    ]);
  }
  const out = [];
  out.push('');
  out.push(
    `sectoken load: ${formatSeconds(durationS)}, ${opts.connections} connections, mix ${mixText}, batch size ${opts.batchSize}, sectors ${opts.sectors.join(',')}`,
  );
  out.push(
    `target ${summary.target}; ${summary.machine.cpus} cores (${summary.machine.cpuModel}), node ${process.version}, ${summary.date}`,
  );
  out.push('');
  out.push(table(rows));
  out.push(
    `latency: 2xx responses only, client-side; max ${fmtMs(overall.max)} ms. tokens/s counts a batch's ${opts.batchSize} items.`,
  );
  out.push(
    `status: ${
      Object.entries(byStatus)
        .map(([k, v]) => `${k}: ${v}`)
        .join(', ') || 'none'
    }`,
  );
  out.push(
    `errors by code: ${
      Object.entries(byCode)
        .map(([k, v]) => `${k}: ${v}`)
        .join(', ') || 'none'
    }`,
  );
  out.push(`non-2xx: ${non2xx}; socket errors: ${result.errors}; timeouts: ${result.timeouts}`);
  const tokenize = summary.perOperation.tokenize;
  if (tokenize && tokenize.latencyMs.p99 !== null) {
    out.push(
      `goal POST /v1/tokens p99 ≤ 10 ms at 20 connections: p99 ${fmtMs(tokenize.latencyMs.p99)} ms at ${opts.connections} connections${opts.connections === 20 ? (tokenize.latencyMs.p99 <= 10 ? ' (met)' : ' (NOT met)') : ' (goal is stated at 20)'}`,
    );
  }

  let exitCode = 0;
  if (responses === 0) {
    out.push('FAIL: no response at all');
    exitCode = 1;
  }
  if (soak) {
    const { samples, errors } = soak;
    const verdict = judgeSoak(samples, durationS, opts.maxRssMb);
    const ok = verdict.ok && errors.length === 0;
    summary.soak = {
      sampleEveryS: opts.sampleEveryS,
      rssFrom: pid !== undefined ? `/proc/${pid}/status VmRSS` : '/metrics sectoken_process_resident_memory_bytes',
      samples: samples.map((s) => ({
        phase: s.phase,
        t: Math.round(s.t * 10) / 10,
        rssMb: Number(fmtMb(s.rss)),
        heapUsedMb: Number(fmtMb(s.heap)),
        activeHandles: s.handles,
        ...(s.readings ? { readings: s.readings } : {}),
      })),
      readingErrors: errors,
      ok,
      growthJudged: verdict.judged,
      problems: verdict.problems,
      notes: verdict.notes,
      trends: verdict.trends,
    };
    out.push('');
    out.push(
      `soak: a sample every ${formatSeconds(opts.sampleEveryS)} from readings every ${formatSeconds(soak.readEveryS)}: RSS (${summary.soak.rssFrom}) and active handles at the sample, heap used the lowest of the window (/metrics)`,
    );
    out.push(
      table([
        ['', 't s', 'RSS MB', 'heap MB', 'handles'],
        ...samples.map((s) => [s.phase, Math.round(s.t), fmtMb(s.rss), fmtMb(s.heap), s.handles]),
      ]),
    );
    for (const n of verdict.notes) out.push(`  ${verdict.judged ? 'ok: ' : ''}${n}`);
    for (const p of verdict.problems) out.push(`  FAIL: ${p}`);
    if (errors.length > 0) out.push(`  FAIL: ${errors.length} readings of /metrics failed (first: ${errors[0]})`);
    const last = samples.filter((s) => s.phase === 'load').at(-1);
    if (last)
      out.push(
        `goal RSS ≤ 200 MB after 10 minutes of mixed load: ${fmtMb(last.rss)} MB after ${formatSeconds(Math.round(last.t))} of this load`,
      );
    out.push(ok ? `soak passed${verdict.judged ? '' : ' (RSS ceiling only)'}` : 'soak FAILED');
    if (!ok) exitCode = 1;
  }
  process.stdout.write(out.join('\n') + '\n');
  if (opts.json) writeFileSync(opts.json, JSON.stringify(summary, null, 2) + '\n');
  return exitCode;
}

// Ctrl-C or SIGTERM: during the run, stop it early and report; before or after it, leave at once
// (the exit handler kills the server we started).
let runningInstance;
const onSignal = (signal) => {
  if (runningInstance) {
    process.stderr.write(`\n${signal}: stopping the run early\n`);
    runningInstance.stop();
    runningInstance = undefined;
    return;
  }
  process.stderr.write(`\n${signal}: leaving\n`);
  process.exit(130);
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`load: ${err instanceof UsageError ? '' : 'error: '}${err.message}\n`);
    if (!(err instanceof UsageError)) process.stderr.write(`${err.stack?.split('\n').slice(1, 4).join('\n') ?? ''}\n`);
    process.exitCode = err instanceof UsageError ? 2 : 1;
  },
);
