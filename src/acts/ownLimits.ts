/**
 * What a client may send (GET /v1/me): its windows of identities, and the largest batch it can
 * send, which is the configured `limits.maxBatchSize` or its smallest identities window if smaller,
 * since a batch larger than a window could never pass (answered 422 batch_too_large).
 */
import type { Principal } from '../access/apiKeys.js';
import type { RateLimits, Window } from '../limits/rateLimits.js';

export interface OwnLimits {
  batchSize: number;
  identities: Window[];
}

export interface LimitsDeps {
  limits: RateLimits;
  maxBatchSize: number;
}

export function ownLimits(deps: LimitsDeps, principal: Principal): OwnLimits {
  const identities = deps.limits
    .windows(principal.id, 'identities')
    .map((w) => ({ points: w.points, perSeconds: w.perSeconds }));
  return { batchSize: Math.min(deps.maxBatchSize, ...identities.map((w) => w.points)), identities };
}
