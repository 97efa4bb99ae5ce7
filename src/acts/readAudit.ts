/** An auditor reads the audit log: every instance's records, filtered and paged. */
import type { Principal } from '../access/apiKeys.js';
import { authorize } from '../access/rules.js';
import type { AuditQuery } from '../audit/read.js';
import type { AuditRecord } from '../audit/record.js';
import type { AuditDeps } from './auditDeps.js';

export async function readAudit(deps: Pick<AuditDeps, 'dir' | 'reader'>, principal: Principal, query: AuditQuery): Promise<{ total: number; offset: number; records: AuditRecord[] }> {
  authorize(principal, 'read-audit');
  return { ...(await deps.reader.run({ kind: 'query', dir: deps.dir, query })), offset: query.offset };
}
