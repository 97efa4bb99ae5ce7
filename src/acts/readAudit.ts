/** An auditor reads the audit log: every instance's records, filtered and paged. */
import type { Principal } from '../access/apiKeys.js';
import { authorize } from '../access/rules.js';
import { queryAudit, type AuditQuery } from '../audit/read.js';
import type { AuditRecord } from '../audit/record.js';
import type { AuditDeps } from './auditDeps.js';

export function readAudit(deps: Pick<AuditDeps, 'dir'>, principal: Principal, query: AuditQuery): { total: number; offset: number; records: AuditRecord[] } {
  authorize(principal, 'read-audit');
  return { ...queryAudit(deps.dir, query), offset: query.offset };
}
