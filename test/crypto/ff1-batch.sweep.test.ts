/**
 * The sweeps of the FF1 batch APIs (src/crypto/ff1.ts), in the system suite (test/suites.mjs: a
 * `*.sweep.test.ts` is never a unit test): against the one-at-a-time API and against
 * @noble/ciphers' FF1, on every radix of the token alphabets and every length 6–40 (which covers
 * each reduction path of the number path and the BigInt path), plus longer strings whose Q tail
 * spans several blocks and whose S needs more than one block (d > 16), and batches of 1000. The
 * NIST samples, the edges and the input checks are in ff1-batch.test.ts (unit suite).
 */
import fc from 'fast-check';
import { FF1 as nobleFF1 } from '@noble/ciphers/ff1.js';
import { ff1 } from '../../src/crypto/ff1.js';
import { RADICES, batchOf, checkBatch, key, lengthsOf, numeralsOf, tweak, valueOf } from './ff1Batch.js';

describe('encryptMany/decryptMany against encrypt and @noble/ciphers', () => {
  it.each(RADICES.map((r) => [r]))('radix %i, every length 6–40, random keys, tweaks and batches of 0–12', (radix) => {
    for (const n of lengthsOf(radix, 6, 40)) {
      fc.assert(
        fc.property(key, tweak, batchOf(radix, n, 12), (k, t, xs) => checkBatch(k, t, radix, xs)),
        { numRuns: 4 },
      );
    }
  });

  it('long strings: Q tails of several blocks and d > 16 (lengths 41–64)', () => {
    const input = fc
      .record({ radix: fc.constantFrom(...RADICES), n: fc.integer({ min: 41, max: 64 }) })
      .chain(({ radix, n }) => fc.tuple(fc.constant(radix), key, tweak, batchOf(radix, n, 5)));
    fc.assert(
      fc.property(input, ([radix, k, t, xs]) => checkBatch(k, t, radix, xs)),
      { numRuns: 40 },
    );
  });

  it('a batch of 1000 equals one-at-a-time, both directions (number and BigInt paths)', () => {
    for (const [radix, n] of [
      [10, 9],
      [36, 7],
      [32, 8],
      [10, 10],
      [16, 30],
      [36, 40],
    ] as const) {
      const k = new Uint8Array(32).fill(radix + n);
      const t = new TextEncoder().encode(`batch/${radix}/${n}`);
      const xs = fc.sample(fc.array(fc.integer({ min: 0, max: radix - 1 }), { minLength: n, maxLength: n }), {
        numRuns: 1000,
        seed: n,
      });
      const ours = ff1(k, radix, t);
      const reference = nobleFF1(radix, k, t);
      const ct = ours.encryptMany(xs);
      expect(ct).toHaveLength(1000);
      expect(ct).toEqual(xs.map((x) => ours.encrypt(x)));
      for (let i = 0; i < 1000; i += 97) expect(ct[i]).toEqual(reference.encrypt(xs[i]!));
      expect(ours.decryptMany(ct)).toEqual(xs);
    }
  });
});

describe('encryptInts/decryptInts against encrypt and @noble/ciphers', () => {
  it.each(RADICES.map((r) => [r]))('radix %i, every length 6–40 with radix^n ≤ 2^53', (radix) => {
    for (const n of lengthsOf(radix, 6, 40).filter((m) => radix ** m <= 2 ** 53)) {
      const values = fc.array(
        fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }).map((v) => v % radix ** n),
        { maxLength: 12 },
      );
      fc.assert(
        fc.property(key, tweak, values, (k, t, xs) => {
          const ours = ff1(k, radix, t);
          const reference = nobleFF1(radix, k, t);
          const ct = ours.encryptInts(xs, n);
          expect(Array.from(ct)).toEqual(
            xs.map((x) => Number(valueOf(reference.encrypt(numeralsOf(x, radix, n)), radix))),
          );
          expect(Array.from(ours.decryptInts(ct, n))).toEqual(xs);
          expect(Array.from(ours.decryptInts(xs, n))).toEqual(
            xs.map((x) => Number(valueOf(reference.decrypt(numeralsOf(x, radix, n)), radix))),
          );
        }),
        { numRuns: 4 },
      );
    }
  });

  it('encryptInts of 1000 equals one at a time, both directions', () => {
    const cipher = ff1(new Uint8Array(32).fill(7), 10, new TextEncoder().encode('sectoken/v1/tni'));
    const many = Float64Array.from({ length: 1000 }, (_, i) => (i * 7_919_993) % 1_000_000_000);
    const manyCt = cipher.encryptInts(many, 9);
    expect(Array.from(manyCt)).toEqual(Array.from(many, (x) => cipher.encryptInts([x], 9)[0]));
    expect(cipher.decryptInts(manyCt, 9)).toEqual(many);
  });
});
