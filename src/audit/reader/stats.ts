/**
 * Aggregates of the audit log for the auditors' charts (GET /v1/audit/stats): counted here, on the
 * server, so that a browser never downloads the log. Pure: records in, counts out; one pass.
 *
 * - acts: reverses and translations asked and accepted (done at once, or made a pending request),
 *   per UTC day, by regulator client and by legal basis;
 * - refusals: records whose outcome is an error code the caller caused, per day, by code (an
 *   aggregated record of unauthenticated refusals counts as many as it stands for);
 * - failures: records whose outcome says the service could not act (a store it needs was down, or
 *   a bug: the 503 and 500 codes), per day, by code: an outage is not a refusal;
 * - how dual-control requests ended: released, denied or expired.
 */
import { inRange, timeBound } from './read.js';
import type { AuditOutcome, AuditRecord } from '../chain/record.js';

export interface DayCount {
  day: string;
  key: string;
  count: number;
}

export interface AuditStats {
  from: string | null;
  to: string | null;
  /** Records in the range. */
  records: number;
  /** Every UTC day from the first to the last counted one, for a continuous axis. */
  days: string[];
  actsByRegulator: DayCount[];
  actsByLegalBasis: DayCount[];
  refusalsByCode: DayCount[];
  failuresByCode: DayCount[];
  requestsEnded: { released: number; denied: number; expired: number };
}

const ACTS = new Set(['reverse', 'translate', 'reverse-request', 'translate-request']);
const NOT_REFUSALS = new Set(['ok', 'pending', 'expired']);
/** Outcomes where the service failed, not the caller (answered 503 or 500; audit_unavailable leaves no record). */
const FAILURES: ReadonlySet<string> = new Set<AuditOutcome>([
  'dual_control_unavailable',
  'limits_unavailable',
  'internal',
]);
const DAY_MS = 86_400_000;

/** Counts keyed by day and key, emitted sorted by day then key. */
class Tally {
  private readonly counts = new Map<string, number>();
  add(day: string, key: string, n: number): void {
    const k = `${day}\u0000${key}`;
    this.counts.set(k, (this.counts.get(k) ?? 0) + n);
  }
  list(): DayCount[] {
    return [...this.counts]
      .map(([k, count]) => {
        const cut = k.indexOf('\u0000');
        return { day: k.slice(0, cut), key: k.slice(cut + 1), count };
      })
      .sort((a, b) => (a.day !== b.day ? (a.day < b.day ? -1 : 1) : a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }
}

function daysBetween(first: string, last: string): string[] {
  const days: string[] = [];
  for (let t = Date.parse(`${first}T00:00:00Z`), end = Date.parse(`${last}T00:00:00Z`); t <= end; t += DAY_MS) {
    days.push(new Date(t).toISOString().slice(0, 10));
  }
  return days;
}

export function auditStats(
  records: Iterable<AuditRecord>,
  range: { from?: string | undefined; to?: string | undefined } = {},
): AuditStats {
  const byRegulator = new Tally();
  const byBasis = new Tally();
  const refusals = new Tally();
  const failures = new Tally();
  const ended = { released: 0, denied: 0, expired: 0 };
  let count = 0;
  let first: string | undefined;
  let last: string | undefined;
  const [from, to] = [timeBound(range.from), timeBound(range.to, 'to')];
  for (const r of records) {
    if (!inRange(r, from, to)) continue;
    count += 1;
    // Record times are ISO-8601 UTC: the day is their first ten characters.
    const day = r.time.slice(0, 10);
    let counted = true;
    if (ACTS.has(r.act) && (r.outcome === 'ok' || r.outcome === 'pending')) {
      byRegulator.add(day, r.client ?? '(unknown)', 1);
      byBasis.add(day, r.legalBasis ?? '(none)', 1);
    } else if (FAILURES.has(r.outcome)) {
      failures.add(day, r.outcome, r.count ?? 1);
    } else if (!NOT_REFUSALS.has(r.outcome)) {
      refusals.add(day, r.outcome, r.count ?? 1);
    } else if (r.act === 'release' && r.outcome === 'ok') ended.released += 1;
    else if (r.act === 'deny' && r.outcome === 'ok') ended.denied += 1;
    else if (r.act === 'expire') ended.expired += 1;
    else counted = false;
    if (counted) {
      if (first === undefined || day < first) first = day;
      if (last === undefined || day > last) last = day;
    }
  }
  return {
    from: from ?? null,
    to: to ?? null,
    records: count,
    days: first !== undefined && last !== undefined ? daysBetween(first, last) : [],
    actsByRegulator: byRegulator.list(),
    actsByLegalBasis: byBasis.list(),
    refusalsByCode: refusals.list(),
    failuresByCode: failures.list(),
    requestsEnded: ended,
  };
}
