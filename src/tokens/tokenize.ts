/**
 * Use cases of a service client: its token of a person in one of its sectors, one or many.
 * Steps: the sector exists, the client may tokenize there, derive, present.
 */
import { authorize } from '../access/rules.js';
import type { Principal } from '../access/apiKeys.js';
import { SectokenError } from '../errors.js';
import { SCHEME_VERSION, type Tokenizer } from './tokenizer.js';

export interface TokenAnswer {
  sector: string;
  token: string;
  keyVersion: number;
  schemeVersion: number;
}

export type BatchItem = { token: string } | { error: 'invalid_national_id' };

export interface BatchAnswer {
  sector: string;
  keyVersion: number;
  schemeVersion: number;
  results: BatchItem[];
}

export function tokenizeOne(tokenizer: Tokenizer, principal: Principal, input: { sector: string; nationalId: string }): TokenAnswer {
  tokenizer.sector(input.sector);
  authorize(principal, 'tokenize', [input.sector]);
  const { token, keyVersion } = tokenizer.tokenize(input.sector, input.nationalId);
  return { sector: input.sector, token, keyVersion, schemeVersion: SCHEME_VERSION };
}

/** Results in input order; an invalid national ID fails its own item, not the batch. */
export function tokenizeBatch(tokenizer: Tokenizer, principal: Principal, input: { sector: string; nationalIds: string[] }): BatchAnswer {
  const sector = tokenizer.sector(input.sector);
  authorize(principal, 'tokenize', [input.sector]);
  const results = input.nationalIds.map((nationalId): BatchItem => {
    try {
      return { token: tokenizer.tokenize(input.sector, nationalId).token };
    } catch (err) {
      if (err instanceof SectokenError && err.code === 'invalid_national_id') return { error: 'invalid_national_id' };
      throw err;
    }
  });
  return { sector: input.sector, keyVersion: sector.currentVersion, schemeVersion: SCHEME_VERSION, results };
}
