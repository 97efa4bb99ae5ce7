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
  limit: number;
  offset: number;
}

export function queryAudit(dir: string, q: AuditQuery): { total: number; records: AuditRecord[] } {
  const records: AuditRecord[] = [];
  for (const { text } of auditFiles(dir)) {
    for (const line of text.split('\n')) {
      if (!line) continue;
      try {
        records.push(JSON.parse(line) as AuditRecord);
      } catch {
        // A damaged line is the verifier's business; reading skips it.
      }
    }
  }
  const selected = records
    .filter((r) => (q.from === undefined || r.time >= q.from) && (q.to === undefined || r.time < q.to))
    .filter((r) => (q.client === undefined || r.client === q.client) && (q.caseId === undefined || r.caseId === q.caseId))
    .sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : a.id < b.id ? -1 : 1));
  return { total: selected.length, records: selected.slice(q.offset, q.offset + q.limit) };
}
