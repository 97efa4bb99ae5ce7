/**
 * Audit records and their chain (docs/AUDIT.md §2): each record's hash covers its fields and the
 * previous record's hash; a keyed MAC over the hash seals it. Pure: no files, no clock.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { AuditAct, AuditOutcome } from './acts.js';

export { AUDIT_ACTS, type AuditAct, type AuditOutcome } from './acts.js';

/** What a use case says happened. No national ID or TNI has a field here. */
export interface AuditEntry {
  act: AuditAct;
  client: string | null;
  /** The accountable person behind a regulator client, and the organisation it acts for (SPEC "dual control binds people"). */
  person?: string | null;
  organisation?: string | null;
  sector?: string | null;
  toSector?: string | null;
  token?: string | null;
  legalBasis?: string | null;
  caseId?: string | null;
  purpose?: string | null;
  requestId?: string | null;
  /** "ok", "pending", "expired", or the error code the caller received: a closed set. */
  outcome: AuditOutcome;
  /** How many refusals this one record stands for (aggregated unauthenticated refusals); null for every other record. */
  count?: number | null;
}

/**
 * The record form written now (docs/AUDIT.md §1): 2. Form 1 is the one before `person`,
 * `organisation` and `count`; a chain begun in form 1 goes on in form 2 (each record is verified
 * by the fields of its own form), never the other way.
 */
export type RecordVersion = 1 | 2;
export const RECORD_VERSION: RecordVersion = 2;

export interface AuditRecord extends Required<AuditEntry> {
  /** 2 for every record written now; 1 for a record of the earlier form read back (its person, organisation and count read as null). */
  v: RecordVersion;
  id: string;
  seq: number;
  time: string;
  instance: string;
  prev: string;
  hash: string;
  mac: string;
}

export const GENESIS = '0'.repeat(64);

/** The chained fields of the current form in their fixed order; absent fields are null (AUDIT.md §2). */
export function body(r: Omit<AuditRecord, 'hash' | 'mac'>): string {
  return JSON.stringify({
    v: r.v,
    id: r.id,
    seq: r.seq,
    time: r.time,
    instance: r.instance,
    act: r.act,
    client: r.client,
    person: r.person,
    organisation: r.organisation,
    sector: r.sector,
    toSector: r.toSector,
    token: r.token,
    legalBasis: r.legalBasis,
    caseId: r.caseId,
    purpose: r.purpose,
    requestId: r.requestId,
    outcome: r.outcome,
    count: r.count,
    prev: r.prev,
  });
}

/** The fields of a record of each form, in their order (AUDIT.md §1). */
export const RECORD_FORMS: Readonly<Record<RecordVersion, readonly string[]>> = {
  1: [
    'v',
    'id',
    'seq',
    'time',
    'instance',
    'act',
    'client',
    'sector',
    'toSector',
    'token',
    'legalBasis',
    'caseId',
    'purpose',
    'requestId',
    'outcome',
    'prev',
    'hash',
    'mac',
  ],
  2: [
    'v',
    'id',
    'seq',
    'time',
    'instance',
    'act',
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
    'outcome',
    'count',
    'prev',
    'hash',
    'mac',
  ],
};
export const FIELDS = RECORD_FORMS[RECORD_VERSION];

/**
 * The body of a record of form 1 (AUDIT.md §2), built from its field list without hash and mac.
 * Form-1 records are only read back, never written, so no hot path wants a literal here (body()).
 */
const FORM1_BODY = RECORD_FORMS[1].filter((f) => f !== 'hash' && f !== 'mac');
const bodyOfForm1 = (r: Record<string, unknown>): string =>
  JSON.stringify(Object.fromEntries(FORM1_BODY.map((f) => [f, r[f]])));

/** The form a parsed line says it is of (its `v`), if it is one of AUDIT.md §1. */
export const recordForm = (v: unknown): RecordVersion | undefined => (v === 1 || v === 2 ? v : undefined);

/** The body of a parsed record of either form, by its own field list (the fields are checked before). */
export const bodyOfRecord = (r: Record<string, unknown>): string =>
  r.v === 1 ? bodyOfForm1(r) : body(r as unknown as AuditRecord);

/** A record read back in the current shape: a form-1 record's person, organisation and count are null. */
export const asCurrentShape = (r: AuditRecord): AuditRecord =>
  r.v === RECORD_VERSION ? r : { ...r, person: null, organisation: null, count: null };

export const chainHash = (bodyText: string): string => createHash('sha256').update(bodyText, 'utf8').digest('hex');
export const chainMac = (macKey: Uint8Array, hash: string): string =>
  createHmac('sha256', macKey).update(hash, 'utf8').digest('hex');

export function sealRecord(
  macKey: Uint8Array,
  entry: AuditEntry,
  place: { instance: string; seq: number; time: string; prev: string },
): AuditRecord {
  const unsealed = {
    v: RECORD_VERSION,
    id: `${place.instance}:${place.seq}`,
    seq: place.seq,
    time: place.time,
    instance: place.instance,
    act: entry.act,
    client: entry.client,
    person: entry.person ?? null,
    organisation: entry.organisation ?? null,
    sector: entry.sector ?? null,
    toSector: entry.toSector ?? null,
    token: entry.token ?? null,
    legalBasis: entry.legalBasis ?? null,
    caseId: entry.caseId ?? null,
    purpose: entry.purpose ?? null,
    requestId: entry.requestId ?? null,
    outcome: entry.outcome,
    count: entry.count ?? null,
    prev: place.prev,
  };
  const hash = chainHash(body(unsealed));
  return { ...unsealed, hash, mac: chainMac(macKey, hash) };
}

/**
 * The line written to disk: the body's fields, then hash and mac — the body's JSON with the two
 * appended before its closing brace (what serializing the whole record gives, without doing it twice).
 */
export const lineOfBody = (bodyText: string, hash: string, mac: string): string =>
  `${bodyText.slice(0, -1)},"hash":${JSON.stringify(hash)},"mac":${JSON.stringify(mac)}}\n`;
export const recordLine = (r: AuditRecord): string => lineOfBody(body(r), r.hash, r.mac);

export function macMatches(macKey: Uint8Array, hash: string, mac: string): boolean {
  const expected = Buffer.from(chainMac(macKey, hash), 'hex');
  const given = Buffer.from(mac, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
