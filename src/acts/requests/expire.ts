/**
 * Requests past their time are closed, each with an `expire` record: by the sweeper, and by
 * whoever acts on one late. The store's compare-and-set makes sure only one instance records it.
 */
import { SectokenError } from '../../errors.js';
import { isFinal, type ActRequest } from '../../dualControl/requestLife.js';
import { requestEntry } from './actEntry.js';
import type { RegulatorDeps } from '../deps.js';

/** Closes every request whose time is over; the number closed. */
export async function expireOverdue(deps: RegulatorDeps): Promise<number> {
  let count = 0;
  for (const request of await deps.requests.live(deps.now())) if (await expireOne(deps, request)) count += 1;
  return count;
}

async function expireOne(deps: RegulatorDeps, request: ActRequest): Promise<boolean> {
  try {
    await deps.requests.apply(request.id, 'expire', deps.now());
  } catch (err) {
    if (
      err instanceof SectokenError &&
      (err.code === 'request_closed' || err.code === 'request_expired' || err.code === 'not_found')
    )
      return false;
    throw err;
  }
  // Closing first is safe: an expired request reveals nothing, whether or not its record follows.
  await deps.audit.append({
    ...requestEntry(deps.tokenizer(), 'expire', null, request.id, request),
    outcome: 'expired',
  });
  return true;
}

/** Refuses with request_expired once a still-open request's time is over, closing it first. */
export async function refuseIfOverdue(deps: RegulatorDeps, request: ActRequest): Promise<void> {
  if (isFinal(request.state) || request.expiresAt > deps.now()) return;
  await expireOne(deps, request);
  throw new SectokenError('request_expired', 'the request has expired');
}
