/**
 * Who may do what, as data (Outline's allow(role, action, scope)): denied unless a rule allows.
 * A rule names the roles of an action and whether the client must be in scope of its sectors. An
 * action scoped to sectors is authorized only with its sectors named (by type: authorize() has no
 * form that checks a scoped action's role alone but authorizeRole(), which says so).
 */
import { SectokenError } from '../errors.js';
import { RULES, type Action, type ScopedAction, type UnscopedAction } from './actions.js';
import type { Principal } from './apiKeys.js';

export type { Action, ScopedAction, UnscopedAction } from './actions.js';

/** At least one sector: a scoped action names the sectors it touches. */
export type Sectors = readonly [string, ...string[]];

const roleMay = (principal: Principal, action: Action): boolean =>
  (RULES[action].roles as readonly string[]).includes(principal.role);

/** The rule of `action` for these sectors; a scoped action with no sector named is refused. */
export function isAllowed(principal: Principal, action: Action, sectors: readonly string[]): boolean {
  if (!roleMay(principal, action)) return false;
  if (!RULES[action].inSectorScope) return true;
  return sectors.length > 0 && sectors.every((sector) => principal.sectors.has(sector));
}

/** Says which of the two failed: the role (the metrics, the audit: no sector involved), or the scope. */
const forbidden = (principal: Principal, action: Action): SectokenError =>
  roleMay(principal, action)
    ? new SectokenError('forbidden', 'this client may not do that in that sector')
    : new SectokenError(
        'forbidden',
        `a client of role ${principal.role} may not do that: it takes the role ${RULES[action].roles.join(' or ')}`,
      );

export function authorize(principal: Principal, action: UnscopedAction): void;
export function authorize(principal: Principal, action: ScopedAction, sectors: Sectors): void;
export function authorize(principal: Principal, action: Action, sectors: readonly string[] = []): void {
  if (!isAllowed(principal, action, sectors)) throw forbidden(principal, action);
}

/**
 * The role half of a scoped rule, for an act that refuses a wrong role before it looks at its
 * sectors (which it may not know yet: a request not read, a token not parsed). The act must still
 * authorize() its sectors.
 */
export function authorizeRole(principal: Principal, action: ScopedAction): void {
  if (!roleMay(principal, action)) throw forbidden(principal, action);
}
