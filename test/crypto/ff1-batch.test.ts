/**
 * The batch APIs of src/crypto/ff1.ts (encryptMany/decryptMany over numeral strings,
 * encryptInts/decryptInts over their values): NIST SP 800-38G samples 1–9 in batches, one length
 * of each radix of the token alphabets (number path and BigInt path) against the one-at-a-time API
 * and @noble/ciphers' FF1, the edges of sizes, `out` and in-place, and the input checks. The sweeps
 * over every radix × length 6–64 and the batches of 1000 are in ff1-batch.sweep.test.ts (system
 * suite). A batch shares one cipher (key, radix, tweak) and one length.
 */
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { ff1 } from '../../src/crypto/ff1.js';
import { RADICES, batchOf, checkBatch, key, lengthsOf, numeralsOf, tweak, valueOf } from './ff1Batch.js';

const hex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'hex'));
const toNumerals = (s: string, radix: number): number[] => [...s].map((c) => parseInt(c, radix));

describe('FF1 batches against NIST SP 800-38G samples 1–9', () => {
  const { samples } = JSON.parse(readFileSync(new URL('../vectors/nist-ff1.json', import.meta.url), 'utf8')) as {
    samples: {
      sample: number;
      key: string;
      radix: number;
      tweak: string;
      plaintext: string;
      ciphertext: string;
    }[];
  };
  it.each(samples.map((s) => [s.sample, s] as const))('sample %i, in a batch of three', (_n, s) => {
    const cipher = ff1(hex(s.key), s.radix, hex(s.tweak));
    const pt = toNumerals(s.plaintext, s.radix);
    const ct = toNumerals(s.ciphertext, s.radix);
    expect(cipher.encryptMany([pt, ct, pt])).toEqual([ct, cipher.encrypt(ct), ct]);
    expect(cipher.decryptMany([ct, pt, ct])).toEqual([pt, cipher.decrypt(pt), pt]);
    if (s.radix ** pt.length <= 2 ** 53) {
      const out = cipher.encryptInts([Number(valueOf(pt, s.radix))], pt.length);
      expect(Array.from(out)).toEqual([Number(valueOf(ct, s.radix))]);
      expect(Array.from(cipher.decryptInts(out, pt.length))).toEqual([Number(valueOf(pt, s.radix))]);
    }
  });
});

describe('encryptMany/decryptMany against encrypt and @noble/ciphers', () => {
  it.each(RADICES.map((r) => [r]))(
    'radix %i: the shortest length and a BigInt-path length, random keys, tweaks and batches',
    (radix) => {
      for (const n of [lengthsOf(radix, 6, 40)[0]!, 30]) {
        fc.assert(
          fc.property(key, tweak, batchOf(radix, n, 6), (k, t, xs) => checkBatch(k, t, radix, xs)),
          { numRuns: 3, seed: radix * 100 + n },
        );
      }
    },
  );

  it('batches of size 0 and 1', () => {
    const cipher = ff1(new Uint8Array(32), 10, new Uint8Array());
    expect(cipher.encryptMany([])).toEqual([]);
    expect(cipher.decryptMany([])).toEqual([]);
    const x = [1, 2, 3, 4, 5, 6, 7, 8, 9];
    expect(cipher.encryptMany([x])).toEqual([cipher.encrypt(x)]);
    expect(cipher.decryptMany([cipher.encrypt(x)])).toEqual([x]);
  });
});

describe('encryptInts/decryptInts against encrypt and @noble/ciphers', () => {
  it('extreme values, in place, into `out`, and sizes 0 and 1', () => {
    const cipher = ff1(new Uint8Array(32).fill(7), 10, new TextEncoder().encode('sectoken/v1/tni'));
    const edge = [0, 1, 999_999_999, 500_000_000];
    const ct = cipher.encryptInts(edge, 9);
    expect(Array.from(ct)).toEqual(edge.map((x) => Number(valueOf(cipher.encrypt(numeralsOf(x, 10, 9)), 10))));
    const inPlace = Float64Array.from(edge);
    expect(cipher.encryptInts(inPlace, 9, inPlace)).toBe(inPlace);
    expect(Array.from(inPlace)).toEqual(Array.from(ct));
    const out = new Float64Array(8).fill(-1);
    expect(cipher.decryptInts(ct, 9, out)).toBe(out);
    expect(Array.from(out)).toEqual([...edge, -1, -1, -1, -1]);
    expect(cipher.encryptInts([], 9)).toEqual(new Float64Array(0));
  });
});

describe('batch input checks', () => {
  const cipher = ff1(new Uint8Array(32), 10, new Uint8Array());
  it('refuses mixed lengths, bad numerals and out-of-range values, and stays usable', () => {
    const x = [1, 2, 3, 4, 5, 6, 7, 8, 9];
    const expected = cipher.encryptMany([x, x]);
    expect(() => cipher.encryptMany([x, [1, 2, 3, 4, 5, 6, 7, 8]])).toThrow(/same length/);
    expect(() => cipher.decryptMany([x, [1, 2, 3, 4, 5, 6, 7, 8, 10]])).toThrow(/outside/);
    expect(() => cipher.encryptMany([[1, 2, 3, 4, 5]])).toThrow(/1,000,000/);
    expect(() => cipher.encryptInts([1, 1e9], 9)).toThrow(/outside/);
    expect(() => cipher.encryptInts([1.5], 9)).toThrow(/outside/);
    expect(() => cipher.encryptInts([-1], 9)).toThrow(/outside/);
    expect(() => cipher.encryptInts([1], 5)).toThrow(/1,000,000/);
    expect(() => cipher.encryptInts([1], 16)).toThrow(/2\^53/);
    expect(() => cipher.encryptInts([1, 2], 9, new Float64Array(1))).toThrow(/shorter/);
    expect(cipher.encryptMany([x, x])).toEqual(expected);
  });
});
