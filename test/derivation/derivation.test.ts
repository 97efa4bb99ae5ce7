/**
 * docs/DERIVATION.md §8: sectoken against the vectors of an independent implementation of the
 * document (scripts/derivation_reference.py), under the fixed test keyring and the vector sectors
 * (test/vectors/vector-sectors.json): canonical forms and refusals of national IDs, every token,
 * every refused token with its error code, every typed look-alike.
 */
import { parseConfig } from '../../src/config/schema.js';
import { parseKeyring } from '../../src/keys/keyring.js';
import { ALPHABET_NAMES } from '../../src/derivation/alphabet.js';
import { canonicalNationalId, rankNationalId, unrankNationalId } from '../../src/derivation/nationalId.js';
import { createTokenizer } from '../../src/derivation/tokenizer.js';
import { readVector, type DerivationVectors } from './vectors.js';
import { codeOf } from '../helpers/codeOf.js';

const vectors = JSON.parse(readVector('derivation.json')) as DerivationVectors;
const keyring = parseKeyring(new TextEncoder().encode(readVector('test-keyring.json')));
const config = parseConfig(JSON.parse(readVector('vector-sectors.json')), 'test/vectors/vector-sectors.json');
const tokenizer = createTokenizer(config, keyring);
const oneWay = (sector: string): boolean => config.sectors[sector]!.policy === 'one-way';

describe('DERIVATION.md §8 vectors', () => {
  it('have one sector of the configuration per sector of the keyring, of every shape the configuration accepts', () => {
    expect(Object.keys(config.sectors).sort()).toEqual([...keyring.sectors.keys()].sort());
    const sectors = Object.values(config.sectors);
    for (const policy of ['reversible', 'one-way'] as const) {
      const of = sectors.filter((s) => s.policy === policy);
      expect(new Set(of.map((s) => s.alphabet))).toEqual(new Set(ALPHABET_NAMES));
      expect(new Set(of.map((s) => s.checkCharacter))).toEqual(new Set([true, false]));
      expect(new Set(of.map((s) => s.versionCharacters))).toEqual(new Set([1, 2]));
    }
  });

  it('cover every sector and every live key version of the test keyring', () => {
    for (const v of vectors.vectors) {
      for (const [sector, keys] of keyring.sectors) {
        const versions = Object.keys(v.tokens[sector]!).map(Number);
        expect(versions).toEqual(
          Array.from({ length: keys.current - keys.minVersion + 1 }, (_, i) => keys.minVersion + i),
        );
      }
    }
    expect(vectors.vectors.length).toBeGreaterThanOrEqual(16);
    // The zero padding of the TNI (the HMAC message, §5; t, §7 step 6) shows only below 10^8.
    expect(vectors.vectors.filter((v) => Number(v.tni) < 100_000).length).toBeGreaterThanOrEqual(2);
  });

  describe('national IDs (§2)', () => {
    const accepted = vectors.nationalIds.filter((n) => n.canonical !== undefined);
    const refused = vectors.nationalIds.filter((n) => n.reason !== undefined);

    it.each(accepted.map((n) => [JSON.stringify(n.input), n.case, n] as const))(
      '%s (%s): canonical form and rank',
      (_i, _c, n) => {
        expect(canonicalNationalId(n.input)).toBe(n.canonical);
        expect(rankNationalId(n.canonical!)).toBe(n.rank);
        expect(unrankNationalId(n.rank!)).toBe(n.canonical);
      },
    );

    it.each(refused.map((n) => [JSON.stringify(n.input), n.case, n] as const))(
      '%s (%s): invalid_national_id',
      (_i, _c, n) => {
        expect(codeOf(() => canonicalNationalId(n.input))).toBe('invalid_national_id');
        expect(codeOf(() => tokenizer.tniOf(n.input))).toBe('invalid_national_id');
      },
    );

    it('refuse for every reason', () => {
      expect(new Set(refused.map((n) => n.reason))).toEqual(new Set(['too-long', 'shape']));
    });
  });

  it.each(vectors.vectors.map((v) => [JSON.stringify(v.nationalId), v] as const))(
    '%s: canonical form, rank, TNI and every token',
    (_name, v) => {
      expect(canonicalNationalId(v.nationalId)).toBe(v.canonical);
      expect(rankNationalId(v.canonical)).toBe(v.rank);
      const tni = tokenizer.tniOf(v.nationalId);
      expect(String(tni).padStart(9, '0')).toBe(v.tni);
      for (const [sector, byVersion] of Object.entries(v.tokens)) {
        const tokens = tokenizer.sector(sector);
        for (const [version, token] of Object.entries(byVersion)) {
          expect(tokens.issue(tni, Number(version)).token).toBe(token);
          expect(tokens.open(token).keyVersion).toBe(Number(version));
          // §7 step 4: a well-formed one-way token is not_reversible; a reversible one names its person.
          if (oneWay(sector)) expect(codeOf(() => tokenizer.reverse(sector, token))).toBe('not_reversible');
          else
            expect(tokenizer.reverse(sector, token)).toEqual({ nationalId: v.canonical, keyVersion: Number(version) });
        }
        expect(tokenizer.tokenize(sector, v.nationalId).token).toBe(byVersion[String(tokens.currentVersion)]);
      }
    },
  );

  it.each(vectors.invalid.map((v) => [v.sector, v.reason, JSON.stringify(v.token), v.case, v] as const))(
    '%s: refuses at %s %s (%s)',
    (_s, _r, _t, _c, v) => {
      // §7: a retired version has its own code, every other failure the generic one, in one-way sectors too.
      const expected =
        v.reason === 'retired'
          ? { code: 'token_retired' }
          : { code: 'invalid_token', message: 'not a valid token of this sector' };
      expect(() => tokenizer.reverse(v.sector, v.token)).toThrow(expect.objectContaining(expected));
      // A sector's own reading (open) stops before the rank, which the tokenizer checks (§7 step 6).
      if (v.reason !== 'rank-range')
        expect(() => tokenizer.sector(v.sector).open(v.token)).toThrow(
          expect.objectContaining({ code: expected.code }),
        );
    },
  );

  it('refuse tokens for every reason, in every sector', () => {
    expect(new Set(vectors.invalid.map((v) => v.reason))).toEqual(
      new Set(['length', 'alphabet', 'check', 'version', 'retired', 'tni-range', 'rank-range']),
    );
    expect(new Set(vectors.invalid.map((v) => v.sector))).toEqual(new Set(Object.keys(config.sectors)));
    const oneWayReasons = new Set(vectors.invalid.filter((v) => oneWay(v.sector)).map((v) => v.reason));
    expect(oneWayReasons).toEqual(new Set(['length', 'alphabet', 'check', 'version', 'retired']));
  });

  it.each(vectors.lookalikes.map((v) => [v.sector, v.typed, v] as const))(
    '%s: reads the typed look-alike %s',
    (sector, _t, v) => {
      const tokens = tokenizer.sector(sector);
      expect(tokens.format.symbols.normalize(v.typed)).toBe(v.canonical);
      expect(tokens.open(v.typed).keyVersion).toBe(tokens.open(v.canonical).keyVersion);
      if (oneWay(sector)) expect(codeOf(() => tokenizer.reverse(sector, v.typed))).toBe('not_reversible');
      else
        expect(tokenizer.reverse(sector, v.typed).nationalId).toBe(tokenizer.reverse(sector, v.canonical).nationalId);
    },
  );
});
