/**
 * Who may do what, as data (Outline's allow(role, action, scope)): denied unless a rule allows.
 * A rule names the roles of an action and whether the client must be in scope of its sectors.
 */
import { SectokenError } from '../errors.js';
import type { Role } from '../config/schema.js';
import type { Principal } from './apiKeys.js';

export type Action =
  | 'tokenize' | 'upgrade' | 'reverse' | 'translate' | 'decide' | 'read-requests' | 'read-legal-bases' | 'read-audit' | 'read-metrics' | 'read-self';

const RULES: Readonly<Record<Action, { roles: readonly Role[]; inSectorScope: boolean }>> = {
  tokenize: { roles: ['service'], inSectorScope: true },
  upgrade: { roles: ['service'], inSectorScope: true },
  reverse: { roles: ['regulator'], inSectorScope: true },
  translate: { roles: ['regulator'], inSectorScope: true },
  decide: { roles: ['regulator'], inSectorScope: true },
  /** List and read dual-control requests: the facts an approver decides on, never an identity. */
  'read-requests': { roles: ['regulator'], inSectorScope: true },
  /** The configured legal bases (ids, titles, references, what they cover): what a regulator may cite. */
  'read-legal-bases': { roles: ['regulator'], inSectorScope: false },
  'read-audit': { roles: ['auditor'], inSectorScope: false },
  'read-metrics': { roles: ['operator'], inSectorScope: false },
  /** GET /v1/me: any authenticated client may see who it is signed in as. */
  'read-self': { roles: ['service', 'regulator', 'auditor', 'operator'], inSectorScope: false },
};

export function isAllowed(principal: Principal, action: Action, sectors: readonly string[] = []): boolean {
  const rule = RULES[action];
  if (!rule.roles.includes(principal.role)) return false;
  return !rule.inSectorScope || sectors.every((sector) => principal.sectors.has(sector));
}

export function authorize(principal: Principal, action: Action, sectors: readonly string[] = []): void {
  if (!isAllowed(principal, action, sectors)) {
    throw new SectokenError('forbidden', 'this client may not do that in that sector');
  }
}
