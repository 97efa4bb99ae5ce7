/** A blind sector's token from a VOPRF output (src/derivation/blind/render.ts) and its key pairs (keys.ts). */
import { randomBytes } from 'node:crypto';
import { hasValidCheck } from '../../../src/derivation/checkCharacter.js';
import { tokenFormat } from '../../../src/derivation/format.js';
import { blindKeyPair } from '../../../src/derivation/blind/keys.js';
import { blindToken } from '../../../src/derivation/blind/render.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

describe('blindToken', () => {
  const crockford = tokenFormat({ policy: 'blind', alphabet: 'crockford32', length: 22, checkCharacter: true });
  const digits = tokenFormat({
    policy: 'blind',
    alphabet: 'digits',
    length: 32,
    checkCharacter: false,
    versionCharacters: 2,
  });

  it('is V || (OS2IP(output) mod r^n) in radix r || check character', () => {
    for (let i = 0; i < 50; i++) {
      const output = randomBytes(64);
      const m = BigInt('0x' + hex(output));
      const token = blindToken(digits, 7, output);
      expect(token).toBe('07' + (m % 10n ** 30n).toString().padStart(30, '0'));
      const lettered = blindToken(crockford, 3, output);
      const numerals = crockford.symbols.toNumerals(lettered)!;
      expect(numerals[0]).toBe(3);
      const body = numerals.slice(1, 21).reduce((acc, d) => acc * 32n + BigInt(d), 0n);
      expect(body).toBe(m % 32n ** 20n);
      expect(hasValidCheck(numerals, 32)).toBe(true);
    }
  });

  it('writes version r^k with the value 0, as every token (DERIVATION.md §4)', () => {
    expect(blindToken(crockford, 32, new Uint8Array(64))[0]).toBe('0');
    expect(blindToken(crockford, 33, new Uint8Array(64))[0]).toBe('1');
  });

  it('refuses an output that is not 64 bytes', () => {
    expect(() => blindToken(crockford, 1, new Uint8Array(32))).toThrow('64 bytes');
  });
});

describe('blindKeyPair', () => {
  const secret = randomBytes(32);
  it('is a function of the sector key, the sector and the version', () => {
    const pair = blindKeyPair(secret, 'civil', 1);
    expect(hex(blindKeyPair(secret, 'civil', 1).publicKey)).toBe(hex(pair.publicKey));
    const others = [
      blindKeyPair(secret, 'civil', 2),
      blindKeyPair(secret, 'civic', 1),
      blindKeyPair(randomBytes(32), 'civil', 1),
    ];
    for (const other of others) expect(hex(other.publicKey)).not.toBe(hex(pair.publicKey));
  });
});
