/**
 * Audit records and their chain (docs/AUDIT.md §2): each record's hash covers its fields and the
 * previous record's hash; a keyed MAC over the hash seals it. Pure: no files, no clock.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export const AUDIT_ACTS = ['reverse', 'reverse-request', 'approve', 'deny', 'release', 'expire', 'translate', 'translate-request'] as const;
export type AuditAct = (typeof AUDIT_ACTS)[number];

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
  /** "ok", "pending", or the error code the caller received. */
  outcome: string;
  /** How many refusals this one record stands for (aggregated unauthenticated refusals); null for every other record. */
  count?: number | null;
}

export interface AuditRecord extends Required<AuditEntry> {
  v: 1;
  id: string;
  seq: number;
  time: string;
  instance: string;
  prev: string;
  hash: string;
  mac: string;
}

export const GENESIS = '0'.repeat(64);

/** The chained fields in their fixed order; absent fields are null (AUDIT.md §2). */
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

export const FIELDS = ['v', 'id', 'seq', 'time', 'instance', 'act', 'client', 'person', 'organisation', 'sector', 'toSector', 'token', 'legalBasis', 'caseId', 'purpose', 'requestId', 'outcome', 'count', 'prev', 'hash', 'mac'];

export const chainHash = (bodyText: string): string => createHash('sha256').update(bodyText, 'utf8').digest('hex');
export const chainMac = (macKey: Uint8Array, hash: string): string => createHmac('sha256', macKey).update(hash, 'utf8').digest('hex');

export function sealRecord(
  macKey: Uint8Array,
  entry: AuditEntry,
  place: { instance: string; seq: number; time: string; prev: string },
): AuditRecord {
  const unsealed = {
    v: 1 as const,
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
export const lineOfBody = (bodyText: string, hash: string, mac: string): string => `${bodyText.slice(0, -1)},"hash":${JSON.stringify(hash)},"mac":${JSON.stringify(mac)}}\n`;
export const recordLine = (r: AuditRecord): string => lineOfBody(body(r), r.hash, r.mac);

export function macMatches(macKey: Uint8Array, hash: string, mac: string): boolean {
  const expected = Buffer.from(chainMac(macKey, hash), 'hex');
  const given = Buffer.from(mac, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
