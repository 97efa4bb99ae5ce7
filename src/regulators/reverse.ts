/**
 * Reverse: a regulator in scope, under a legal basis that covers it, gets the national ID behind a
 * token, or, where dual control is demanded, a request that a second regulator decides.
 * Every outcome is audited before the answer (src/audit/audited.ts).
 */
import type { Principal } from '../access/apiKeys.js';
import { authorize } from '../access/rules.js';
import { audited } from '../audit/audited.js';
import type { AuditAct, AuditEntry } from '../audit/record.js';
import { SectokenError } from '../errors.js';
import type { ActContext, RegulatorDeps } from './deps.js';
import { requireLegalBasis } from './legalBases.js';
import { tokenForAudit } from './auditedToken.js';
import { newRequestId, type ReverseRequest } from './requests.js';

type ReverseResult =
  | { status: 'done'; nationalId: string; keyVersion: number }
  | { status: 'pending'; requestId: string; expiresAt: string };
export type ReverseAnswer = ReverseResult & { auditId: string };

export async function reverse(
  deps: RegulatorDeps,
  principal: Principal,
  input: ActContext & { sector: string; token: string },
): Promise<ReverseAnswer> {
  const entry = {
    act: 'reverse' as const,
    client: principal.id,
    sector: input.sector,
    token: tokenForAudit(deps.tokenizer(), input.sector, input.token),
    legalBasis: input.legalBasis ?? null,
    caseId: input.caseId,
    purpose: input.purpose,
  };
  const { value, auditId } = await audited<ReverseResult>(deps.audit, entry, async () => {
    authorize(principal, 'reverse');
    const basis = requireLegalBasis(deps.config.legalBases, input.legalBasis, { kind: 'reverse', sector: input.sector });
    const tokenizer = deps.tokenizer();
    tokenizer.sector(input.sector);
    authorize(principal, 'reverse', [input.sector]);
    await deps.limits.consume(principal.id, input.sector, 'reverse', 1);
    // Checks the token now (not_reversible, invalid_token), so a second regulator never approves a bad one.
    const { nationalId, keyVersion } = tokenizer.reverse(input.sector, input.token);
    const dualControl = deps.config.sectors[input.sector]!.dualControl || basis.dualControl;
    if (!dualControl) return { value: { status: 'done' as const, nationalId, keyVersion }, outcome: 'ok' };

    const now = deps.now();
    const requestId = newRequestId();
    const expiresAt = now + deps.config.limits.reverseRequestTtlSeconds * 1000;
    await deps.requests.create({
      id: requestId,
      sector: input.sector,
      token: input.token,
      requester: principal.id,
      legalBasis: basis.id,
      caseId: input.caseId,
      purpose: input.purpose,
      createdAt: now,
      expiresAt,
      state: 'pending',
      decidedBy: null,
    });
    return {
      value: { status: 'pending' as const, requestId, expiresAt: new Date(expiresAt).toISOString() },
      outcome: 'pending',
      extra: { act: 'reverse-request' as const, requestId },
    };
  });
  return { ...value, auditId };
}

/** A second regulator's decision on a pending request: never the requester, only in scope. */
export async function decide(
  deps: RegulatorDeps,
  principal: Principal,
  requestId: string,
  decision: 'approve' | 'deny',
): Promise<{ requestId: string; status: 'approved' | 'denied'; auditId: string }> {
  const request = await deps.requests.get(requestId);
  const entry = requestEntry(decision, principal.id, requestId, request);
  const { value, auditId } = await audited(deps.audit, entry, async () => {
    authorize(principal, 'decide');
    if (!request) throw new SectokenError('not_found', 'no such reverse request');
    authorize(principal, 'decide', [request.sector]);
    if (request.requester === principal.id) throw new SectokenError('forbidden', 'a request is decided by a second regulator, not its requester');
    await expireIfOverdue(deps, request);
    const to: 'approved' | 'denied' = decision === 'approve' ? 'approved' : 'denied';
    const decided = await deps.requests.transition(requestId, 'pending', to, principal.id);
    if (!decided) await refuseClosed(deps, requestId);
    return { value: { requestId, status: to }, outcome: 'ok' };
  });
  return { ...value, auditId };
}

