/**
 * Who may do what, as data (Outline's allow(role, action, scope)): denied unless a rule allows.
 * A rule names the roles of an action and whether the client must be in scope of its sectors.
 */
import { SectokenError } from '../errors.js';
import { RULES, type Action } from './actions.js';
import type { Principal } from './apiKeys.js';

export type { Action } from './actions.js';

export function isAllowed(principal: Principal, action: Action, sectors: readonly string[] = []): boolean {
  const rule = RULES[action];
  if (!rule.roles.includes(principal.role)) return false;
  return !rule.inSectorScope || sectors.every((sector) => principal.sectors.has(sector));
}

export function authorize(principal: Principal, action: Action, sectors: readonly string[] = []): void {
  if (isAllowed(principal, action, sectors)) return;
  const rule = RULES[action];
  // Say which of the two failed: the role (metrics, the audit: no sector involved) or the scope.
  if (!rule.roles.includes(principal.role))
    throw new SectokenError(
      'forbidden',
      `a client of role ${principal.role} may not do that: it takes the role ${rule.roles.join(' or ')}`,
    );
  throw new SectokenError('forbidden', 'this client may not do that in that sector');
}
