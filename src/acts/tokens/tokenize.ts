/**
 * Use cases of a service client: its token of a person in one of its sectors, one or many.
 * Steps: the sector exists, the client may tokenize there, look in the cache, derive what is
 * missing, remember it, present.
 */
import type { Principal } from '../../access/apiKeys.js';
import { authorize } from '../../access/rules.js';
import type { Policy } from '../../derivation/format.js';
import { canonicalNationalId } from '../../derivation/nationalId.js';
import { SCHEME_VERSION, type Tokenizer } from '../../derivation/tokenizer.js';
import type { RateLimits } from '../../limits/rateLimits.js';
import type { Metrics } from '../../metrics.js';
import type { TokenCache } from '../../store/tokenCache.js';
import { SectokenError } from '../../errors.js';
import type { DerivationQueue } from './derivationQueue.js';

export interface TokenDeps {
  /** Read per call: SIGHUP may swap it. */
  tokenizer: () => Tokenizer;
  cache: TokenCache;
  metrics: Metrics;
  limits: RateLimits;
  /** Where single requests without a cache are derived, together with the others of their turn. */
  queue: DerivationQueue;
}

export interface TokenAnswer {
  sector: string;
  token: string;
  keyVersion: number;
  schemeVersion: number;
}

/** A batch's tokens in input order, undefined for an invalid national ID: the caller presents them. */
export interface BatchTokens {
  sector: string;
  keyVersion: number;
  schemeVersion: number;
  tokens: Array<string | undefined>;
}

export async function tokenizeOne(
  deps: TokenDeps,
  principal: Principal,
  input: { sector: string; nationalId: string },
): Promise<TokenAnswer> {
  const tokenizer = deps.tokenizer();
  const sector = tokenizer.sector(input.sector);
  authorize(principal, 'tokenize', [input.sector]);
  refuseBlind(sector.format.policy);
  await deps.limits.consume(principal.id, input.sector, 'identities', 1);
  const canonical = canonicalNationalId(input.nationalId);
  const { policy } = sector.format;
  const keyVersion = sector.currentVersion;
  const token = deps.cache.enabled(policy)
    ? await cachedToken(deps, tokenizer, { sector: input.sector, policy, keyVersion }, canonical)
    : // Derived together with the other single requests of this turn (src/acts/tokens/derivationQueue.ts).
      await deps.queue.token(tokenizer, input.sector, canonical);
  deps.metrics.tokensIssued.inc({ sector: input.sector, policy }, 1);
  return { sector: input.sector, token, keyVersion, schemeVersion: SCHEME_VERSION };
}

/** A blind sector's national IDs never reach this service (docs/DERIVATION.md §10): its backend blinds them. */
function refuseBlind(policy: Policy): void {
  if (policy === 'blind')
    throw new SectokenError(
      'policy_mismatch',
      "this sector's tokens are blind: the backend blinds the national ID and calls POST /v1/blind/evaluate",
    );
}

/** A token from the cache, or derived and remembered there. */
async function cachedToken(
  deps: TokenDeps,
  tokenizer: Tokenizer,
  { sector, policy, keyVersion }: { sector: string; policy: Policy; keyVersion: number },
  canonical: string,
): Promise<string> {
  const index = deps.cache.indexOf(sector, keyVersion, canonical);
  const [found] = await deps.cache.getMany(policy, [index]);
  if (found !== undefined) return found;
  const [derived] = tokenizer.tokenizeMany(sector, [canonical]);
  // Not awaited: a miss answers after as many Redis round trips as a hit, so its timing does not
  // tell another backend of the sector who was tokenized before (src/store/tokenCache.ts).
  void deps.cache.setMany(policy, [[index, derived!]]);
  return derived!;
}

export async function tokenizeBatchTokens(
  deps: TokenDeps,
  principal: Principal,
  input: { sector: string; nationalIds: string[] },
): Promise<BatchTokens> {
  const tokenizer = deps.tokenizer();
  const sector = tokenizer.sector(input.sector);
  authorize(principal, 'tokenize', [input.sector]);
  refuseBlind(sector.format.policy);
  // One budget of identities for single calls, batch items and upgrades: every national ID counts
  // the same, so batches cannot enumerate a sector faster than single requests.
  await deps.limits.consume(principal.id, input.sector, 'identities', input.nationalIds.length);
  const { policy } = sector.format;
  const version = sector.currentVersion;

  const canonical = input.nationalIds.map((id) => {
    try {
      return canonicalNationalId(id);
    } catch {
      return undefined;
    }
  });
  const valid = canonical.flatMap((c, i) => (c === undefined ? [] : [i]));
  // A batch derives all its tokens in one pass, each FF1 round once for all of it: there the
  // in-process cache costs more than it saves (per 1000 IDs, blind index and LRU 3.7 ms against
  // 1.2 ms of derivation, bench/batchStages.ts), so only a shared cache is asked.
  const useCache = deps.cache.shared(policy);
  const indexes = useCache ? valid.map((i) => deps.cache.indexOf(input.sector, version, canonical[i]!)) : [];
  const cached = useCache ? await deps.cache.getMany(policy, indexes) : [];

  // What the cache did not have is derived in one batch (each FF1 round once for all of it).
  const missing = valid.flatMap((_i, k) => (cached[k] === undefined ? [k] : []));
  const derived = tokenizer.tokenizeMany(
    input.sector,
    missing.map((k) => canonical[valid[k]!]!),
  );
  const tokens: Array<string | undefined> = Array.from({ length: input.nationalIds.length }, () => undefined);
  valid.forEach((i, k) => (tokens[i] = cached[k]));
  missing.forEach((k, j) => (tokens[valid[k]!] = derived[j]));
  // Not awaited, as for one token: the answer does not wait for Redis to store the misses.
  if (useCache)
    void deps.cache.setMany(
      policy,
      missing.map((k, j) => [indexes[k]!, derived[j]!] as const),
    );
  deps.metrics.tokensIssued.inc({ sector: input.sector, policy }, valid.length);
  return { sector: input.sector, keyVersion: version, schemeVersion: SCHEME_VERSION, tokens };
}
