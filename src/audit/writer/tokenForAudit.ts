/**
 * What an audit record may say about the token a caller sent (SPEC "Audit": tokens in their
 * canonical form, free text only from regulators). Whatever a caller types into `token` (a
 * national ID by mistake or on purpose) never reaches the log unless it is a token:
 *
 * - from a regulator, anything shaped like one of the sector's tokens (length and alphabet), so
 *   that a mistyped token of a real case stays visible to the auditor;
 * - from anyone else, only a token that opens under the sector's tokenizer (check character,
 *   live key version, body in range): a service client that is refused cannot write text of its
 *   choosing (`AB123456` plus one character, ~110 bits of base32) into the log.
 *
 * Either way a national ID's shape is never recorded.
 */
import { NATIONAL_ID_PATTERN } from '../../derivation/nationalId.js';
import type { SectorTokens } from '../../derivation/sectorTokens.js';
import type { Tokenizer } from '../../derivation/tokenizer.js';

export const MALFORMED = '(malformed)';

export type TokenSource = 'regulator' | 'other';

export function tokenForAudit(tokenizer: Tokenizer, sector: string, token: string, from: TokenSource): string {
  let tokens: SectorTokens;
  try {
    tokens = tokenizer.sector(sector);
  } catch {
    return MALFORMED;
  }
  const { format } = tokens;
  const canonical = format.symbols.normalize(token);
  if (canonical.length !== format.length || !format.symbols.toNumerals(canonical)) return MALFORMED;
  if (NATIONAL_ID_PATTERN.test(canonical) || NATIONAL_ID_PATTERN.test(token.trim().toUpperCase())) return MALFORMED;
  if (from !== 'regulator' && !opens(tokens, canonical)) return MALFORMED;
  return canonical;
}

/** Whether the string is a token of the sector as issued (never says why not). */
function opens(tokens: SectorTokens, canonical: string): boolean {
  try {
    tokens.open(canonical);
    return true;
  } catch {
    return false;
  }
}
