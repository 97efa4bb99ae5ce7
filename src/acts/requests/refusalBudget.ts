/**
 * Every record a caller can cause counts against a budget (SPEC "Audit", "Operations";
 * docs/AUDIT.md §7). An audited act of a client first takes one point of its `refusal` budget,
 * atomically (a consume, not a check then a count), so that however many requests arrive at once,
 * at most the budget's acts are under way or refused per window. A refusal keeps its point,
 * whatever its code (a quota's `rate_limited`, `dual_control_unavailable`, `internal` included);
 * an act that did what was asked gives its point back. Once the budget is used up, the client gets
 * 429 before anything is done or recorded, until its window passes.
 */
import type { Principal } from '../../access/apiKeys.js';
import { REFUSAL_SECTOR, type RateLimits } from '../../limits/rateLimits.js';

export async function withinRefusalBudget<T>(
  limits: RateLimits,
  principal: Principal,
  act: () => Promise<T>,
): Promise<T> {
  const point = await limits.consume(principal.id, REFUSAL_SECTOR, 'refusal', 1);
  const done = await act();
  // Giving back must not turn a success into an error: a point that cannot be returned stays spent.
  await point.giveBack().catch(() => undefined);
  return done;
}
