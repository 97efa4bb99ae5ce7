/**
 * An auditor checks every instance's chain, and this instance's against its head in memory and its
 * last checkpoint; with the checkpoints the auditor kept off-host too, each judged under this
 * service's audit signing key (a checkpoint signed by another key does not hold).
 */
import type { Principal } from '../../access/apiKeys.js';
import { authorize } from '../../access/rules.js';
import { verifyLive, type LiveVerification } from '../../audit/reader/live.js';
import type { Checkpoint } from '../../audit/chain/checkpoint.js';
import type { AuditDeps } from './auditDeps.js';

export async function verifyAudit(
  deps: AuditDeps,
  principal: Principal,
  kept: readonly Record<keyof Checkpoint, unknown>[] = [],
): Promise<LiveVerification> {
  authorize(principal, 'read-audit');
  // The kept checkpoints' values and signatures are the verifier's to judge (src/audit/chain/recordRules.ts).
  return verifyLive({
    dir: deps.dir,
    log: deps.log,
    macKey: deps.macKey,
    publicKey: deps.signer.publicKey,
    lastCheckpoint: deps.issued.last,
    kept: kept as Checkpoint[],
    reader: deps.reader,
  });
}
