/**
 * Where a page of GET /v1/audit ends, so that the next page starts after it (docs/AUDIT.md §6):
 * the time and id of its last record, which order every record (time, then id, never a tie).
 * Paging by it, a reader holds one page at a time however deep it goes, and every record comes
 * exactly once. Opaque to callers (base64url), and checked when it comes back.
 */
import { INSTANCE_ID } from '../../config/names.js';
import { isAuditTime } from '../chain/recordRules.js';

export interface AuditCursor {
  time: string;
  id: string;
}

/** A record id: `<instance>:<seq>`. */
const ID = new RegExp(`^${INSTANCE_ID.source.slice(1, -1)}:[1-9][0-9]{0,15}$`);

export const cursorOf = (r: AuditCursor): string =>
  Buffer.from(JSON.stringify([r.time, r.id]), 'utf8').toString('base64url');

/** The cursor `text` stands for, or undefined when it is not one that cursorOf gave. */
export function parseCursor(text: string): AuditCursor | undefined {
  let pair: unknown;
  try {
    pair = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (!Array.isArray(pair) || pair.length !== 2) return undefined;
  const [time, id] = pair as unknown[];
  return isAuditTime(time) && typeof id === 'string' && ID.test(id) ? { time, id } : undefined;
}
