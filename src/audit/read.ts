/**
 * Reading the audit directory for auditors: every instance's file, filtered and paged. Files are
 * read line by line in chunks (src/audit/lines.ts), never whole: a million records would not fit
 * in one string.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileLines, type LineSource } from './lines.js';
import type { AuditRecord } from './record.js';
import { smallest } from './smallest.js';

/** Every instance's file of the directory, by name, its lines read when asked for. */
export const auditFiles = (dir: string): Array<{ name: string; path: string; text: LineSource }> => {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => /^audit-[A-Za-z0-9._-]+\.jsonl$/.test(n)).sort();
  } catch {
    return [];
  }
  return names.map((name) => ({ name, path: join(dir, name), text: fileLines(join(dir, name)) }));
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

/**
 * Every record of every instance's file, in file order, one at a time. A damaged line, or a last
 * one without its line end (a batch being written), is the verifier's business and is skipped here.
 */
export function* auditRecords(dir: string): Generator<AuditRecord> {
  for (const { text } of auditFiles(dir)) {
    for (const line of text.lines()) {
      if (!line) continue;
      let record: AuditRecord;
      try {
        record = JSON.parse(line) as AuditRecord;
      } catch {
        continue; // skipped: see above
      }
      yield record;
    }
  }
}

/**
 * A bound in the records' own form (toISOString: milliseconds, "Z"), so that comparing strings
 * compares times: "…T00:00:00Z" would sort after "…T00:00:00.000Z" of the same instant.
 */
export const timeBound = (iso: string | undefined): string | undefined => (iso === undefined ? undefined : new Date(iso).toISOString());

/** [from, to): the time range every reader of the log uses; bounds as timeBound() gives them. */
export const inRange = (r: AuditRecord, from: string | undefined, to: string | undefined): boolean =>
  (from === undefined || r.time >= from) && (to === undefined || r.time < to);

/** Time order; records of the same millisecond by id (unique, so never a tie). */
export const byTimeThenId = (a: AuditRecord, b: AuditRecord): number => (a.time < b.time ? -1 : a.time > b.time ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

export function queryAudit(dir: string, q: AuditQuery): { total: number; records: AuditRecord[] } {
  const equal = (want: string | undefined, have: string | null): boolean => want === undefined || have === want;
  const [from, to] = [timeBound(q.from), timeBound(q.to)];
  let total = 0;
  function* selected(): Generator<AuditRecord> {
    for (const r of auditRecords(dir)) {
      if (!inRange(r, from, to)) continue;
      if (!(equal(q.client, r.client) && equal(q.caseId, r.caseId) && equal(q.legalBasis, r.legalBasis) && equal(q.act, r.act) && equal(q.outcome, r.outcome))) continue;
      total += 1;
      yield r;
    }
  }
  // Only the records up to the end of the page are held, never the whole log.
  const page = smallest(selected(), q.offset + q.limit, byTimeThenId).slice(q.offset);
  return { total, records: page };
}
