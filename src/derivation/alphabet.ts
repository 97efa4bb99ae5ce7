/**
 * The token alphabets a sector may choose (docs/DERIVATION.md §4). Every radix is even, which the
 * ISO/IEC 7064 hybrid check character needs (2 must be invertible mod radix+1).
 */
import { asciiUpper } from './ascii.js';

export const ALPHABET_NAMES = ['digits', 'alphanumeric', 'crockford32', 'hex'] as const;
export type AlphabetName = (typeof ALPHABET_NAMES)[number];

export interface Alphabet {
  readonly name: AlphabetName;
  readonly symbols: string;
  readonly radix: number;
  /** Canonical form of a token typed by a person (case, Crockford's look-alike letters). */
  normalize(token: string): string;
  /** Numeral values of a canonical token, or undefined if a symbol is outside the alphabet. */
  toNumerals(token: string): number[] | undefined;
  fromNumerals(numerals: readonly number[]): string;
}

function alphabet(name: AlphabetName, symbols: string, normalize: (token: string) => string): Alphabet {
  const values = new Map<string, number>([...symbols].map((symbol, value) => [symbol, value]));
  return {
    name,
    symbols,
    radix: symbols.length,
    normalize,
    toNumerals(token) {
      const out = new Array<number>(token.length);
      for (let k = 0; k < token.length; k++) {
        const value = values.get(token[k]!);
        if (value === undefined) return undefined;
        out[k] = value;
      }
      return out;
    },
    fromNumerals(numerals) {
      let out = '';
      for (const value of numerals) out += symbols[value] ?? '';
      return out;
    },
  };
}

export const ALPHABETS: Readonly<Record<AlphabetName, Alphabet>> = {
  digits: alphabet('digits', '0123456789', (t) => t),
  alphanumeric: alphabet('alphanumeric', '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ', asciiUpper),
  // Crockford: I and L read as 1, O as 0 (https://www.crockford.com/base32.html).
  crockford32: alphabet('crockford32', '0123456789ABCDEFGHJKMNPQRSTVWXYZ', (t) =>
    asciiUpper(t).replace(/[IL]/g, '1').replace(/O/g, '0'),
  ),
  hex: alphabet('hex', '0123456789ABCDEF', asciiUpper),
};
