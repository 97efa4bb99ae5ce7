/**
 * The value rules of a record and of a checkpoint (docs/AUDIT.md §1 and §4), for the verifier: a
 * line that is well-formed JSON with the right fields, a matching hash and a valid MAC can still
 * say something the service never writes (v 2, an unknown act, a time in another form); an
 * independent verifier written from the document refuses it, so ours does too.
 */
import { ERROR_CODES } from '../../errors.js';
import { AUDIT_ACTS } from './record.js';
import { INSTANCE_ID } from '../../config/names.js';
import { CHECKPOINT_FORMAT } from './files.js';

/** Outcomes the service writes: success, a pending request, an expiry, or the refusal's code. */
export const AUDIT_OUTCOMES: readonly string[] = [
  'ok',
  'pending',
  'expired',
  ...ERROR_CODES.filter((c) => c !== 'audit_unavailable'),
];

const HEX64 = /^[0-9a-f]{64}$/;
/** Date.prototype.toISOString of a year 0000–9999: milliseconds, always UTC ("Z"). */
const TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

const STRING_OR_NULL = [
  'client',
  'person',
  'organisation',
  'sector',
  'toSector',
  'token',
  'legalBasis',
  'caseId',
  'purpose',
  'requestId',
] as const;

export const isAuditTime = (t: unknown): t is string =>
  typeof t === 'string' && TIME.test(t) && !Number.isNaN(Date.parse(t)) && new Date(t).toISOString() === t;

/**
 * Why a parsed record breaks the value rules, or undefined when it keeps them (fields and order are
 * checked apart, by the form its `v` names: a form-1 record has no person, organisation or count).
 */
export function recordValueProblem(r: Record<string, unknown>): string | undefined {
  if (r.v !== 1 && r.v !== 2) return 'v is not 1 or 2';
  if (!Number.isSafeInteger(r.seq) || (r.seq as number) < 1) return 'seq is not a positive integer';
  if (typeof r.instance !== 'string' || !INSTANCE_ID.test(r.instance))
    return 'instance is not 1–64 of A–Z a–z 0–9 . _ -';
  if (r.id !== `${r.instance}:${String(r.seq)}`) return 'id is not <instance>:<seq>';
  if (!isAuditTime(r.time)) return 'time is not an ISO 8601 UTC time with milliseconds (YYYY-MM-DDTHH:mm:ss.sssZ)';
  if (typeof r.act !== 'string' || !(AUDIT_ACTS as readonly string[]).includes(r.act))
    return 'act is not one of the acts of docs/AUDIT.md §1';
  for (const field of STRING_OR_NULL) {
    if (!(field in r)) continue; // not a field of this record's form
    if (r[field] !== null && typeof r[field] !== 'string') return `${field} is neither a string nor null`;
  }
  if (typeof r.outcome !== 'string' || !AUDIT_OUTCOMES.includes(r.outcome))
    return 'outcome is not one of the outcomes of docs/AUDIT.md §1';
  if (
    'count' in r &&
    r.count !== null &&
    !(Number.isSafeInteger(r.count) && (r.count as number) >= 1 && r.outcome === 'unauthenticated')
  ) {
    return 'count is neither null nor a positive integer of an unauthenticated refusal';
  }
  for (const field of ['prev', 'hash', 'mac'] as const) {
    if (typeof r[field] !== 'string' || !HEX64.test(r[field])) return `${field} is not 64 lower-case hex digits`;
  }
  return undefined;
}

const CHECKPOINT_FIELDS = ['format', 'instance', 'size', 'headHash', 'time', 'publicKey', 'signature'];

/** Why a parsed checkpoint is not one of the form §4 describes, or undefined. */
export function checkpointValueProblem(c: unknown): string | undefined {
  if (typeof c !== 'object' || c === null || Array.isArray(c)) return 'not a JSON object';
  const cp = c as Record<string, unknown>;
  if (cp.format !== CHECKPOINT_FORMAT) return `format is not ${CHECKPOINT_FORMAT}`;
  if (Object.keys(cp).sort().join(',') !== [...CHECKPOINT_FIELDS].sort().join(','))
    return `fields are not exactly ${CHECKPOINT_FIELDS.join(', ')}`;
  if (typeof cp.instance !== 'string' || !INSTANCE_ID.test(cp.instance))
    return 'instance is not 1–64 of A–Z a–z 0–9 . _ -';
  if (!Number.isSafeInteger(cp.size) || (cp.size as number) < 0) return 'size is not an integer ≥ 0';
  if (typeof cp.headHash !== 'string' || !HEX64.test(cp.headHash)) return 'headHash is not 64 lower-case hex digits';
  if (cp.size === 0 && cp.headHash !== '0'.repeat(64)) return 'size 0 with a headHash other than 64 zeros';
  if (!isAuditTime(cp.time)) return 'time is not an ISO 8601 UTC time with milliseconds';
  // The key and signature are checked by the signature check itself ("checkpoint signature invalid").
  if (typeof cp.publicKey !== 'string' || typeof cp.signature !== 'string')
    return 'publicKey or signature is not a string';
  return undefined;
}
