/** Closed sets of the configuration that the HTTP contract and the console's types also name: node-free. */
/** `operator` reads the metrics (GET /metrics) and nothing else. */
export const ROLES = ['service', 'regulator', 'auditor', 'operator'] as const;
export type Role = (typeof ROLES)[number];
export const LEGAL_ACTS = ['reverse', 'translate'] as const;
/**
 * An instance id: it names the instance's audit chain (its file, lock and head marker) and appears
 * in records and checkpoints, so it is one safe file-name part.
 */
export const INSTANCE_ID = /^[A-Za-z0-9._-]{1,64}$/;
export const LEGAL_BASIS_ID = /^[A-Z0-9][A-Z0-9-]{1,63}$/;
