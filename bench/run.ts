/**
 * Performance bench: every case side by side in ONE run, each the median of several repeats, the
 * repeats interleaved (repeat 1 of every case, then repeat 2 …) so that a noisy neighbour slows all
 * cases alike. Prints a table and writes bench/results.json.
 *
 *   npx tsc -p tsconfig.bench.json && node .bench-dist/bench/run.js
 *   BENCH_REPEATS=7 BENCH_MS=150 …   (repeats per case, ≥ 5; milliseconds per repeat)
 *
 * Cases:
 * - FF1, ours (node:crypto AES) against @noble/ciphers FF1, radix 10 n=9 (the TNI) and radix 36
 *   n=7 (the `tax` body): one call at a time, and batches of 1000 (encryptMany, encryptInts; noble
 *   has no batch API, so its "batch" is 1000 calls).
 * - A full reversible token (TNI + sector body, DERIVATION.md §2, §5) of the sample configuration
 *   through the tokenizer, one at a time and 1000 in a row; and the same 1000 tokens through the
 *   batch API (`batchTokens` below: ranks → encryptInts → encryptInts → strings), checked equal to
 *   the tokenizer's before timing; and two of its stages alone (ranks; the cryptography), the
 *   rest being the strings (numerals, check character, symbols).
 * - GET /v1/audit/stats on a 100,000-record log (bench/auditStats.ts; goal under a second).
 * - Blind evaluation of 1000 elements (bench/blind.ts): @noble/curves' voprf.blindEvaluateBatch,
 *   ours, and libsodium's scalar multiplication alone as the floor, CPU time per element.
 * - `sectoken bulk` reading and writing a 200,000-row spreadsheet export, without the service
 *   (bench/bulkCsv.ts: csv-parse alone, the reader, the reader and the writer).
 * - A one-way token the same ways, against bare node:crypto createHmac of the same 9-byte message,
 *   and the HMAC-SHA256 primitives alone (noble keyed clone, createHmac, createHash copies of the
 *   pads, src/crypto/hmac.ts).
 */
import { createHash, createHmac } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FF1 as nobleFF1 } from '@noble/ciphers/ff1.js';
import { hmac as nobleHmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { loadConfigFile } from '../src/config/schema.js';
import { ff1, type FF1 } from '../src/crypto/ff1.js';
import { hmacSha256, numeralsMod } from '../src/crypto/hmac.js';
import { sectorFf1Key, sectorHmacKey, tniKey } from '../src/keys/derive.js';
import { generateKeyring, type Keyring } from '../src/keys/keyring.js';
import { checkValue } from '../src/derivation/checkCharacter.js';
import { tokenFormat, type TokenFormat } from '../src/derivation/format.js';
import { canonicalNationalId, rankNationalId } from '../src/derivation/nationalId.js';
import { createTokenizer } from '../src/derivation/tokenizer.js';
import { auditStatsBench } from './auditStats.js';
import { batchStagesBench } from './batchStages.js';
import { blindBench, printBlindBench } from './blind.js';
import { bulkCsvBench } from './bulkCsv.js';
import { cacheBench, httpBench } from './http.js';

const BATCH = 1000;
const REPEATS = Math.max(5, Number(process.env.BENCH_REPEATS ?? 7));
const REPEAT_MS = Math.max(20, Number(process.env.BENCH_MS ?? 150));

/** The package root: the nearest directory above this file with a package.json (works from bench/ and .bench-dist/bench/). */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('bench: no package.json above ' + fileURLToPath(import.meta.url));
    dir = up;
  }
  return dir;
}

interface Case {
  group: string;
  name: string;
  /** Items (FF1 calls, tokens, MACs) done by one run(). */
  items: number;
  run: () => void;
}

interface Result {
  group: string;
  name: string;
  batch: number;
  medianUsPerItem: number;
  itemsPerSecond: number;
  repeatsUsPerItem: number[];
}

