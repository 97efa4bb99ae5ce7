/**
 * What an audit record may say about the token a regulator sent: the token if it has the shape of
 * one of the sector's tokens, otherwise a marker. Whatever a caller types into `token` (a national
 * ID by mistake or on purpose) never reaches the log unless it is shaped like a token, and a
 * national ID's shape never is recorded.
 */
import { NATIONAL_ID_PATTERN } from '../derivation/nationalId.js';
import type { Tokenizer } from '../derivation/tokenizer.js';

export const MALFORMED = '(malformed)';

export function tokenForAudit(tokenizer: Tokenizer, sector: string, token: string): string {
  let format;
  try {
    format = tokenizer.sector(sector).format;
  } catch {
    return MALFORMED;
  }
  const canonical = format.symbols.normalize(token);
  if (canonical.length !== format.length || !format.symbols.toNumerals(canonical)) return MALFORMED;
  if (NATIONAL_ID_PATTERN.test(canonical) || NATIONAL_ID_PATTERN.test(token.trim().toUpperCase())) return MALFORMED;
  return canonical;
}
