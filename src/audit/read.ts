/**
 * Reading the audit directory for auditors: every instance's file, filtered and paged. Files are
 * read whole; at the record sizes here that is a few MB per million acts.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AuditRecord } from './record.js';

export const auditFiles = (dir: string): Array<{ name: string; text: string }> => {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => /^audit-[A-Za-z0-9._-]+\.jsonl$/.test(n)).sort();
  } catch {
    return [];
  }
  return names.map((name) => ({ name, text: readFileSync(join(dir, name), 'utf8') }));
};

export interface AuditQuery {
  from?: string | undefined;
  to?: string | undefined;
  client?: string | undefined;
  caseId?: string | undefined;
  legalBasis?: string | undefined;
  act?: string | undefined;
  outcome?: string | undefined;
  limit: number;
  offset: number;
}

/** Every record of every instance's file, in file order; a damaged line is the verifier's business and is skipped here. */
export function readAuditRecords(dir: string): AuditRecord[] {
  const records: AuditRecord[] = [];
  for (const { text } of auditFiles(dir)) {
    for (const line of text.split('\n')) {
      if (!line) continue;
      try {
        records.push(JSON.parse(line) as AuditRecord);
      } catch {
        // skipped: see above
      }
    }
  }
  return records;
}

/**
 * A bound in the records' own form (toISOString: milliseconds, "Z"), so that comparing strings
 * compares times: "…T00:00:00Z" would sort after "…T00:00:00.000Z" of the same instant.
 */
export const timeBound = (iso: string | undefined): string | undefined => (iso === undefined ? undefined : new Date(iso).toISOString());

/** [from, to): the time range every reader of the log uses; bounds as timeBound() gives them. */
export const inRange = (r: AuditRecord, from: string | undefined, to: string | undefined): boolean =>
  (from === undefined || r.time >= from) && (to === undefined || r.time < to);

export function queryAudit(dir: string, q: AuditQuery): { total: number; records: AuditRecord[] } {
  const equal = (want: string | undefined, have: string | null): boolean => want === undefined || have === want;
  const [from, to] = [timeBound(q.from), timeBound(q.to)];
  const selected = readAuditRecords(dir)
    .filter((r) => inRange(r, from, to))
    .filter((r) => equal(q.client, r.client) && equal(q.caseId, r.caseId) && equal(q.legalBasis, r.legalBasis))
    .filter((r) => equal(q.act, r.act) && equal(q.outcome, r.outcome))
    .sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : a.id < b.id ? -1 : 1));
  return { total: selected.length, records: selected.slice(q.offset, q.offset + q.limit) };
}