/** Calibrates each case to about REPEAT_MS per repeat, warms up, then interleaves the repeats. */
function measure(cases: Case[]): Result[] {
  const iterations = cases.map((c) => {
    let n = 1;
    for (;;) {
      const t0 = performance.now();
      for (let i = 0; i < n; i++) c.run();
      const ms = performance.now() - t0;
      if (ms >= REPEAT_MS / 4) return Math.max(1, Math.round((n * REPEAT_MS) / ms));
      n *= 2;
    }
  });
  const samples = cases.map(() => [] as number[]);
  for (let r = 0; r < REPEATS; r++) {
    cases.forEach((c, k) => {
      const n = iterations[k]!;
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < n; i++) c.run();
      const ns = Number(process.hrtime.bigint() - t0);
      samples[k]!.push(ns / 1000 / (n * c.items));
    });
  }
  return cases.map((c, k) => {
    const sorted = [...samples[k]!].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)]!;
    return {
      group: c.group,
      name: c.name,
      batch: c.items,
      medianUsPerItem: median,
      itemsPerSecond: 1e6 / median,
      repeatsUsPerItem: samples[k]!.map((x) => Number(x.toFixed(4))),
    };
  });
}

/** Deterministic pseudo-random numbers (mulberry32), so every run tokenizes the same IDs. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

function nationalIds(count: number): string[] {
  const random = prng(42);
  const letter = (): string => String.fromCharCode(65 + Math.floor(random() * 26));
  return Array.from({ length: count }, () => {
    const letters = random() < 0.5 ? letter() : letter() + letter();
    const digits = 1 + Math.floor(random() * 6);
    return letters + String(Math.floor(random() * 10 ** digits)).padStart(digits, '0');
  });
}

/**
 * A sector's tokens for a whole batch of national IDs through the batch API, the way a batch
 * tokenizer does it (DERIVATION.md §2, §4–§6): all ranks, then all TNIs in one encryptInts, then
 * all bodies (one more encryptInts, or HMAC per item), then the strings.
 */
interface BatchTokens {
  /** The tokens of these national IDs (at most BATCH). */
  tokens(ids: readonly string[]): string[];
  /** Stage 1 alone: canonical form and rank of each ID (DERIVATION.md §2). */
  ranks(ids: readonly string[]): void;
  /** Stage 2 alone, on the ranks of the last call: TNIs and bodies as numbers, no strings. */
  crypto(count: number): void;
}

function batchTokens(keyring: Keyring, sector: string, format: TokenFormat): BatchTokens {
  const tni = ff1(tniKey(keyring.root), 10, new TextEncoder().encode('sectoken/v1/tni'));
  const keys = keyring.sectors.get(sector)!;
  const v = keys.current;
  const { radix, bodyLength, symbols } = format;
  const ranks = new Float64Array(BATCH);
  const tnis = new Float64Array(BATCH);
  const bodies = new Float64Array(BATCH);
  // The version numeral and the body's numerals; the check character is appended as a symbol.
  const numerals = new Array<number>(1 + bodyLength).fill(0);
  const finish = (): string => {
    numerals[0] = v % radix;
    const token = symbols.fromNumerals(numerals);
    return format.checkCharacter ? token + symbols.symbols[checkValue(numerals, radix)]! : token;
  };
  // body(count, out): the bodies of tnis[0..count) into `numerals`, one at a time; each finished
  // token is pushed to `out`, or nothing is made when `out` is undefined (the crypto stage alone).
  let body: (count: number, out: string[] | undefined) => void;
  if (format.policy === 'reversible') {
    const cipher: FF1 = ff1(
      sectorFf1Key(keys.versions.get(v)!, sector, v),
      radix,
      new TextEncoder().encode(`sectoken/v1/token/${sector}/${v}`),
    );
    body = (count, out) => {
      cipher.encryptInts(tnis.subarray(0, count), bodyLength, bodies);
      if (!out) return;
      for (let k = 0; k < count; k++) {
        let x = bodies[k]!;
        for (let p = bodyLength; p >= 1; p--) {
          const q = Math.floor(x / radix);
          numerals[p] = x - q * radix;
          x = q;
        }
        out.push(finish());
      }
    };
  } else {
    const mac = hmacSha256(sectorHmacKey(keys.versions.get(v)!, sector, v));
    const message = new Uint8Array(9);
    const words = new Uint32Array(8);
    body = (count, out) => {
      for (let k = 0; k < count; k++) {
        // DERIVATION.md §5: HMAC of the TNI as 9 ASCII digits.
        let x = tnis[k]!;
        for (let p = 8; p >= 0; p--) {
          const q = Math.floor(x / 10);
          message[p] = 48 + x - q * 10;
          x = q;
        }
        numeralsMod(mac.macWords(message, words), radix, bodyLength, numerals, 1);
        if (out) out.push(finish());
      }
    };
  }
  const rank = (ids: readonly string[]): void => {
    if (ids.length > BATCH) throw new Error('bench: batch too large');
    for (let k = 0; k < ids.length; k++) ranks[k] = rankNationalId(canonicalNationalId(ids[k]));
  };
  return {
    tokens(ids) {
      rank(ids);
      tni.encryptInts(ranks.subarray(0, ids.length), 9, tnis);
      const out: string[] = [];
      body(ids.length, out);
      return out;
    },
    ranks: rank,
    crypto(count) {
      tni.encryptInts(ranks.subarray(0, count), 9, tnis);
      body(count, undefined);
    },
  };
}

