/**
 * The free text a regulator gives with an act, `caseId` and `purpose` (SPEC "Legal bases": bounded,
 * printable text). It reaches the approver's screen and the audit log, so it must say something
 * a person can read: well-formed Unicode (a lone surrogate cannot even be shown), in NFC (one
 * spelling of each text, so that a search by case finds it), printable, and with at least one
 * visible letter or digit. Fillers that Unicode counts as letters (Hangul fillers U+115F, U+1160,
 * U+3164, U+FFA0) and the braille blank U+2800 show nothing: a purpose made of them reads as
 * empty, so they and every Default_Ignorable_Code_Point do not count as visible.
 */
import { z } from 'zod';

/** No control, format, line or paragraph separator character, and no surrogate code point. */
const PRINTABLE = /^[^\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]+$/u;
/** Letters that render as nothing, and the blank braille pattern. */
const INVISIBLE = /[\p{Default_Ignorable_Code_Point}\u115F\u1160\u3164\uFFA0\u2800]/gu;
const LETTER_OR_DIGIT = /[\p{L}\p{N}]/u;

/** A lone surrogate (\p{Cs} matches only unpaired halves under the `u` flag): not well-formed UTF-16. */
export const isWellFormed = (s: string): boolean => !/\p{Cs}/u.test(s);
export const hasVisibleLetterOrDigit = (s: string): boolean => LETTER_OR_DIGIT.test(s.replace(INVISIBLE, ''));

/** Free text of at most `max` UTF-16 units (before and after NFC), answered in NFC. */
export const freeText = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    .refine(isWellFormed, 'well-formed Unicode only (no lone surrogate)')
    .transform((s) => s.normalize('NFC'))
    .pipe(
      z
        .string()
        .max(max)
        .regex(PRINTABLE, 'printable text only')
        .refine(hasVisibleLetterOrDigit, 'at least one visible letter or digit'),
    );
