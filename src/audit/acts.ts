/** The acts an audit record may name: node-free, so the HTTP contract (src/http/contract.ts) and the console's types can use it. */
export const AUDIT_ACTS = ['reverse', 'reverse-request', 'approve', 'deny', 'release', 'expire', 'translate', 'translate-request'] as const;
export type AuditAct = (typeof AUDIT_ACTS)[number];
