/**
 * All sectors' tokens from one keyring: national ID → rank → TNI → sector token, and back for
 * reversible sectors (docs/DERIVATION.md §1). Pure computation: no access rules, no I/O.
 */
import { invalidToken, SectokenError } from '../errors.js';
import type { Keyring } from '../keys/keyring.js';
import type { FormatSettings } from './format.js';
import { canonicalNationalId, rankNationalId, unrankNationalId } from './nationalId.js';
import { sectorTokens, type IssuedToken, type SectorTokens } from './sectorTokens.js';
import { tniCipher, type TniCipher } from './tni.js';
import { blindInput } from './blind/render.js';

/** docs/DERIVATION.md: the scheme version every answer carries next to sector and key version. */
export const SCHEME_VERSION = 1;

export interface Tokenizer {
  sector(id: string): SectorTokens;
  sectorIds(): string[];
  /** The TNI of a national ID; throws invalid_national_id. Never leaves the process. */
  tniOf(nationalId: unknown): number;
  tokenize(sector: string, nationalId: unknown): IssuedToken;
  /** Tokens of many canonical national IDs under the sector's current key version, in order, all through each FF1 round together. */
  tokenizeMany(sector: string, canonicalIds: readonly string[]): string[];
  /** The national ID behind a reversible token; throws invalid_token, token_retired, or not_reversible for a well-formed one-way token. */
  reverse(sector: string, token: string): { nationalId: string; keyVersion: number };
  /** The TNI behind a reversible token, for translation and upgrade. */
  tniOfToken(sector: string, token: string): { tni: number; keyVersion: number };
}

/** Takes the configured sectors' formats (a configuration's `sectors` fits): the derivation reads no configuration itself. */
export function createTokenizer(
  config: { sectors: Readonly<Record<string, FormatSettings>> },
  keyring: Keyring,
): Tokenizer {
  const tni: TniCipher = tniCipher(keyring.root);
  const sectors = new Map<string, SectorTokens>();
  // DERIVATION.md §10.1: a blind sector's input is the canonical national ID, which the TNI gives back.
  const blindInputOfTni = (value: number): Uint8Array => {
    const rank = tni.toRank(value);
    if (rank === undefined) throw new Error('a TNI of nobody');
    return blindInput(unrankNationalId(rank));
  };
  for (const [id, settings] of Object.entries(config.sectors)) {
    const keys = keyring.sectors.get(id);
    if (!keys) throw new Error(`the keyring has no key for sector "${id}"`);
    sectors.set(id, sectorTokens(id, settings, keys, blindInputOfTni));
  }

  const sector = (id: string): SectorTokens => {
    const found = sectors.get(id);
    if (!found) throw new SectokenError('unknown_sector', 'no such sector');
    return found;
  };

  const openReversible = (sectorId: string, token: string): { tni: number; rank: number; keyVersion: number } => {
    const s = sector(sectorId);
    // DERIVATION.md §7: steps 1–3 first, so a malformed token of a one-way sector is invalid_token
    // (or token_retired) as anywhere else; step 4 refuses only a well-formed one.
    const opened = s.open(token);
    if (s.format.policy !== 'reversible')
      throw new SectokenError('not_reversible', `tokens of this sector are ${s.format.policy}: they cannot be opened`);
    const rank = opened.tni === undefined ? undefined : tni.toRank(opened.tni);
    // A body that decrypts outside the national-ID space is as invalid as a bad check character.
    if (opened.tni === undefined || rank === undefined) throw invalidToken();
    return { tni: opened.tni, rank, keyVersion: opened.keyVersion };
  };

  return {
    sector,
    sectorIds: () => [...sectors.keys()],
    tniOf: (nationalId) => tni.fromRank(rankNationalId(canonicalNationalId(nationalId))),
    tokenize(sectorId, nationalId) {
      const s = sector(sectorId);
      return s.issue(tni.fromRank(rankNationalId(canonicalNationalId(nationalId))));
    },
    tokenizeMany(sectorId, canonicalIds) {
      const s = sector(sectorId);
      return s.issueMany(tni.fromRanks(canonicalIds.map(rankNationalId)));
    },
    reverse(sectorId, token) {
      const { rank, keyVersion } = openReversible(sectorId, token);
      return { nationalId: unrankNationalId(rank), keyVersion };
    },
    tniOfToken(sectorId, token) {
      const { tni: value, keyVersion } = openReversible(sectorId, token);
      return { tni: value, keyVersion };
    },
  };
}
