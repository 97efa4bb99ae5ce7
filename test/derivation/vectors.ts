/** The derivation vectors of docs/DERIVATION.md §8 (test/vectors/), as the tests read them. */
import { readFileSync } from 'node:fs';

export const readVector = (name: string): string =>
  readFileSync(new URL(`../vectors/${name}`, import.meta.url), 'utf8');

/** Why a token is refused: the first step of §7 that fails. `retired` is token_retired, the others invalid_token. */
export type TokenReason = 'length' | 'alphabet' | 'check' | 'version' | 'retired' | 'tni-range' | 'rank-range';
/** Why a national ID is refused (§2); both are invalid_national_id. */
export type NationalIdReason = 'too-long' | 'shape';

export interface DerivationVectors {
  /** §2 alone: an input's canonical form and rank, or the reason it is refused. */
  nationalIds: { input: string; canonical?: string; rank?: number; reason?: NationalIdReason; case: string }[];
  /** People: canonical form, rank, TNI (9 digits) and their token in every sector under every live version. */
  vectors: {
    nationalId: string;
    canonical: string;
    rank: number;
    tni: string;
    tokens: Record<string, Record<string, string>>;
  }[];
  invalid: { sector: string; token: string; reason: TokenReason; case: string }[];
  lookalikes: { sector: string; typed: string; canonical: string }[];
}
