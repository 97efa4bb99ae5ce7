/**
 * Opens a dual-control request: the act passed every check but the second person's, and waits
 * for one (src/dualControl/requestLife.ts). Its outcome is the act's: pending, recorded as
 * `<act>-request` with the request's id.
 */
import type { Principal } from '../../access/apiKeys.js';
import type { Outcome } from '../../audit/writer/audited.js';
import { actorOf } from '../../dualControl/policy.js';
import { newRequestId, type ActRequest } from '../../dualControl/requestLife.js';
import type { RegulatorDeps } from '../deps.js';

export async function openRequest(
  deps: RegulatorDeps,
  principal: Principal,
  facts: Pick<ActRequest, 'act' | 'sector' | 'toSector' | 'token' | 'legalBasis' | 'caseId' | 'purpose'>,
): Promise<Outcome<Pending>> {
  const now = deps.now();
  const request: ActRequest = {
    ...facts,
    // Canonical, so that every record of the request holds the token in one form.
    token: deps.tokenizer().sector(facts.sector).format.symbols.normalize(facts.token),
    id: newRequestId(),
    requester: actorOf(principal),
    createdAt: now,
    expiresAt: now + deps.config.limits.reverseRequestTtlSeconds * 1000,
    state: 'pending',
    decidedBy: null,
  };
  await deps.requests.create(request);
  return {
    value: { status: 'pending', requestId: request.id, expiresAt: new Date(request.expiresAt).toISOString() },
    outcome: 'pending',
    extra: { act: `${facts.act}-request`, requestId: request.id },
  };
}

export interface Pending {
  status: 'pending';
  requestId: string;
  expiresAt: string;
}
