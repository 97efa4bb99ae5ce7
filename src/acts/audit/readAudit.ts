/** An auditor reads the audit log: the records that verify, of every instance's chain, filtered and paged (docs/AUDIT.md §6). */
import type { Principal } from '../../access/apiKeys.js';
import { authorize } from '../../access/rules.js';
import { cursorOf, parseCursor } from '../../audit/reader/cursor.js';
import { auditFileName } from '../../audit/chain/files.js';
import type { AuditQuery, ChainRead } from '../../audit/reader/read.js';
import type { AuditRecord } from '../../audit/chain/record.js';
import { SectokenError } from '../../errors.js';
import type { AuditDeps } from './auditDeps.js';

export interface AuditPageAnswer {
  total: number;
  offset: number;
  records: AuditRecord[];
  /** Where the next page starts (`after`), or null on the last page. */
  next: string | null;
  chains: ChainRead[];
}

export async function readAudit(
  deps: Pick<AuditDeps, 'dir' | 'reader' | 'log' | 'macKey'>,
  principal: Principal,
  query: Omit<AuditQuery, 'after'> & { after?: string | undefined },
): Promise<AuditPageAnswer> {
  authorize(principal, 'read-audit');
  const after = query.after === undefined ? undefined : parseCursor(query.after);
  if (query.after !== undefined && after === undefined)
    throw new SectokenError(
      'invalid_request',
      'after: not a cursor of this API (pass the `next` of the previous page as it came)',
    );
  const own = { name: auditFileName(deps.log.instance), bytes: deps.log.durableBytes() };
  const page = await deps.reader.run({
    kind: 'query',
    dir: deps.dir,
    own,
    macKey: deps.macKey,
    query: { ...query, after },
  });
  return {
    total: page.total,
    offset: query.offset,
    records: page.records,
    next: page.last ? cursorOf(page.last) : null,
    chains: page.chains,
  };
}
