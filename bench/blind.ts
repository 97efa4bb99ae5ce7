/**
 * Blind evaluation (RFC 9497 VOPRF ristretto255-SHA512, src/derivation/blind/voprf.ts) side by
 * side in one run, on the same 1000 blinded elements and key: @noble/curves'
 * `ristretto255_oprf.voprf.blindEvaluateBatch`, this service's `blindEvaluateBatch`, and the
 * floor: 1000 libsodium `crypto_scalarmult_ristretto255` alone (one scalar multiplication per
 * element, no proof). The repeats are interleaved; each is timed in CPU time of this process
 * (user + system), so a neighbour's load does not count, and in wall time.
 *
 *   npx tsc -p tsconfig.bench.json && node .bench-dist/bench/blind.js     (this case alone)
 */
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { ristretto255_oprf } from '@noble/curves/ed25519.js';
import sodium from 'libsodium-wrappers-sumo';
import { blind, blindEvaluateBatch, deriveKeyPair } from '../src/derivation/blind/voprf.js';
import { median } from './common.js';

export interface BlindBenchRow {
  name: string;
  elements: number;
  cpuUsPerElement: number;
  wallUsPerElement: number;
}
export interface BlindBenchResult {
  rows: BlindBenchRow[];
  /** noble's CPU time per element over ours: the goal is ≥ 5. */
  speedupOverNoble: number;
  /** ours over the floor: what the proof and the hashing add to one scalar multiplication per element. */
  overFloor: number;
}

export async function blindBench(repeats: number, elements = 1000): Promise<BlindBenchResult> {
  await sodium.ready;
  const key = deriveKeyPair(randomBytes(32), new TextEncoder().encode('bench'));
  const blinded = Array.from({ length: elements }, () => blind(randomBytes(8)).blinded);
  const noble = ristretto255_oprf.voprf;
  // The same answers before any timing: noble's evaluated elements are ours.
  const theirs = noble.blindEvaluateBatch(key.secretKey, key.publicKey, blinded.slice(0, 8));
  const ours = blindEvaluateBatch(key, blinded.slice(0, 8));
  if (theirs.evaluated.some((e, i) => Buffer.compare(e, ours.evaluated[i]!) !== 0))
    throw new Error('bench: noble and this service evaluate differently');

  const cases: Array<{ name: string; run: () => void }> = [
    {
      name: `@noble/curves voprf.blindEvaluateBatch(${elements})`,
      run: () => noble.blindEvaluateBatch(key.secretKey, key.publicKey, blinded),
    },
    { name: `sectoken blindEvaluateBatch(${elements})`, run: () => blindEvaluateBatch(key, blinded) },
    {
      name: `floor: ${elements} × libsodium crypto_scalarmult_ristretto255`,
      run: () => {
        for (const element of blinded) sodium.crypto_scalarmult_ristretto255(key.secretKey, element);
      },
    },
  ];
  cases.forEach((c) => c.run()); // warm-up
  const cpu = cases.map(() => [] as number[]);
  const wall = cases.map(() => [] as number[]);
  for (let r = 0; r < repeats; r++) {
    cases.forEach((c, k) => {
      const t0 = performance.now();
      const u0 = process.cpuUsage();
      c.run();
      const u = process.cpuUsage(u0);
      wall[k]!.push(((performance.now() - t0) * 1000) / elements);
      cpu[k]!.push((u.user + u.system) / elements);
    });
  }
  const rows = cases.map((c, k) => ({
    name: c.name,
    elements,
    cpuUsPerElement: median(cpu[k]!),
    wallUsPerElement: median(wall[k]!),
  }));
  return {
    rows,
    speedupOverNoble: rows[0]!.cpuUsPerElement / rows[1]!.cpuUsPerElement,
    overFloor: rows[1]!.cpuUsPerElement / rows[2]!.cpuUsPerElement,
  };
}

export function printBlindBench(result: BlindBenchResult): void {
  console.log('\nBlind evaluation (RFC 9497 VOPRF ristretto255-SHA512), one batch per repeat, medians:');
  for (const row of result.rows)
    console.log(
      `  ${row.name.padEnd(58)} ${row.cpuUsPerElement.toFixed(1).padStart(8)} µs CPU/element ${row.wallUsPerElement.toFixed(1).padStart(8)} µs wall/element`,
    );
  console.log(
    `  sectoken vs noble: ${result.speedupOverNoble.toFixed(1)}× per core (goal ≥ 5×); sectoken vs the scalar-multiplication floor: ${result.overFloor.toFixed(2)}×`,
  );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  printBlindBench(await blindBench(Math.max(5, Number(process.env.BENCH_REPEATS ?? 7))));
}
