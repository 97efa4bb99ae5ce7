/** The auditors' charts: counted on the server from every instance's file (src/audit/stats.ts). */
import type { Principal } from '../access/apiKeys.js';
import { authorize } from '../access/rules.js';
import { auditRecords } from '../audit/read.js';
import { auditStats, type AuditStats } from '../audit/stats.js';
import type { AuditDeps } from './auditDeps.js';

export function auditStatsOf(deps: Pick<AuditDeps, 'dir'>, principal: Principal, range: { from?: string | undefined; to?: string | undefined }): AuditStats {
  authorize(principal, 'read-audit');
  return auditStats(auditRecords(deps.dir), range);
}
