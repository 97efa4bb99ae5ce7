import fc from 'fast-check';
import { parseConfig } from '../../src/config/schema.js';
import { generateKeyring, rotateSector } from '../../src/keys/keyring.js';
import { unrankNationalId, NATIONAL_ID_COUNT } from '../../src/derivation/nationalId.js';
import { createTokenizer } from '../../src/derivation/tokenizer.js';
import { devConfig } from '../helpers/service.js';

const config = parseConfig(devConfig(), 'sample');
const reversible = Object.entries(config.sectors)
  .filter(([, s]) => s.policy === 'reversible')
  .map(([id]) => id);
const oneWay = Object.entries(config.sectors)
  .filter(([, s]) => s.policy === 'one-way')
  .map(([id]) => id);
const anyId = fc.integer({ min: 0, max: NATIONAL_ID_COUNT - 1 }).map(unrankNationalId);

describe('tokenizer', () => {
  const keyring = generateKeyring(Object.keys(config.sectors), false);
  const tokenizer = createTokenizer(config, keyring);

  it.each(reversible)('%s: every token reverses to its national ID', (sector) => {
    fc.assert(
      fc.property(anyId, (nid) => {
        const { token, keyVersion } = tokenizer.tokenize(sector, nid.toLowerCase());
        expect(tokenizer.reverse(sector, token)).toEqual({ nationalId: nid, keyVersion });
      }),
      { numRuns: 300 },
    );
  });

  it.each(Object.keys(config.sectors))(
    '%s: tokens have the configured length and alphabet, and differ between people',
    (sector) => {
      const { length, symbols } = tokenizer.sector(sector).format;
      const ids = Array.from({ length: 3000 }, (_, i) => unrankNationalId((i * 259_999_741) % NATIONAL_ID_COUNT));
      const tokens = ids.map((id) => tokenizer.tokenize(sector, id).token);
      expect(new Set(tokens).size).toBe(new Set(ids).size);
      for (const token of tokens) {
        expect(token).toHaveLength(length);
        expect([...token].every((c) => symbols.symbols.includes(c))).toBe(true);
      }
    },
  );

  it('gives unrelated tokens in different sectors, and a TNI never equal to the rank', () => {
    const a = tokenizer.tokenize('health', 'AB123456').token;
    const b = tokenizer.tokenize('finance', 'AB123456').token;
    expect(a).not.toBe(b);
    expect(tokenizer.tniOf('AB123456')).not.toBe(30_234_536);
  });

  it.each(oneWay)('%s: one-way tokens cannot be reversed', (sector) => {
    const { token } = tokenizer.tokenize(sector, 'AB123456');
    expect(() => tokenizer.reverse(sector, token)).toThrow(expect.objectContaining({ code: 'not_reversible' }));
  });

  it.each(reversible)('%s: random strings of the right shape are refused with invalid_token only', (sector) => {
    const { format } = tokenizer.sector(sector);
    const symbol = fc.constantFrom(...format.symbols.symbols);
    fc.assert(
      fc.property(fc.array(symbol, { minLength: format.length, maxLength: format.length }), (chars) => {
        try {
          const { nationalId } = tokenizer.reverse(sector, chars.join(''));
          // A random string can be a real token; then it must round-trip.
          expect(tokenizer.tokenize(sector, nationalId).token).toBe(format.symbols.normalize(chars.join('')));
        } catch (err) {
          expect(err).toMatchObject({ code: 'invalid_token' });
        }
      }),
      { numRuns: 500 },
    );
  });

  it('refuses wrong lengths, foreign symbols and a changed check character', () => {
    const { token } = tokenizer.tokenize('tax', 'AB123456');
    const last = token.at(-1)!;
    const changed = token.slice(0, -1) + (last === 'A' ? 'B' : 'A');
    for (const bad of [token + '0', token.slice(1), token.slice(0, -1) + '*', changed, '']) {
      expect(() => tokenizer.reverse('tax', bad)).toThrow(expect.objectContaining({ code: 'invalid_token' }));
    }
    expect(tokenizer.reverse('tax', token.toLowerCase()).nationalId).toBe('AB123456');
  });

  it('reads Crockford look-alikes (lower case, I/L for 1, O for 0)', () => {
    const { token } = tokenizer.tokenize('finance', 'AB123456');
    const typed = token.toLowerCase().replace(/1/g, 'l').replace(/0/g, 'o');
    expect(tokenizer.reverse('finance', typed).nationalId).toBe('AB123456');
  });
});

describe('key rotation', () => {
  it('keeps old tokens reversible, changes new ones, and leaves other sectors and TNIs alone', () => {
    const keyring = generateKeyring(Object.keys(config.sectors), false);
    const before = createTokenizer(config, keyring);
    const old = before.tokenize('health', 'AB123456');
    const taxBefore = before.tokenize('tax', 'AB123456').token;
    const tniBefore = before.tniOf('AB123456');

    expect(rotateSector(keyring, 'health')).toBe(2);
    const after = createTokenizer(config, keyring);
    const fresh = after.tokenize('health', 'AB123456');
    expect(fresh.keyVersion).toBe(2);
    expect(fresh.token).not.toBe(old.token);
    expect(after.reverse('health', old.token)).toEqual({ nationalId: 'AB123456', keyVersion: 1 });
    expect(after.reverse('health', fresh.token)).toEqual({ nationalId: 'AB123456', keyVersion: 2 });
    expect(after.tokenize('tax', 'AB123456').token).toBe(taxBefore);
    expect(after.tniOf('AB123456')).toBe(tniBefore);

    // Raising minVersion retires version 1.
    keyring.sectors.get('health')!.minVersion = 2;
    const retired = createTokenizer(config, keyring);
    expect(() => retired.reverse('health', old.token)).toThrow(expect.objectContaining({ code: 'token_retired' }));
  });

  it('refuses a keyring that has had more versions than the version characters tell apart', () => {
    const keyring = generateKeyring(Object.keys(config.sectors), false);
    for (let i = 0; i < 10; i++) rotateSector(keyring, 'health'); // versions 1..11 made, radix 10
    keyring.sectors.get('health')!.minVersion = 11;
    expect(() => createTokenizer(config, keyring)).toThrow(
      /has had 11 key versions but its 1 version character\(s\) tell only 10 apart/,
    );
  });
});

describe('batch fast path', () => {
  const keyring = generateKeyring(Object.keys(config.sectors), false);
  const tokenizer = createTokenizer(config, keyring);
  it.each(Object.keys(config.sectors))(
    '%s: a batch of 1000 through the fast path equals the same IDs tokenized one by one',
    (sector) => {
      const ids = Array.from({ length: 1000 }, (_, i) => unrankNationalId((i * 104_729 + 17) % NATIONAL_ID_COUNT));
      const batch = tokenizer.tokenizeMany(sector, ids);
      expect(batch).toHaveLength(1000);
      ids.forEach((id, i) => expect(batch[i]).toBe(tokenizer.tokenize(sector, id).token));
      expect(tokenizer.tokenizeMany(sector, [])).toEqual([]);
    },
  );
});
