/** The auditors' charts: counted on the server from the records that verify, of every instance's chain (src/audit/reader/stats.ts, src/audit/reader/read.ts), on the reader thread. */
import type { Principal } from '../../access/apiKeys.js';
import { authorize } from '../../access/rules.js';
import { auditFileName } from '../../audit/chain/files.js';
import type { ReaderResults } from '../../audit/reader/readerJobs.js';
import type { AuditDeps } from './auditDeps.js';

export async function auditStatsOf(
  deps: Pick<AuditDeps, 'dir' | 'reader' | 'log' | 'macKey'>,
  principal: Principal,
  range: { from?: string | undefined; to?: string | undefined },
): Promise<ReaderResults['stats']> {
  authorize(principal, 'read-audit');
  const own = { name: auditFileName(deps.log.instance), bytes: deps.log.durableBytes() };
  return deps.reader.run({ kind: 'stats', dir: deps.dir, own, macKey: deps.macKey, range });
}
