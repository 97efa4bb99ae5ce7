/**
 * A blind sector's token from its 64-byte VOPRF output (docs/DERIVATION.md §10.4): the layout of
 * every token (§4: version characters, body, optional check character), the body being the
 * output read as a 512-bit big-endian integer, reduced mod r^n. With r^n ≤ 2^128 (the format
 * limits of one-way sectors) the reduction's bias is below 2^-384.
 */
import { writeNumerals } from '../../crypto/numerals.js';
import { checkValue } from '../checkCharacter.js';
import type { TokenFormat } from '../format.js';

export const OUTPUT_BYTES = 64;

/** The token of `output` under key version `version`, in the sector's format. */
export function blindToken(format: TokenFormat, version: number, output: Uint8Array): string {
  if (output.length !== OUTPUT_BYTES) throw new Error('a VOPRF output is 64 bytes');
  const { radix, versionLength, bodyLength, maxVersions } = format;
  const numerals = new Array<number>(format.length);
  // §4: V = numerals of (v mod r^k) in radix r, length k.
  writeNumerals(numerals, 0, versionLength, version % maxVersions, radix);
  writeBlindBody(output, radix, bodyLength, numerals, versionLength);
  if (format.checkCharacter) numerals[format.length - 1] = checkValue(numerals.slice(0, -1), radix);
  return format.symbols.fromNumerals(numerals);
}

/** §10.4: B = numerals of (OS2IP(output) mod r^n) in radix r, length n, into out[at … at+n). */
export function writeBlindBody(output: Uint8Array, radix: number, bodyLength: number, out: number[], at: number): void {
  let m = 0n;
  for (const byte of output) m = (m << 8n) | BigInt(byte);
  const r = BigInt(radix);
  m %= r ** BigInt(bodyLength);
  for (let k = at + bodyLength - 1; k >= at; k--) {
    out[k] = Number(m % r);
    m /= r;
  }
}

/** DERIVATION.md §10.1: the VOPRF input is the canonical national ID's ASCII bytes. */
export const blindInput = (canonicalNationalId: string): Uint8Array => new TextEncoder().encode(canonicalNationalId);

/** DERIVATION.md §10.2: DeriveKeyPair's info binds sector and key version. */
export const blindKeyInfo = (sector: string, version: number): Uint8Array =>
  new TextEncoder().encode(`sectoken/v1/blind/${sector}/${version}`);
