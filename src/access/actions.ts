/**
 * The access rules as data (Outline's allow(role, action, scope)), node-free so that the HTTP
 * contract (src/http/contract.ts) documents who may call each operation from the same table that
 * src/access/rules.ts enforces: denied unless a rule allows.
 */
import type { Role } from '../config/names.js';

export type Action =
  | 'tokenize'
  | 'upgrade'
  | 'reverse'
  | 'translate'
  | 'decide'
  | 'read-requests'
  | 'read-legal-bases'
  | 'read-audit'
  | 'read-metrics'
  | 'read-self'
  | 'read-public-keys';

export const RULES = {
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
  /** A blind sector's VOPRF public keys: published, so that backends pin them. */
  'read-public-keys': { roles: ['service', 'regulator', 'auditor', 'operator'], inSectorScope: false },
} as const satisfies Readonly<Record<Action, { roles: readonly Role[]; inSectorScope: boolean }>>;

/** The actions whose rule scopes them to sectors: authorize() requires their sectors by type. */
export type ScopedAction = { [A in Action]: (typeof RULES)[A]['inSectorScope'] extends true ? A : never }[Action];
export type UnscopedAction = Exclude<Action, ScopedAction>;
