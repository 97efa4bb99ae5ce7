/**
 * When an act needs a second pair of eyes, and who may be them (SPEC "Legal bases and dual
 * control"): every act whose legal basis demands it or that touches a sector that demands it
 * (a reverse; a translate from or into such a sector). The approver is another *person* in scope
 * of every sector of the act, and of another organisation where the basis says so. People and
 * organisations are compared in canonical form (src/config/canonicalName.ts), never as typed.
 */
import type { Principal } from '../access/apiKeys.js';
import { isAllowed, type Sectors } from '../access/rules.js';
import { canonicalName } from '../config/canonicalName.js';
import type { Config, LegalBasis } from '../config/schema.js';
import { SectokenError } from '../errors.js';
import type { ActRequest, Actor } from './requestLife.js';

export function demandsDualControl(sectors: Config['sectors'], basis: LegalBasis, touched: readonly string[]): boolean {
  return basis.dualControl || touched.some((sector) => sectors[sector]?.dualControl === true);
}

/** The accountable person behind a regulator client (configuration guarantees both fields). */
export const actorOf = (principal: Principal): Actor => ({
  client: principal.id,
  person: principal.person ?? principal.id,
  organisation: principal.organisation ?? principal.id,
});

export const sectorsOf = (request: ActRequest): Sectors =>
  request.toSector === null ? [request.sector] : [request.sector, request.toSector];

const sameName = (a: string, b: string): boolean => canonicalName(a) === canonicalName(b);

/**
 * The caller made `request`: the same client and the same person. A client id given again to
 * someone else, after the first holder's client was removed, does not inherit their requests.
 */
export const isRequester = (principal: Principal, request: ActRequest): boolean =>
  request.requester.client === principal.id && sameName(actorOf(principal).person, request.requester.person);

/** Why `principal` may not decide `request`, or undefined if they may. */
export function cannotDecide(
  deps: { config: Pick<Config, 'legalBases'> },
  principal: Principal,
  request: ActRequest,
): string | undefined {
  if (!isAllowed(principal, 'decide', sectorsOf(request)))
    return 'this client may not decide requests in these sectors';
  const approver = actorOf(principal);
  if (sameName(approver.person, request.requester.person))
    return 'a request is decided by a second person, not its requester';
  const basis = deps.config.legalBases.find((b) => b.id === request.legalBasis);
  if (basis?.approverFromOtherOrganisation && sameName(approver.organisation, request.requester.organisation)) {
    return 'this legal basis demands an approver from another organisation';
  }
  return undefined;
}

export function requireDecider(
  deps: { config: Pick<Config, 'legalBases'> },
  principal: Principal,
  request: ActRequest,
): void {
  const why = cannotDecide(deps, principal, request);
  if (why) throw new SectokenError('forbidden', why);
}
