import fc from 'fast-check';
import {
  canonicalNationalId,
  NATIONAL_ID_COUNT,
  rankNationalId,
  unrankNationalId,
} from '../../src/derivation/nationalId.js';

describe('national ID', () => {
  it('trims and upper-cases', () => {
    expect(canonicalNationalId('  ab123456 ')).toBe('AB123456');
    expect(canonicalNationalId('k1')).toBe('K1');
  });

  it.each([
    ['empty', ''],
    ['blank', '   '],
    ['three letters', 'ABC123'],
    ['seven digits', 'AB1234567'],
    ['no digits', 'AB'],
    ['no letters', '123456'],
    ['inner space', 'AB 123'],
    ['Cyrillic look-alike A', '\u0410B123456'],
    ['full-width digit', 'AB12345\uFF16'],
    ['Arabic-Indic digit', 'AB\u0661\u0662'],
    ['dotless i upper-cases to I in JS', '\u0131A12'],
    ['long s upper-cases to S in JS', '\u017fA12'],
    ['zero-width joiner', 'AB\u200d123'],
    ['not a string', 12345],
    ['null', null],
    ['huge', 'A'.repeat(100000)],
  ])('refuses %s', (_name, input) => {
    expect(() => canonicalNationalId(input)).toThrow(expect.objectContaining({ code: 'invalid_national_id' }));
  });

  it('ranks every ID into [0, N) and back (N = 702 · 1,111,110)', () => {
    expect(NATIONAL_ID_COUNT).toBe(779_999_220);
    expect(rankNationalId('A0')).toBe(0);
    expect(unrankNationalId(NATIONAL_ID_COUNT - 1)).toBe('ZZ999999');
    expect(rankNationalId('A01')).not.toBe(rankNationalId('A1'));
    const id = fc.tuple(fc.stringMatching(/^[A-Z]{1,2}$/), fc.stringMatching(/^[0-9]{1,6}$/)).map(([l, d]) => l + d);
    fc.assert(
      fc.property(id, (nid) => {
        const rank = rankNationalId(nid);
        expect(rank).toBeGreaterThanOrEqual(0);
        expect(rank).toBeLessThan(NATIONAL_ID_COUNT);
        expect(unrankNationalId(rank)).toBe(nid);
      }),
    );
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: NATIONAL_ID_COUNT - 1 }),
        (rank) => rankNationalId(unrankNationalId(rank)) === rank,
      ),
    );
  });
});
