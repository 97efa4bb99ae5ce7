/**
 * Refusals of unauthenticated callers of audited acts (docs/AUDIT.md §7). Recording each one as a
 * fsynced record lets anyone grow the log without bound, so they are aggregated: per source
 * (IPv4 address, or IPv6 /64) and act, the first refusal of an interval is recorded at once
 * (count 1, before the answer), and the later ones of that interval are only counted and written
 * as one record (count n) when the interval closes, without holding their answers on an fsync.
 * Tracked sources are capped; refusals beyond the cap share the source "*".
 */
import { isIPv4, isIPv6 } from 'node:net';
import { SectokenError } from '../../errors.js';
import type { AuditLog } from './log.js';
import type { AuditAct } from '../chain/record.js';

export interface RefusalRecorder {
  /** Accounts for one refusal; rejects with audit_unavailable when the log cannot record it. */
  refuse(remoteAddress: string | undefined, act: AuditAct): Promise<void>;
  /** Closes the interval: writes one record per source and act refused again since its first record. */
  flush(): Promise<void>;
  /** Stops the interval timer and writes what is counted. */
  close(): Promise<void>;
}

export const REFUSAL_INTERVAL_MS = 60_000;
/**
 * The bound on what unauthenticated callers can write: at most 2 × (this + 1) × acts records per
 * interval, however many addresses they use (about 1000 records a minute, some 100 KB).
 */
export const MAX_REFUSAL_SOURCES = 100;
const OVERFLOW = '*';

/** An IPv4 address as is; an IPv6 address by its /64 (one host holds a whole /64); anything else "*". */
export function sourceOf(address: string | undefined): string {
  if (!address) return OVERFLOW;
  const plain = address.replace(/%.*$/, '');
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(plain)?.[1];
  if (mapped && isIPv4(mapped)) return mapped;
  if (isIPv4(plain)) return plain;
  if (!isIPv6(plain)) return OVERFLOW;
  const [head = '', tail] = plain.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups =
    tail === undefined ? left : [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  return `${groups
    .slice(0, 4)
    .map((g) => parseInt(g, 16).toString(16))
    .join(':')}::/64`;
}

export function refusalRecorder(
  audit: AuditLog,
  options: { intervalMs?: number; maxSources?: number } = {},
): RefusalRecorder {
  const maxSources = options.maxSources ?? MAX_REFUSAL_SOURCES;
  /** Per "source act": refusals counted after the first (recorded) one of this interval. */
  let counted = new Map<string, { act: AuditAct; later: number }>();
  let sources = new Set<string>();

  const record = (act: AuditAct, count: number) =>
    audit.append({ act, client: null, outcome: 'unauthenticated', count });

  const flush = async (): Promise<void> => {
    const closing = counted;
    counted = new Map();
    sources = new Set();
    const writes = [...closing.values()].filter((c) => c.later > 0).map((c) => record(c.act, c.later));
    // A failed log already refuses and reports itself; the counts of a failed log are lost with it.
    await Promise.allSettled(writes);
  };
  const timer = setInterval(() => void flush(), options.intervalMs ?? REFUSAL_INTERVAL_MS);
  timer.unref();

  return {
    async refuse(remoteAddress, act) {
      if (!audit.writable())
        throw new SectokenError('audit_unavailable', 'the audit log cannot record this act now; nothing was done');
      let source = sourceOf(remoteAddress);
      if (!sources.has(source) && sources.size >= maxSources) source = OVERFLOW;
      const key = `${source} ${act}`;
      const seen = counted.get(key);
      if (seen) {
        seen.later += 1;
        return;
      }
      sources.add(source);
      counted.set(key, { act, later: 0 });
      await record(act, 1);
    },
    flush,
    async close() {
      clearInterval(timer);
      await flush();
    },
  };
}
