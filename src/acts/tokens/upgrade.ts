/**
 * Upgrade: a service re-issues its stored reversible tokens under the sector's current key
 * version, without ever sending national IDs. Results in input order, each its own error.
 */
import type { Principal } from '../../access/apiKeys.js';
import { authorize } from '../../access/rules.js';
import { SCHEME_VERSION, type Tokenizer } from '../../derivation/tokenizer.js';
import { SectokenError } from '../../errors.js';
import type { RateLimits } from '../../limits/rateLimits.js';

/** A token that cannot be re-issued says why: malformed, or of a retired key version (DERIVATION.md §4). */
export type UpgradeRefusal = 'invalid_token' | 'token_retired';
export type UpgradeItem = { token: string; keyVersion: number } | { error: UpgradeRefusal };

export async function upgradeTokens(
  deps: { tokenizer: () => Tokenizer; limits: RateLimits },
  principal: Principal,
  input: { sector: string; tokens: string[] },
) {
  const tokenizer = deps.tokenizer();
  const sector = tokenizer.sector(input.sector);
  authorize(principal, 'upgrade', [input.sector]);
  // Each token draws on the same identity budget as tokenizing (one person per token).
  await deps.limits.consume(principal.id, input.sector, 'identities', input.tokens.length);
  if (sector.format.policy !== 'reversible')
    throw new SectokenError('not_reversible', 'one-way tokens cannot be re-issued: tokenize the national IDs again');
  // Each token is opened on its own; the valid ones are re-issued as one batch (the FF1 fast path).
  const opened = input.tokens.map((token): number | UpgradeRefusal => {
    try {
      return tokenizer.tniOfToken(input.sector, token).tni;
    } catch (err) {
      if (err instanceof SectokenError && (err.code === 'invalid_token' || err.code === 'token_retired'))
        return err.code;
      throw err;
    }
  });
  const fresh = sector.issueMany(opened.filter((tni): tni is number => typeof tni === 'number'));
  let next = 0;
  const results = opened.map((tni): UpgradeItem =>
    typeof tni === 'number' ? { token: fresh[next++]!, keyVersion: sector.currentVersion } : { error: tni },
  );
  return { sector: input.sector, keyVersion: sector.currentVersion, schemeVersion: SCHEME_VERSION, results };
}
