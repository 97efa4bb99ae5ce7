/**
 * The national ID (CNIE number): 1–2 Latin letters then 1–6 digits, after trimming and
 * upper-casing (SPEC "Vocabulary"). docs/DERIVATION.md §2 defines the rank, a bijection between
 * canonical national IDs and the integers [0, NATIONAL_ID_COUNT).
 */
import { SectokenError } from '../errors.js';
import { asciiUpper } from './ascii.js';

/** ASCII only: a Cyrillic 'А' or a full-width '１' never matches, so look-alikes are refused. */
const CANONICAL = /^([A-Z]{1,2})([0-9]{1,6})$/;
/** The shape of a canonical national ID, for refusing to record anything that has it. */
export const NATIONAL_ID_PATTERN: RegExp = CANONICAL;
const LETTER_PREFIXES = 26 + 26 * 26; // 702
const DIGIT_STRINGS = 1_111_110; // 10 + 100 + … + 10^6
export const NATIONAL_ID_COUNT = LETTER_PREFIXES * DIGIT_STRINGS; // 779,999,220

/** Leading zeros of the digit part are significant: "A01" and "A1" are different people. */
const DIGIT_OFFSET = [0, 0, 10, 110, 1_110, 11_110, 111_110];

/** DERIVATION.md §2: trims ASCII white space, upper-cases a–z; throws invalid_national_id otherwise. */
export function canonicalNationalId(input: unknown): string {
  // §2: more than 64 characters is refused before trimming. The document counts code points,
  // .length UTF-16 units: the verdict is the same, since any non-ASCII character is refused too.
  if (typeof input !== 'string' || input.length > 64) throw invalidNationalId();
  // ASCII only, so the rule is the same in every language: String#trim's set depends on the
  // Unicode version, and String#toUpperCase maps letters of other scripts.
  const candidate = asciiUpper(input.replace(/^[\t\n\v\f\r ]+|[\t\n\v\f\r ]+$/g, ''));
  if (!CANONICAL.test(candidate)) throw invalidNationalId();
  return candidate;
}

/** DERIVATION.md §2: rank = letterIndex · 1,111,110 + digitOffset(k) + value(digits). */
export function rankNationalId(canonical: string): number {
  const match = CANONICAL.exec(canonical);
  if (!match) throw invalidNationalId();
  const letters = match[1]!;
  const digits = match[2]!;
  const letterIndex = letters.length === 1 ? code(letters, 0) : 26 + 26 * code(letters, 0) + code(letters, 1);
  return letterIndex * DIGIT_STRINGS + DIGIT_OFFSET[digits.length]! + Number(digits);
}

/** Inverse of rankNationalId; rank must be an integer in [0, NATIONAL_ID_COUNT). */
export function unrankNationalId(rank: number): string {
  if (!Number.isInteger(rank) || rank < 0 || rank >= NATIONAL_ID_COUNT) throw new RangeError('rank out of range');
  const letterIndex = Math.floor(rank / DIGIT_STRINGS);
  const digitIndex = rank % DIGIT_STRINGS;
  const letters =
    letterIndex < 26
      ? letter(letterIndex)
      : letter(Math.floor((letterIndex - 26) / 26)) + letter((letterIndex - 26) % 26);
  let k = 6;
  while (digitIndex < DIGIT_OFFSET[k]!) k--;
  return letters + String(digitIndex - DIGIT_OFFSET[k]!).padStart(k, '0');
}

const code = (s: string, i: number): number => s.charCodeAt(i) - 65;
const letter = (i: number): string => String.fromCharCode(65 + i);
export const invalidNationalId = (): SectokenError =>
  new SectokenError('invalid_national_id', 'nationalId must be 1–2 Latin letters followed by 1–6 digits');
