/**
 * A sector's token format: which alphabet, how long, with or without a check character, and the
 * length of the body left between the version character and the check character
 * (docs/DERIVATION.md §4). The limits that make a format acceptable live here, once.
 */
import { ALPHABETS, type Alphabet, type AlphabetName } from './alphabet.js';

/** `blind`: one-way tokens from an RFC 9497 VOPRF that the sector's backend blinds (DERIVATION.md §10). */
export const POLICIES = ['reversible', 'one-way', 'blind'] as const;
export type Policy = (typeof POLICIES)[number];

/** TNIs are 9-digit decimal numbers (DERIVATION.md §2): a reversible body must hold 10^9 values. */
export const TNI_DOMAIN = 1_000_000_000;
export const MIN_ONE_WAY_BITS = 96;
/** Above 128 bits, reducing a 256-bit HMAC modulo radix^n starts to show bias. */
export const MAX_ONE_WAY_BITS = 128;
export const MAX_TOKEN_LENGTH = 64;

/** How many symbols may carry the key version (DERIVATION.md §4): one, or two when one has run out. */
export const VERSION_CHARACTERS = [1, 2] as const;
export type VersionCharacters = (typeof VERSION_CHARACTERS)[number];

export interface FormatSettings {
  policy: Policy;
  alphabet: AlphabetName;
  length: number;
  checkCharacter: boolean;
  /** 1 when absent. */
  versionCharacters?: VersionCharacters;
}

export interface TokenFormat extends FormatSettings {
  readonly symbols: Alphabet;
  readonly radix: number;
  /** k, the number of version characters at the start of a token. */
  readonly versionLength: number;
  /** r^k: every key version of the sector's whole life has a version value of its own (DERIVATION.md §4). */
  readonly maxVersions: number;
  readonly bodyLength: number;
}

export function tokenFormat(settings: FormatSettings): TokenFormat {
  const symbols = ALPHABETS[settings.alphabet];
  const versionLength = settings.versionCharacters ?? 1;
  const bodyLength = settings.length - versionLength - (settings.checkCharacter ? 1 : 0);
  return {
    ...settings,
    symbols,
    radix: symbols.radix,
    versionLength,
    maxVersions: symbols.radix ** versionLength,
    bodyLength,
  };
}

/** Why a format cannot be used, in words that name the rule; undefined if it is acceptable. */
export function formatProblem(settings: FormatSettings): string | undefined {
  const { radix, bodyLength } = tokenFormat(settings);
  if (!Number.isInteger(settings.length) || settings.length > MAX_TOKEN_LENGTH) {
    return `must be an integer of at most ${MAX_TOKEN_LENGTH}`;
  }
  if (bodyLength < 2) return 'leaves no room for the token body after the version and check characters';
  const bits = bodyLength * Math.log2(radix);
  if (settings.policy === 'reversible') {
    const domain = BigInt(radix) ** BigInt(bodyLength);
    if (domain < BigInt(TNI_DOMAIN)) {
      return `gives an FF1 domain of ${radix}^${bodyLength} = ${domain}; a reversible token needs a domain of at least 10^9 to hold every TNI (and SP 800-38G at least 10^6): make it longer`;
    }
  } else if (bits < MIN_ONE_WAY_BITS) {
    return `carries ${bits.toFixed(1)} bits; a one-way token needs at least ${MIN_ONE_WAY_BITS} bits so that no two people of a 40-million population collide: make it longer`;
  } else if (bits > MAX_ONE_WAY_BITS) {
    return `carries ${bits.toFixed(1)} bits; at most ${MAX_ONE_WAY_BITS} keep the HMAC reduction unbiased: make it shorter`;
  }
  return undefined;
}
