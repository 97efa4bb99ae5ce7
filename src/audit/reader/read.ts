/**
 * Reading the audit directory for auditors (docs/AUDIT.md §6): only records that verify, filtered
 * and paged. Each instance's file is walked as the verifier walks it (src/audit/chain/verify.ts, MACs
 * included), and only its valid records, from the first up to the first that is not, are read:
 * a forged or modified record, or anything after it, never reaches a search or a chart. Every
 * answer lists the chains it read, whether each verified, and up to which record. Files are read
 * line by line in chunks (src/audit/chain/lines.ts), never whole.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { AuditCursor } from './cursor.js';
import { fileLines, type LineSource } from '../chain/lines.js';
import { asCurrentShape, type AuditRecord } from '../chain/record.js';
import { smallest } from './smallest.js';
import { instanceOfFileName } from '../chain/files.js';
import { chainWalk } from '../chain/verify.js';

/** Every instance's file of the directory, by name, its lines read when asked for. */
export const auditFiles = (dir: string): { name: string; path: string; text: LineSource }[] => {
  let names: string[];
  try {
    names = readdirSync(dir)
      .filter((n) => instanceOfFileName(n) !== null)
      .sort();
  } catch {
    return [];
  }
  return names.map((name) => ({ name, path: join(dir, name), text: fileLines(join(dir, name)) }));
};

/** One chain as a read saw it: its records read, and why the rest (if any) was left out. */
export interface ChainRead {
  file: string;
  instance: string | null;
  /** Its records that verify, from the first on: those a read took. */
  records: number;
  /** False when a record of the file does not verify: it and every record after it were left out. */
  verified: boolean;
  firstBad?: { line: number; reason: string };
}

/**
 * The records of the files that verify (§5, with MACs), file after file in file order, in their
 * current shape (§1); `chains` receives one entry per file once it has been read. A last line
 * without its line end (a batch being written) is not a record yet, and no fault of the chain.
 */
export function* verifiedRecords(
  files: readonly { name: string; text: LineSource }[],
  macKey: Uint8Array,
  chains: ChainRead[],
): Generator<AuditRecord> {
  for (const { name, text } of files) {
    if (instanceOfFileName(name) === null) {
      chains.push({
        file: name,
        instance: null,
        records: 0,
        verified: false,
        firstBad: { line: 1, reason: 'not named audit-<instance>.jsonl, so it is bound to no instance' },
      });
      continue;
    }
    const walk = chainWalk(name, text, macKey, false);
    let step = walk.next();
    for (; !step.done; step = walk.next()) yield asCurrentShape(step.value);
    const report = step.value;
    const verified = report.firstBad === undefined || report.tailCut === true;
    chains.push({
      file: name,
      instance: report.instance,
      records: report.records,
      verified,
      ...(report.firstBad === undefined || verified ? {} : { firstBad: report.firstBad }),
    });
  }
}

export interface AuditQuery {
  from?: string | undefined;
  to?: string | undefined;
  client?: string | undefined;
  caseId?: string | undefined;
  legalBasis?: string | undefined;
  act?: string | undefined;
  outcome?: string | undefined;
  /** The page starts after this record (the `next` of the page before), in the order asked. */
  after?: AuditCursor | undefined;
  /** Oldest first (the default) or newest first: an auditor of a long log starts from its end. */
  order?: 'asc' | 'desc' | undefined;
  limit: number;
  offset: number;
}

/**
 * A bound in the records' own form (toISOString: milliseconds, "Z"), so that comparing strings
 * compares times: "…T00:00:00Z" would sort after "…T00:00:00.000Z" of the same instant.
 */
export const timeBound = (iso: string | undefined, end: 'from' | 'to' = 'from'): string | undefined => {
  if (iso === undefined) return undefined;
  // A plain date (YYYY-MM-DD) is a UTC day, as the charts count them: `from` its start, `to` its
  // end (the start of the next day, the range being [from, to)), so from=to=D is the day D.
  if (/^\d{4}-\d{2}-\d{2}$/.test(iso)) {
    const start = Date.parse(`${iso}T00:00:00.000Z`);
    return new Date(end === 'to' ? start + 86_400_000 : start).toISOString();
  }
  return new Date(iso).toISOString();
};

/** [from, to): the time range every reader of the log uses; bounds as timeBound() gives them. */
export const inRange = (r: AuditRecord, from: string | undefined, to: string | undefined): boolean =>
  (from === undefined || r.time >= from) && (to === undefined || r.time < to);

/** Time order; records of the same millisecond by id (unique, so never a tie). */
export const byTimeThenId = (a: AuditCursor, b: AuditCursor): number =>
  a.time < b.time ? -1 : a.time > b.time ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;

export interface AuditPage {
  /** Records that match the filters (whatever the cursor). */
  total: number;
  records: AuditRecord[];
  /** The last record of this page, when more records match after it. */
  last: AuditCursor | null;
}

/**
 * One page of the matching records in time order (newest first for `order: 'desc'`). Memory is bounded by the page, not the log:
 * the heap holds at most offset + limit records (both bounded at the edge), each record is
 * dropped once compared, and the walk holds one line at a time.
 */
export function queryAudit(records: Iterable<AuditRecord>, q: AuditQuery): AuditPage {
  const equal = (want: string | undefined, have: string | null): boolean => want === undefined || have === want;
  const [from, to] = [timeBound(q.from), timeBound(q.to, 'to')];
  const order = q.order === 'desc' ? (a: AuditCursor, b: AuditCursor) => byTimeThenId(b, a) : byTimeThenId;
  let total = 0;
  let beyond = 0;
  function* selected(): Generator<AuditRecord> {
    for (const r of records) {
      if (!inRange(r, from, to)) continue;
      if (!(
        equal(q.client, r.client) &&
        equal(q.caseId, r.caseId) &&
        equal(q.legalBasis, r.legalBasis) &&
        equal(q.act, r.act) &&
        equal(q.outcome, r.outcome)
      ))
        continue;
      total += 1;
      if (q.after && order(r, q.after) <= 0) continue;
      beyond += 1;
      yield r;
    }
  }
  const page = smallest(selected(), q.offset + q.limit, order).slice(q.offset);
  const lastOfPage = page.at(-1);
  const more = beyond > q.offset + q.limit && lastOfPage !== undefined;
  return { total, records: page, last: more ? { time: lastOfPage.time, id: lastOfPage.id } : null };
}
