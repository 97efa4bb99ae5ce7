/** Closed sets of the configuration that the HTTP contract and the console's types also name: node-free. */
/** `operator` reads the metrics (GET /metrics) and nothing else. */
export const ROLES = ['service', 'regulator', 'auditor', 'operator'] as const;
export type Role = (typeof ROLES)[number];
export const LEGAL_ACTS = ['reverse', 'translate'] as const;
export const LEGAL_BASIS_ID = /^[A-Z0-9][A-Z0-9-]{1,63}$/;
