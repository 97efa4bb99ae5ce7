/**
 * docs/DERIVATION.md §8: sectoken against the vectors of an independent implementation of the
 * document (scripts/derivation_reference.py), under the fixed test keyring.
 */
import { readFileSync } from 'node:fs';
import { parseConfig } from '../../src/config/schema.js';
import { parseKeyring } from '../../src/keys/keyring.js';
import { canonicalNationalId, rankNationalId } from '../../src/derivation/nationalId.js';
import { createTokenizer } from '../../src/derivation/tokenizer.js';
import { devConfig } from '../helpers/service.js';

const read = (name: string): string => readFileSync(new URL(`../vectors/${name}`, import.meta.url), 'utf8');
const vectors = JSON.parse(read('derivation.json')) as {
  vectors: Array<{ nationalId: string; canonical: string; rank: number; tni: string; tokens: Record<string, Record<string, string>> }>;
  invalid: Array<{ sector: string; token: string; reason: string }>;
  lookalikes: Array<{ sector: string; typed: string; canonical: string }>;
};
const keyring = parseKeyring(new TextEncoder().encode(read('test-keyring.json')));
const config = parseConfig(devConfig(), 'sample');
const tokenizer = createTokenizer(config, keyring);

describe('DERIVATION.md vectors', () => {
  it('covers every sector and every live key version of the test keyring', () => {
    const first = vectors.vectors[0]!;
    for (const [sector, keys] of keyring.sectors) {
      const versions = Object.keys(first.tokens[sector]!).map(Number);
      expect(versions).toEqual(Array.from({ length: keys.current - keys.minVersion + 1 }, (_, i) => keys.minVersion + i));
    }
    expect(vectors.vectors.length).toBeGreaterThanOrEqual(10);
  });

  it.each(vectors.vectors.map((v) => [JSON.stringify(v.nationalId), v] as const))('%s: canonical form, rank, TNI and every token', (_name, v) => {
    expect(canonicalNationalId(v.nationalId)).toBe(v.canonical);
    expect(rankNationalId(v.canonical)).toBe(v.rank);
    expect(String(tokenizer.tniOf(v.nationalId)).padStart(9, '0')).toBe(v.tni);
    for (const [sector, byVersion] of Object.entries(v.tokens)) {
      for (const [version, token] of Object.entries(byVersion)) {
        const tni = tokenizer.tniOf(v.nationalId);
        expect(tokenizer.sector(sector).issue(tni, Number(version)).token).toBe(token);
        if (config.sectors[sector]!.policy === 'reversible') {
          expect(tokenizer.reverse(sector, token)).toEqual({ nationalId: v.canonical, keyVersion: Number(version) });
        }
      }
      expect(tokenizer.tokenize(sector, v.nationalId).token).toBe(byVersion[String(tokenizer.sector(sector).currentVersion)]);
    }
  });

  it.each(vectors.invalid.map((v) => [v.sector, v.reason, v.token, v] as const))('%s: refuses a token failing at %s (%s)', (_s, _r, _t, v) => {
    // DERIVATION.md §7 step 3: a retired version has its own code, every other failure the generic one.
    const expected = v.reason === 'retired' ? { code: 'token_retired' } : { code: 'invalid_token', message: 'not a valid token of this sector' };
    expect(() => tokenizer.reverse(v.sector, v.token)).toThrow(expect.objectContaining(expected));
  });

  it('has invalid tokens of every reason', () => {
    expect(new Set(vectors.invalid.map((v) => v.reason))).toEqual(new Set(['length', 'alphabet', 'check', 'version', 'retired', 'tni-range', 'rank-range']));
  });

  it.each(vectors.lookalikes.map((v) => [v.typed, v] as const))('reads the typed look-alike %s', (_t, v) => {
    expect(tokenizer.sector(v.sector).format.symbols.normalize(v.typed)).toBe(v.canonical);
    if (config.sectors[v.sector]!.policy === 'reversible') {
      expect(tokenizer.reverse(v.sector, v.typed).nationalId).toBe(tokenizer.reverse(v.sector, v.canonical).nationalId);
    }
  });
});