/** The requester's fetch: pending, or the national ID once after approval. */
export async function fetchResult(
  deps: RegulatorDeps,
  principal: Principal,
  requestId: string,
): Promise<{ status: 'pending'; requestId: string; expiresAt: string } | { status: 'released'; requestId: string; nationalId: string; auditId: string }> {
  const request = await deps.requests.get(requestId);
  if (request?.state === 'pending' && request.requester === principal.id && request.expiresAt > deps.now()) {
    return { status: 'pending', requestId, expiresAt: new Date(request.expiresAt).toISOString() };
  }
  const entry = requestEntry('release', principal.id, requestId, request);
  let released = false;
  try {
    const { value, auditId } = await audited(deps.audit, entry, async () => {
      authorize(principal, 'reverse');
      if (!request) throw new SectokenError('not_found', 'no such reverse request');
      if (request.requester !== principal.id) throw new SectokenError('forbidden', 'only the requester may fetch the result');
      await expireIfOverdue(deps, request);
      if (!(await deps.requests.transition(requestId, 'approved', 'released'))) await refuseClosed(deps, requestId);
      released = true;
      const { nationalId } = deps.tokenizer().reverse(request.sector, request.token);
      return { value: { status: 'released' as const, requestId, nationalId }, outcome: 'ok' };
    });
    return { ...value, auditId };
  } catch (err) {
    // Not handed out after all (the record could not be written): the requester may fetch again.
    if (released) await deps.requests.transition(requestId, 'released', 'approved');
    throw err;
  }
}

/** Pending requests past their time are closed, each with an `expire` record. */
export async function expireOverdue(deps: RegulatorDeps): Promise<number> {
  let count = 0;
  for (const request of await deps.requests.overdue(deps.now())) if (await expireOne(deps, request)) count += 1;
  return count;
}

/** Closes one pending request; the compare-and-set makes sure only one instance records it. */
async function expireOne(deps: RegulatorDeps, request: ReverseRequest): Promise<boolean> {
  if (!(await deps.requests.transition(request.id, 'pending', 'expired'))) return false;
  await deps.audit.append({ ...requestEntry('expire', null, request.id, request), outcome: 'expired' });
  return true;
}

/** Refuses with request_expired once a request's time is over, closing it if still open. */
async function expireIfOverdue(deps: RegulatorDeps, request: ReverseRequest): Promise<void> {
  if (request.expiresAt > deps.now() || request.state === 'released' || request.state === 'denied') return;
  if (request.state === 'pending') await expireOne(deps, request);
  else await deps.requests.transition(request.id, request.state, 'expired');
  throw new SectokenError('request_expired', 'the request has expired');
}

/** What a record says about a dual-control request, from the request as stored. */
function requestEntry(act: AuditAct, client: string | null, requestId: string, request: ReverseRequest | undefined): Omit<AuditEntry, 'outcome'> {
  return {
    act,
    client,
    requestId,
    sector: request?.sector ?? null,
    token: request?.token ?? null,
    legalBasis: request?.legalBasis ?? null,
    caseId: request?.caseId ?? null,
    purpose: request?.purpose ?? null,
  };
}

async function refuseClosed(deps: RegulatorDeps, requestId: string): Promise<never> {
  const now = await deps.requests.get(requestId);
  if (now?.state === 'expired') throw new SectokenError('request_expired', 'the request has expired');
  const why = now?.state === 'released' ? 'its result was already handed out' : now?.state === 'denied' ? 'it was denied' : `it is ${now?.state ?? 'gone'}`;
  throw new SectokenError('request_closed', `the request is closed: ${why}`);
}