function cpuModel(): string {
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('model name'));
    if (line) return line.split(':')[1]!.trim();
  } catch {
    // not Linux
  }
  return cpus()[0]?.model ?? 'unknown';
}

async function main(): Promise<void> {
  const root = packageRoot();
  const config = loadConfigFile(join(root, 'config', 'sectoken.dev.json'));
  const keyring = generateKeyring(Object.keys(config.sectors), true);
  const tokenizer = createTokenizer(config, keyring);
  const ids = nationalIds(BATCH);
  const random = prng(7);
  const key = new Uint8Array(32).map(() => Math.floor(random() * 256));
  const tweak = new TextEncoder().encode('sectoken/v1/tni');

  const cases: Case[] = [];
  let sink = 0;
  const use = (x: { length: number }): void => {
    sink += x.length;
  };

  // FF1, ours against noble.
  for (const [radix, n] of [
    [10, 9],
    [36, 7],
  ] as const) {
    const group = `FF1 radix ${radix} n=${n}`;
    const ours = ff1(key, radix, tweak);
    const noble = nobleFF1(radix, key, tweak);
    const strings = Array.from({ length: BATCH }, () => Array.from({ length: n }, () => Math.floor(random() * radix)));
    const values = Float64Array.from({ length: BATCH }, () => Math.floor(random() * radix ** n));
    const out = new Float64Array(BATCH);
    let i = 0;
    cases.push(
      { group, name: 'noble, one call', items: 1, run: () => use(noble.encrypt(strings[i++ % BATCH]!)) },
      { group, name: 'ours, one call', items: 1, run: () => use(ours.encrypt(strings[i++ % BATCH]!)) },
      { group, name: 'noble, 1000 calls', items: BATCH, run: () => strings.forEach((x) => use(noble.encrypt(x))) },
      { group, name: 'ours, encryptMany(1000)', items: BATCH, run: () => use(ours.encryptMany(strings)) },
      { group, name: 'ours, encryptInts(1000)', items: BATCH, run: () => use(ours.encryptInts(values, n, out)) },
      { group, name: 'ours, decryptInts(1000)', items: BATCH, run: () => use(ours.decryptInts(values, n, out)) },
    );
  }

  // Whole tokens, through the tokenizer and through the batch API.
  const sectors = { reversible: 'health', 'one-way': 'social' } as const;
  for (const [policy, sector] of Object.entries(sectors)) {
    const format = tokenFormat(config.sectors[sector]!);
    const group = `${policy} token (${sector}: ${format.alphabet}, length ${format.length})`;
    const batch = batchTokens(keyring, sector, format);
    const expected = ids.map((id) => tokenizer.tokenize(sector, id).token);
    const got = batch.tokens(ids);
    if (got.some((t, k) => t !== expected[k]))
      throw new Error(`bench: the batch path disagrees with the tokenizer in sector ${sector}`);
    let i = 0;
    cases.push(
      {
        group,
        name: 'tokenizer.tokenize, one call',
        items: 1,
        run: () => use(tokenizer.tokenize(sector, ids[i++ % BATCH]!).token),
      },
      {
        group,
        name: 'tokenizer.tokenize, 1000 in a row',
        items: BATCH,
        run: () => ids.forEach((id) => use(tokenizer.tokenize(sector, id).token)),
      },
      { group, name: 'batch API (1000)', items: BATCH, run: () => use(batch.tokens(ids)) },
      {
        group,
        name: 'tokenizer.tokenizeMany(1000)',
        items: BATCH,
        run: () => use(tokenizer.tokenizeMany(sector, ids)),
      },
      { group, name: '  of which: canonicalize + rank', items: BATCH, run: () => batch.ranks(ids) },
      {
        group,
        name: policy === 'reversible' ? '  of which: 2 × encryptInts' : '  of which: encryptInts + HMAC + numeralsMod',
        items: BATCH,
        run: () => batch.crypto(BATCH),
      },
    );
  }

  // HMAC-SHA256 of a 9-byte message (the one-way body's MAC), one key.
  {
    const group = 'HMAC-SHA256, 9-byte message';
    const macKey = key;
    const message = new TextEncoder().encode('123456789');
    const keyed = nobleHmac.create(sha256, macKey);
    const ours = hmacSha256(macKey);
    const words = new Uint32Array(8);
    const pad = (byte: number): Buffer => Buffer.from(Array.from({ length: 64 }, (_, k) => (macKey[k] ?? 0) ^ byte));
    const inner = createHash('sha256').update(pad(0x36));
    const outer = createHash('sha256').update(pad(0x5c));
    cases.push(
      {
        group,
        name: 'node createHmac (bare)',
        items: 1,
        run: () => use(createHmac('sha256', macKey).update(message).digest()),
      },
      {
        group,
        name: 'node createHash, pads copied',
        items: 1,
        run: () => use(outer.copy().update(inner.copy().update(message).digest()).digest()),
      },
      { group, name: 'noble hmac.create().clone()', items: 1, run: () => use(keyed.clone().update(message).digest()) },
      { group, name: 'ours hmacSha256().mac', items: 1, run: () => use(ours.mac(message)) },
      { group, name: 'ours hmacSha256().macWords', items: 1, run: () => use(ours.macWords(message, words)) },
    );
  }

  const started = Date.now();
  const results = measure(cases);
  const seconds = (Date.now() - started) / 1000;
  const us = (group: string, name: string): number =>
    results.find((r) => r.group.startsWith(group) && r.name === name)!.medianUsPerItem;

  const nobleTni = us('FF1 radix 10 n=9', 'noble, one call');
  const ratios = {
    'FF1 r10 n9: ours one call vs noble': nobleTni / us('FF1 radix 10 n=9', 'ours, one call'),
    'FF1 r10 n9: ours encryptMany(1000) vs noble': nobleTni / us('FF1 radix 10 n=9', 'ours, encryptMany(1000)'),
    'FF1 r10 n9: ours encryptInts(1000) vs noble': nobleTni / us('FF1 radix 10 n=9', 'ours, encryptInts(1000)'),
    'FF1 r36 n7: ours one call vs noble':
      us('FF1 radix 36 n=7', 'noble, one call') / us('FF1 radix 36 n=7', 'ours, one call'),
    'FF1 r36 n7: ours encryptInts(1000) vs noble':
      us('FF1 radix 36 n=7', 'noble, one call') / us('FF1 radix 36 n=7', 'ours, encryptInts(1000)'),
    'reversible token, batch API vs one noble FF1 call': nobleTni / us('reversible', 'batch API (1000)'),
    'reversible token, tokenizeMany(1000) vs one noble FF1 call':
      nobleTni / us('reversible', 'tokenizer.tokenizeMany(1000)'),
    'reversible token, tokenizer one call vs one noble FF1 call':
      nobleTni / us('reversible', 'tokenizer.tokenize, one call'),
    'one-way token, batch API vs bare createHmac':
      us('HMAC', 'node createHmac (bare)') / us('one-way', 'batch API (1000)'),
    'HMAC: ours macWords vs createHmac':
      us('HMAC', 'node createHmac (bare)') / us('HMAC', 'ours hmacSha256().macWords'),
    'HMAC: ours macWords vs noble clone':
      us('HMAC', 'noble hmac.create().clone()') / us('HMAC', 'ours hmacSha256().macWords'),
  };
  const reversiblePerSecond = 1e6 / us('reversible', 'tokenizer.tokenizeMany(1000)');
  const oneWayPerSecond = 1e6 / us('one-way', 'tokenizer.tokenizeMany(1000)');
  const goals = {
    'reversible tokens/s, batch of 1000 ≥ 1,000,000': {
      value: Math.round(reversiblePerSecond),
      met: reversiblePerSecond >= 1e6,
    },
    'reversible token (tokenizeMany) ≥ 30× one noble FF1 call': {
      value: Number(ratios['reversible token, tokenizeMany(1000) vs one noble FF1 call'].toFixed(1)),
      met: ratios['reversible token, tokenizeMany(1000) vs one noble FF1 call'] >= 30,
    },
    'one-way tokens/s, batch of 1000 ≥ 500,000': { value: Math.round(oneWayPerSecond), met: oneWayPerSecond >= 5e5 },
  };
  // End to end, then the cache tiers.
  const httpSeconds = Math.max(2, Number(process.env.BENCH_HTTP_SECONDS ?? 3));
  console.log(`in-process cases done; now HTTP (${REPEATS} × ${httpSeconds} s per case) and cache tiers …`);
  const http = await httpBench(root, REPEATS, httpSeconds);
  const stages = await batchStagesBench(root, REPEATS);
  const cache = await cacheBench(root, REPEATS);
  const stats = await auditStatsBench(root, REPEATS);
  const blind = await blindBench(REPEATS);
  const bulkCsv = await bulkCsvBench(REPEATS);
  const rps = (prefix: string): number => http.find((h) => h.name.startsWith(prefix))!.requestsPerSecond;
  const cpuUs = (prefix: string): number => http.find((h) => h.name.startsWith(prefix))!.cpuUsPerRequest;
  const tokenizeRps = rps('sectoken POST /v1/tokens (one-way), 1 worker');
  // Per core: requests one core can answer = 1 / CPU time per request (the servers are pinned to one core).
  const perCore = cpuUs('bare express') / cpuUs('sectoken POST /v1/tokens (one-way), 1 worker');
  const batchPerCore = (1e6 / cpuUs('sectoken POST /v1/tokens/batch')) * 1000;
  const stage = (name: string): number => stages.find((x) => x.stage === name)!.medianUsPerBatch;
  const edgeVsTokenize = (stage('parse') + stage('validate') + stage('serialize')) / stage('tokenize');
  const httpRatios = {
    'POST /v1/tokens vs bare express endpoint, per core (CPU time per request)': perCore,
    'POST /v1/tokens vs bare express endpoint, req/s': tokenizeRps / rps('bare express'),
    'batch of 1000: parse + validate + serialize vs tokenize (in process)': edgeVsTokenize,
    'audited reverse vs tokenize (1 worker)': rps('sectoken POST /v1/reverse') / tokenizeRps,
    '2 workers vs 1 (POST /v1/tokens)': rps('sectoken POST /v1/tokens (one-way), 2 workers') / tokenizeRps,
  };
  Object.assign(ratios, httpRatios);
  const batchTokensPerSecond = http.find((h) => h.name.includes('batch of 1000'))!.itemsPerSecond;
  const tokenizeP99 = http.find((h) => h.name.startsWith('sectoken POST /v1/tokens (one-way), 1 worker'))!.p99Ms;
  Object.assign(goals, {
    'POST /v1/tokens ≥ 0.8× bare express per core (CPU time per request, pinned)': {
      value: Number(perCore.toFixed(2)),
      met: perCore >= 0.8,
    },
    'POST /v1/tokens p99 ≤ 10 ms at 20 connections': { value: tokenizeP99, met: tokenizeP99 <= 10 },
    'POST /v1/tokens/batch of 1000 ≥ 300k tokens/s per core (from CPU time per request)': {
      value: Math.round(batchPerCore),
      met: batchPerCore >= 3e5,
    },
    'POST /v1/tokens/batch of 1000 ≥ 300k tokens/s (req/s × 1000, server pinned to one core)': {
      value: Math.round(batchTokensPerSecond),
      met: batchTokensPerSecond >= 3e5,
    },
    'audited reverse ≥ 0.7× tokenize': {
      value: Number(httpRatios['audited reverse vs tokenize (1 worker)'].toFixed(2)),
      met: httpRatios['audited reverse vs tokenize (1 worker)'] >= 0.7,
    },
    '2 workers ≥ 1.6× one': {
      value: Number(httpRatios['2 workers vs 1 (POST /v1/tokens)'].toFixed(2)),
      met: httpRatios['2 workers vs 1 (POST /v1/tokens)'] >= 1.6,
    },
  });
  Object.assign(goals, {
    'GET /v1/audit/stats on 100,000 records < 1000 ms (median)': {
      value: stats.httpMs.median,
      met: stats.httpMs.median < 1000,
    },
  });
  Object.assign(goals, {
    'blind evaluation of 1000 ≥ 5× noble voprf.blindEvaluateBatch per core (CPU time per element)': {
      value: Number(blind.speedupOverNoble.toFixed(1)),
      met: blind.speedupOverNoble >= 5,
    },
  });
  const memory = process.memoryUsage();

  // The table.
  const rows = results.map((r) => [
    r.group,
    r.name,
    String(r.batch),
    r.medianUsPerItem.toFixed(3),
    Math.round(r.itemsPerSecond).toLocaleString('en-US'),
  ]);
  const header = ['group', 'case', 'batch', 'µs/item (median)', 'items/s'];
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((row) => row[c]!.length)));
  const line = (cells: string[]): string =>
    cells.map((cell, c) => (c >= 2 ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!))).join('  ');
  console.log(
    `sectoken bench — ${new Date().toISOString()}, node ${process.version}, ${cpuModel()}, ${REPEATS} repeats × ~${REPEAT_MS} ms, ${seconds.toFixed(1)} s\n`,
  );
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of rows) console.log(line(row));
  console.log(
    '\nHTTP (autocannon on loopback from CPU 1, servers on the CPUs shown; medians of the repeats; CPU = server utime+stime per request):',
  );
  for (const h of http)
    console.log(
      `  ${h.name.padEnd(58)} cpu ${h.serverCpus.padEnd(3)} c=${String(h.connections).padStart(2)}  ${Math.round(h.requestsPerSecond).toLocaleString('en-US').padStart(8)} req/s  ${Math.round(h.itemsPerSecond).toLocaleString('en-US').padStart(9)} tokens/s  p50 ${h.p50Ms} ms  p99 ${h.p99Ms} ms  CPU ${h.cpuUsPerRequest.toFixed(0).padStart(6)} µs/req`,
    );
  console.log('\nPOST /v1/tokens/batch of 1000 by stage, in process (µs per batch, median):');
  for (const x of stages) console.log(`  ${x.stage.padEnd(62)} ${x.medianUsPerBatch.toFixed(0).padStart(7)}`);
  console.log('\ncache tiers (µs per token, median):');
  for (const c of cache) console.log(`  ${c.tier.padEnd(72)} ${c.medianUsPerToken.toFixed(2)}`);
  console.log(
    `\naudit stats, ${stats.records.toLocaleString('en-US')} records (${stats.fileMiB} MiB): GET /v1/audit/stats median ${stats.httpMs.median} ms (max ${stats.httpMs.max}); in process: read + count ${stats.inProcessMs.readAndCount} ms, count only ${stats.inProcessMs.countOnly} ms`,
  );
  printBlindBench(blind);
  console.log(
    `\nbulk CSV, ${bulkCsv.rows.toLocaleString('en-US')} rows (${bulkCsv.fileMiB} MiB), rows/s: csv-parse alone ${bulkCsv.rowsPerSecond.csvParseAlone.toLocaleString('en-US')}, reader ${bulkCsv.rowsPerSecond.reader.toLocaleString('en-US')}, reader + writer ${bulkCsv.rowsPerSecond.readerAndWriter.toLocaleString('en-US')}`,
  );
  console.log('\nratios (same run):');
  for (const [name, value] of Object.entries(ratios)) console.log(`  ${name}: ${value.toFixed(value < 10 ? 2 : 1)}×`);
  console.log('\ngoals:');
  for (const [name, g] of Object.entries(goals))
    console.log(`  ${g.met ? 'MET ' : 'MISS'} ${name}: ${g.value.toLocaleString('en-US')}`);
  console.log(
    `\nRSS at the end: ${(memory.rss / 2 ** 20).toFixed(1)} MiB (heap used ${(memory.heapUsed / 2 ** 20).toFixed(1)} MiB)`,
  );

  const file = join(root, 'bench', 'results.json');
  writeFileSync(
    file,
    JSON.stringify(
      {
        date: new Date().toISOString(),
        node: process.version,
        openssl: process.versions.openssl,
        cpu: cpuModel(),
        logicalCpus: cpus().length,
        platform: `${process.platform} ${process.arch}`,
        repeats: REPEATS,
        repeatMs: REPEAT_MS,
        seconds,
        results,
        http,
        cache,
        auditStats: stats,
        blind,
        bulkCsv,
        batchStages: stages,
        ratios,
        goals,
        memory: { rssBytes: memory.rss, heapUsedBytes: memory.heapUsed },
        sink,
      },
      null,
      2,
    ) + '\n',
  );
  console.log(`wrote ${file}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
