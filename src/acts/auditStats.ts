/** The auditors' charts: counted on the server from every instance's file (src/audit/stats.ts), on the reader thread. */
import type { Principal } from '../access/apiKeys.js';
import { authorize } from '../access/rules.js';
import type { AuditStats } from '../audit/stats.js';
import type { AuditDeps } from './auditDeps.js';

export async function auditStatsOf(deps: Pick<AuditDeps, 'dir' | 'reader'>, principal: Principal, range: { from?: string | undefined; to?: string | undefined }): Promise<AuditStats> {
  authorize(principal, 'read-audit');
  return deps.reader.run({ kind: 'stats', dir: deps.dir, range });
}
