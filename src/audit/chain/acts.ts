/** The acts and outcomes an audit record may name: node-free, so the HTTP contract (src/http/contract.ts) and the console's types can use it. */
import type { ErrorCode } from '../../errors.js';

export const AUDIT_ACTS = [
  'reverse',
  'reverse-request',
  'approve',
  'deny',
  'release',
  'expire',
  'translate',
  'translate-request',
] as const;
export type AuditAct = (typeof AUDIT_ACTS)[number];

/**
 * What became of an act (AUDIT.md §2): done, waiting for a second person, expired, or the error
 * code the caller received. Never audit_unavailable: an act the log cannot record leaves no record.
 */
export type AuditOutcome = 'ok' | 'pending' | 'expired' | Exclude<ErrorCode, 'audit_unavailable'>;
