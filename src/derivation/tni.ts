/**
 * The TNI (docs/DERIVATION.md §2): FF1 under K_tni of the national ID's rank as 9 decimal digits.
 * FF1 is a permutation, so two people never share a TNI, and the service alone can go back.
 */
import { ff1 } from '../crypto/ff1.js';
import { tniKey } from '../keys/derive.js';
import { NATIONAL_ID_COUNT } from './nationalId.js';
import { TNI_DOMAIN } from './format.js';

export const TNI_DIGITS = 9;
const TNI_TWEAK = new TextEncoder().encode('sectoken/v1/tni');

export interface TniCipher {
  /** ranks in [0, NATIONAL_ID_COUNT) → TNIs in [0, 10^9), all through each FF1 round together. */
  fromRanks(ranks: ArrayLike<number>): Float64Array;
  fromRank(rank: number): number;
  /** The rank behind a TNI, or undefined when the TNI is of nobody (rank outside the ID space). */
  toRank(tni: number): number | undefined;
}

export function tniCipher(root: Uint8Array): TniCipher {
  const key = tniKey(root);
  const cipher = ff1(key, 10, TNI_TWEAK);
  key.fill(0);
  const fromRanks = (ranks: ArrayLike<number>): Float64Array => cipher.encryptInts(ranks, TNI_DIGITS);
  return {
    fromRanks,
    fromRank: (rank) => fromRanks([rank])[0]!,
    toRank(tni) {
      if (!Number.isInteger(tni) || tni < 0 || tni >= TNI_DOMAIN) return undefined;
      const rank = cipher.decryptInts([tni], TNI_DIGITS)[0]!;
      return rank < NATIONAL_ID_COUNT ? rank : undefined;
    },
  };
}

/** The TNI as the HMAC message of one-way tokens: 9 ASCII digits (DERIVATION.md §5). */
export function tniAscii(tni: number, out: Uint8Array = new Uint8Array(TNI_DIGITS)): Uint8Array {
  for (let k = TNI_DIGITS - 1; k >= 0; k--) {
    out[k] = 48 + (tni % 10);
    tni = Math.floor(tni / 10);
  }
  return out;
}
