/**
 * What the FF1 batch tests share (ff1-batch.test.ts in the unit suite, ff1-batch.sweep.test.ts in
 * the system suite): the token alphabets' radices, numeral helpers, fast-check arbitraries, and the
 * check of one batch against the one-at-a-time API and @noble/ciphers' FF1.
 */
import fc from 'fast-check';
import { FF1 as nobleFF1 } from '@noble/ciphers/ff1.js';
import { ff1 } from '../../src/crypto/ff1.js';

export const RADICES = [10, 16, 32, 36] as const;
export const valueOf = (x: readonly number[], radix: number): bigint =>
  x.reduce((acc, d) => acc * BigInt(radix) + BigInt(d), 0n);
export const numeralsOf = (value: number, radix: number, n: number): number[] => {
  const out = new Array<number>(n);
  for (let k = n - 1; k >= 0; k--) {
    out[k] = value % radix;
    value = Math.floor(value / radix);
  }
  return out;
};
export const lengthsOf = (radix: number, from: number, to: number): number[] =>
  Array.from({ length: to - from + 1 }, (_, i) => from + i).filter((n) => radix ** n >= 1_000_000);

export const key = fc.uint8Array({ minLength: 32, maxLength: 32 });
export const tweak = fc.uint8Array({ minLength: 0, maxLength: 40 });
export const batchOf = (radix: number, n: number, maxLength: number): fc.Arbitrary<number[][]> =>
  fc.array(fc.array(fc.integer({ min: 0, max: radix - 1 }), { minLength: n, maxLength: n }), {
    minLength: 0,
    maxLength,
  });

/** encryptMany = encrypt of each = noble; decryptMany inverts; both directions checked. */
export function checkBatch(k: Uint8Array, t: Uint8Array, radix: number, xs: number[][]): void {
  const ours = ff1(k, radix, t);
  const reference = nobleFF1(radix, k, t);
  const ct = ours.encryptMany(xs);
  expect(ct).toEqual(xs.map((x) => ours.encrypt(x)));
  expect(ct).toEqual(xs.map((x) => reference.encrypt(x)));
  expect(ours.decryptMany(ct)).toEqual(xs);
  expect(ct.map((y) => ours.decrypt(y))).toEqual(xs);
  // Decryption of arbitrary strings too (not only of our own ciphertexts).
  expect(ours.decryptMany(xs)).toEqual(xs.map((x) => reference.decrypt(x)));
}
