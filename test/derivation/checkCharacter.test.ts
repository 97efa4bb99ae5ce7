import { readFileSync } from 'node:fs';
import { ALPHABETS, type AlphabetName } from '../../src/derivation/alphabet.js';
import { checkValue, hasValidCheck } from '../../src/derivation/checkCharacter.js';

const { cases } = JSON.parse(readFileSync(new URL('../vectors/iso7064-check.json', import.meta.url), 'utf8')) as {
  cases: { alphabet: AlphabetName; input: string; check: string }[];
};

describe('ISO/IEC 7064 hybrid check character', () => {
  it.each(cases.map((c) => [c.alphabet, c.input, c] as const))('%s %s matches python-stdnum', (_a, _i, c) => {
    const alphabet = ALPHABETS[c.alphabet];
    const numerals = alphabet.toNumerals(c.input)!;
    expect(alphabet.fromNumerals([checkValue(numerals, alphabet.radix)])).toBe(c.check);
    expect(hasValidCheck(alphabet.toNumerals(c.input + c.check)!, alphabet.radix)).toBe(true);
  });

  it.each(Object.values(ALPHABETS).map((a) => [a.name, a] as const))(
    '%s: every single substitution is caught',
    (_n, alphabet) => {
      const r = alphabet.radix;
      const base = Array.from({ length: 12 }, (_, i) => (i * 7 + 3) % r);
      const good = [...base, checkValue(base, r)];
      for (let pos = 0; pos < good.length; pos++) {
        for (let value = 0; value < r; value++) {
          if (value === good[pos]) continue;
          const bad = good.slice();
          bad[pos] = value;
          expect(hasValidCheck(bad, r)).toBe(false);
        }
      }
    },
  );
});
