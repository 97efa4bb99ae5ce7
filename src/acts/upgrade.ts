/**
 * Upgrade: a service re-issues its stored reversible tokens under the sector's current key
 * version, without ever sending national IDs. Results in input order, each its own error.
 */
import type { Principal } from '../access/apiKeys.js';
import { authorize } from '../access/rules.js';
import { SCHEME_VERSION, type Tokenizer } from '../derivation/tokenizer.js';
import { SectokenError } from '../errors.js';
import type { RateLimits } from '../limits/rateLimits.js';

export type UpgradeItem = { token: string; keyVersion: number } | { error: 'invalid_token' };

export async function upgradeTokens(deps: { tokenizer: () => Tokenizer; limits: RateLimits }, principal: Principal, input: { sector: string; tokens: string[] }) {
  const tokenizer = deps.tokenizer();
  const sector = tokenizer.sector(input.sector);
  authorize(principal, 'upgrade', [input.sector]);
  // Each token draws on the same identity budget as tokenizing (one person per token).
  await deps.limits.consume(principal.id, input.sector, 'identities', input.tokens.length);
  if (sector.format.policy !== 'reversible') throw new SectokenError('not_reversible', 'one-way tokens cannot be re-issued: tokenize the national IDs again');
  // Each token is opened on its own; the valid ones are re-issued as one batch (the FF1 fast path).
  const tnis = input.tokens.map((token): number | undefined => {
    try {
      return tokenizer.tniOfToken(input.sector, token).tni;
    } catch (err) {
      if (err instanceof SectokenError && err.code === 'invalid_token') return undefined;
      throw err;
    }
  });
  const fresh = sector.issueMany(tnis.filter((tni): tni is number => tni !== undefined));
  let next = 0;
  const results = tnis.map((tni): UpgradeItem => (tni === undefined ? { error: 'invalid_token' } : { token: fresh[next++]!, keyVersion: sector.currentVersion }));
  return { sector: input.sector, keyVersion: sector.currentVersion, schemeVersion: SCHEME_VERSION, results };
}
