/**
 * What regulators see of dual-control requests (SPEC "informed approval"): the requests they could
 * decide, made or decided, and each one's facts — act, sectors, token, legal basis, case, purpose,
 * requester, expiry — never a national ID. The token is shown to those who may decide (so that
 * they check it against the case file: a requester could attach a real case to anyone's token) and
 * to its requester, who sent it. The requester reading an approved request collects its result
 * here, once (src/acts/requests/release.ts).
 */
import type { Principal } from '../../access/apiKeys.js';
import { authorize, authorizeRole, isAllowed } from '../../access/rules.js';
import { cannotDecide, isRequester, sectorsOf } from '../../dualControl/policy.js';
import { isFinal, publicState, type ActRequest, type Actor, type PublicState } from '../../dualControl/requestLife.js';
import type { RegulatorDeps } from '../deps.js';
import { readStored } from './readStored.js';
import { withinRefusalBudget } from './refusalBudget.js';
import { release, type Released } from './release.js';

export interface RequestView {
  requestId: string;
  act: 'reverse' | 'translate';
  sector: string;
  toSector: string | null;
  /**
   * The token the act is about (in `sector`), canonical; null for a caller who neither made the
   * request nor may decide it. Not `token`: a released translation's `token` is the result.
   */
  sourceToken: string | null;
  legalBasis: { id: string; title: string; reference: string };
  caseId: string;
  purpose: string;
  requester: Actor;
  state: PublicState;
  createdAt: string;
  expiresAt: string;
  decidedBy: Actor | null;
  /** The caller made it. */
  mine: boolean;
  /** The caller may approve or deny it now. */
  canDecide: boolean;
}

export interface RequestFilter {
  state?: PublicState | undefined;
  /** Only those the caller approved or denied. */
  decidedBy?: 'me' | undefined;
}

/** The requests the caller made, or could decide (in scope of all its sectors), newest first. */
export async function listRequests(
  deps: RegulatorDeps,
  principal: Principal,
  filter: RequestFilter,
): Promise<{ requests: RequestView[] }> {
  authorizeRole(principal, 'read-requests');
  const now = deps.now();
  const views = (await deps.requests.live(now))
    .filter((r) => isRequester(principal, r) || isAllowed(principal, 'read-requests', sectorsOf(r)))
    .filter((r) => filter.decidedBy === undefined || r.decidedBy?.client === principal.id)
    .map((r) => viewOf(deps, principal, r, now))
    .filter((v) => filter.state === undefined || v.state === filter.state)
    .sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0));
  return { requests: views };
}

/** One request's facts; for its requester, once approved, its result (collected once). */
export async function readRequest(
  deps: RegulatorDeps,
  principal: Principal,
  requestId: string,
): Promise<RequestView | Released> {
  return withinRefusalBudget(deps.limits, principal, () => readCounted(deps, principal, requestId));
}

async function readCounted(
  deps: RegulatorDeps,
  principal: Principal,
  requestId: string,
): Promise<RequestView | Released> {
  authorizeRole(principal, 'read-requests');
  const stored = await readStored(deps, requestId);
  const request = stored.request;
  // Unknown or unreadable (tampered): refused through the release path, which records the refusal.
  if (!request) return release(deps, principal, requestId, stored);
  const mine = isRequester(principal, request);
  const now = deps.now();
  if (mine && publicState(request.state) === 'approved' && request.expiresAt > now)
    return release(deps, principal, requestId, stored);
  if (!mine) authorize(principal, 'read-requests', sectorsOf(request));
  return viewOf(deps, principal, request, now);
}

/**
 * The requester's collection on the deprecated /v1/reverse/requests/{id}: pending while waiting,
 * otherwise a release attempt (every refusal recorded).
 */
export async function collect(
  deps: RegulatorDeps,
  principal: Principal,
  requestId: string,
): Promise<{ status: 'pending'; requestId: string; expiresAt: string } | Released> {
  return withinRefusalBudget(deps.limits, principal, async () => {
    const stored = await readStored(deps, requestId);
    const request = stored.request;
    if (
      request &&
      publicState(request.state) === 'pending' &&
      isRequester(principal, request) &&
      request.expiresAt > deps.now()
    ) {
      return { status: 'pending' as const, requestId, expiresAt: new Date(request.expiresAt).toISOString() };
    }
    return release(deps, principal, requestId, stored);
  });
}

function viewOf(deps: RegulatorDeps, principal: Principal, r: ActRequest, now: number): RequestView {
  const basis = deps.config.legalBases.find((b) => b.id === r.legalBasis);
  const state = !isFinal(r.state) && r.expiresAt <= now ? 'expired' : publicState(r.state);
  const mine = isRequester(principal, r);
  // May decide it as a person (scope, another person, organisation), whatever its state now.
  const decider = cannotDecide(deps, principal, r) === undefined;
  return {
    requestId: r.id,
    act: r.act,
    sector: r.sector,
    toSector: r.toSector,
    sourceToken: mine || decider ? r.token : null,
    legalBasis: { id: r.legalBasis, title: basis?.title ?? '', reference: basis?.reference ?? '' },
    caseId: r.caseId,
    purpose: r.purpose,
    requester: r.requester,
    state,
    createdAt: new Date(r.createdAt).toISOString(),
    expiresAt: new Date(r.expiresAt).toISOString(),
    decidedBy: r.decidedBy,
    mine,
    canDecide: state === 'pending' && r.state === 'pending' && decider,
  };
}
