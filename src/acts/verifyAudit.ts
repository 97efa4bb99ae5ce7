/** An auditor checks every instance's chain, and this instance's against its head in memory and its last checkpoint. */
import type { Principal } from '../access/apiKeys.js';
import { authorize } from '../access/rules.js';
import { verifyLive, type LiveVerification } from '../audit/live.js';
import type { AuditDeps } from './auditDeps.js';

export async function verifyAudit(deps: AuditDeps, principal: Principal): Promise<LiveVerification> {
  authorize(principal, 'read-audit');
  return verifyLive({ dir: deps.dir, log: deps.log, macKey: deps.macKey, publicKey: deps.signer.publicKey, lastCheckpoint: deps.issued.last, reader: deps.reader });
}
