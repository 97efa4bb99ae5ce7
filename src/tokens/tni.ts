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
  /** rank in [0, NATIONAL_ID_COUNT) → TNI in [0, 10^9). */
  fromRank(rank: number): number;
  /** The rank behind a TNI, or undefined when the TNI is of nobody (rank outside the ID space). */
  toRank(tni: number): number | undefined;
}

export function tniCipher(root: Uint8Array): TniCipher {
  const key = tniKey(root);
  const cipher = ff1(key, 10, TNI_TWEAK);
  key.fill(0);
  return {
    fromRank(rank) {
      return fromDigits(cipher.encrypt(toDigits(rank)));
    },
    toRank(tni) {
      if (!Number.isInteger(tni) || tni < 0 || tni >= TNI_DOMAIN) return undefined;
      const rank = fromDigits(cipher.decrypt(toDigits(tni)));
      return rank < NATIONAL_ID_COUNT ? rank : undefined;
    },
  };
}

function toDigits(value: number): number[] {
  const out = new Array<number>(TNI_DIGITS);
  for (let k = TNI_DIGITS - 1; k >= 0; k--) {
    out[k] = value % 10;
    value = Math.floor(value / 10);
  }
  return out;
}

const fromDigits = (digits: readonly number[]): number => digits.reduce((acc, d) => acc * 10 + d, 0);

/** The TNI as the HMAC message of one-way tokens: 9 ASCII digits. */
export const tniAscii = (tni: number): string => String(tni).padStart(TNI_DIGITS, '0');
