/**
 * A client's refused acts count against a budget of their own (SPEC "Audit": nobody can grow the
 * log without bound). Each refusal is recorded and counted; once the budget is used up, the client
 * gets 429 before anything is done or recorded, until its window passes.
 */
import type { Principal } from '../access/apiKeys.js';
import { SectokenError, type ErrorCode } from '../errors.js';
import { REFUSAL_SECTOR, type RateLimits } from '../limits/rateLimits.js';

/** Refusals of what the caller asked; not the service's own failures, nor a limit already hit. */
const COUNTED: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'forbidden', 'legal_basis_required', 'invalid_token', 'not_reversible', 'unknown_sector', 'not_found',
  'request_closed', 'request_expired', 'request_tampered',
]);

export async function withinRefusalBudget<T>(limits: RateLimits, principal: Principal, act: () => Promise<T>): Promise<T> {
  const wait = await limits.exhausted(principal.id, REFUSAL_SECTOR, 'refusal');
  if (wait !== undefined) throw new SectokenError('rate_limited', 'too many refused requests from this client in this window; retry later', { retryAfter: wait });
  try {
    return await act();
  } catch (err) {
    if (err instanceof SectokenError && COUNTED.has(err.code)) {
      // Counting must not turn the refusal into another error: a limit that cannot be reached is skipped.
      await limits.consume(principal.id, REFUSAL_SECTOR, 'refusal', 1).catch(() => undefined);
    }
    throw err;
  }
}
