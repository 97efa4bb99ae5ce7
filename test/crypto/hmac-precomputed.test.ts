/** src/crypto/hmac.ts: HMAC-SHA256 with the key pads hashed once, and numeralsMod. */
import fc from 'fast-check';
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { hmacSha256, numeralsMod } from '../../src/crypto/hmac.js';

const hex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'hex'));
const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

describe('hmacSha256 against RFC 4231', () => {
  const { cases } = JSON.parse(
    readFileSync(new URL('../vectors/rfc4231-hmac-sha256.json', import.meta.url), 'utf8'),
  ) as {
    cases: { case: number; key: string; data: string; mac: string; truncateBytes?: number }[];
  };
  it.each(cases.map((c) => [c.case, c] as const))('case %i', (_n, c) => {
    const keyed = hmacSha256(hex(c.key));
    const cut = c.truncateBytes ?? 32;
    expect(toHex(keyed.mac(hex(c.data)).subarray(0, cut))).toBe(c.mac);
    // The same keyed object again: nothing of the previous message is left behind.
    expect(toHex(keyed.mac(hex(c.data)).subarray(0, cut))).toBe(c.mac);
  });
});

describe('hmacSha256 against node:crypto createHmac', () => {
  it('agrees on random keys (0–200 bytes) and messages (0–300 bytes, every padding case)', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 200 }),
        fc.array(fc.uint8Array({ maxLength: 300 }), { minLength: 1, maxLength: 4 }),
        (key, messages) => {
          const keyed = hmacSha256(key);
          for (const m of messages) expect(toHex(keyed.mac(m))).toBe(createHmac('sha256', key).update(m).digest('hex'));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('macWords gives the same digest as eight big-endian words, into `out`', () => {
    const keyed = hmacSha256(new Uint8Array(32).fill(9));
    const message = new TextEncoder().encode('000000042');
    const out = new Uint32Array(8);
    expect(keyed.macWords(message, out)).toBe(out);
    const bytes = Buffer.alloc(32);
    out.forEach((w, t) => bytes.writeUInt32BE(w, 4 * t));
    expect(bytes.toString('hex')).toBe(createHmac('sha256', new Uint8Array(32).fill(9)).update(message).digest('hex'));
  });
});

describe('numeralsMod', () => {
  it('gives the numerals of (digest mod radix^n), as BigInt arithmetic does', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.constantFrom(10, 16, 32, 36),
        fc.integer({ min: 1, max: 64 }),
        fc.integer({ min: 0, max: 3 }),
        (digest, radix, n, offset) => {
          const words = new Uint32Array(8).map((_, t) => Buffer.from(digest).readUInt32BE(4 * t));
          const out = new Array<number>(offset + n).fill(-1);
          numeralsMod(words, radix, n, out, offset);
          let m = BigInt('0x' + toHex(digest)) % BigInt(radix) ** BigInt(n);
          const expected = new Array<number>(n);
          for (let k = n - 1; k >= 0; k--) {
            expected[k] = Number(m % BigInt(radix));
            m /= BigInt(radix);
          }
          expect(out.slice(0, offset)).toEqual(new Array<number>(offset).fill(-1));
          expect(out.slice(offset)).toEqual(expected);
        },
      ),
      { numRuns: 500 },
    );
  });
});
