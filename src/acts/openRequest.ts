/**
 * Opens a dual-control request: the act passed every check but the second person's, and waits
 * for one (src/requests/requestLife.ts).
 */
import type { Principal } from '../access/apiKeys.js';
import { actorOf } from '../requests/dualControl.js';
import { newRequestId, type ActRequest } from '../requests/requestLife.js';
import type { RegulatorDeps } from './deps.js';

export async function openRequest(
  deps: RegulatorDeps,
  principal: Principal,
  facts: Pick<ActRequest, 'act' | 'sector' | 'toSector' | 'token' | 'legalBasis' | 'caseId' | 'purpose'>,
): Promise<{ status: 'pending'; requestId: string; expiresAt: string }> {
  const now = deps.now();
  const request: ActRequest = {
    ...facts,
    id: newRequestId(),
    requester: actorOf(principal),
    createdAt: now,
    expiresAt: now + deps.config.limits.reverseRequestTtlSeconds * 1000,
    state: 'pending',
    decidedBy: null,
  };
  await deps.requests.create(request);
  return { status: 'pending', requestId: request.id, expiresAt: new Date(request.expiresAt).toISOString() };
}
