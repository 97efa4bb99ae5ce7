import fc from 'fast-check';
import { FF1 as nobleFF1 } from '@noble/ciphers/ff1.js';
import { readFileSync } from 'node:fs';
import { ff1 } from '../../src/crypto/ff1.js';

const vectors = JSON.parse(readFileSync(new URL('../vectors/nist-ff1.json', import.meta.url), 'utf8')) as {
  samples: { sample: number; key: string; radix: number; tweak: string; plaintext: string; ciphertext: string }[];
};
const hex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'hex'));
const toNumerals = (s: string, radix: number): number[] => [...s].map((c) => parseInt(c, radix));
const toText = (x: number[], radix: number): string => x.map((d) => d.toString(radix)).join('');

describe('FF1 against the NIST SP 800-38G samples', () => {
  it.each(vectors.samples.map((s) => [s.sample, s] as const))('sample %i encrypts and decrypts', (_n, s) => {
    const cipher = ff1(hex(s.key), s.radix, hex(s.tweak));
    expect(toText(cipher.encrypt(toNumerals(s.plaintext, s.radix)), s.radix)).toBe(s.ciphertext);
    expect(toText(cipher.decrypt(toNumerals(s.ciphertext, s.radix)), s.radix)).toBe(s.plaintext);
  });
});

describe('FF1 against @noble/ciphers (independent implementation)', () => {
  // Every radix and length the token formats allow, and the long ones that take the BigInt path.
  const input = fc
    .record({
      key: fc.uint8Array({ minLength: 32, maxLength: 32 }),
      tweak: fc.uint8Array({ minLength: 0, maxLength: 40 }),
      radix: fc.constantFrom(10, 16, 32, 36),
      length: fc.integer({ min: 6, max: 40 }),
      seed: fc.array(fc.nat(), { minLength: 40, maxLength: 40 }),
    })
    .filter(({ radix, length }) => radix ** length >= 1_000_000);

  it('gives the same ciphertext and inverts, on random keys, tweaks, radices and lengths', () => {
    fc.assert(
      fc.property(input, ({ key, tweak, radix, length, seed }) => {
        const x = seed.slice(0, length).map((n) => n % radix);
        const ours = ff1(key, radix, tweak);
        const reference = nobleFF1(radix, key, tweak);
        const ct = ours.encrypt(x);
        expect(ct).toEqual(reference.encrypt(x));
        expect(ours.decrypt(ct)).toEqual(x);
        expect(reference.decrypt(ct)).toEqual(x);
      }),
      { numRuns: 300 },
    );
  });
});

describe('FF1 input checks', () => {
  const key = new Uint8Array(32);
  it('refuses a domain below 10^6, numerals outside the radix and bad radices', () => {
    expect(() => ff1(key, 10, new Uint8Array()).encrypt([1, 2, 3, 4, 5])).toThrow(/1,000,000/);
    expect(() => ff1(key, 10, new Uint8Array()).encrypt([1, 2, 3, 4, 5, 6, 7, 10])).toThrow(/outside/);
    expect(() => ff1(key, 10, new Uint8Array()).encrypt([1, 2, 3, 4, 5, 6, -1])).toThrow(/outside/);
    expect(() => ff1(key, 1, new Uint8Array())).toThrow(/radix/);
    expect(() => ff1(new Uint8Array(20), 10, new Uint8Array())).toThrow(/key/);
  });
});
