/**
 * An auditor takes a signed checkpoint of a chain's head (docs/AUDIT.md §4), to keep off-host: of
 * this instance's chain by default, or of another worker's chain in the same directory.
 */
import type { Principal } from '../../access/apiKeys.js';
import { authorize } from '../../access/rules.js';
import type { Checkpoint } from '../../audit/chain/checkpoint.js';
import type { AuditDeps } from './auditDeps.js';

export async function takeCheckpoint(
  deps: AuditDeps,
  principal: Principal,
  instance: string = deps.log.instance,
): Promise<Checkpoint> {
  authorize(principal, 'read-audit');
  // Own chain: the head held in memory. Another worker's chain of this directory: its head
  // marker, once its chain verifies up to it (src/audit/reader/peerHead.ts, on the reader thread).
  const own = instance === deps.log.instance;
  const head = own
    ? deps.log.head()
    : await deps.reader.run({ kind: 'peerHead', dir: deps.dir, instance, macKey: deps.macKey });
  const checkpoint = deps.signer.sign({ instance, ...head, time: new Date().toISOString() });
  if (own) deps.issued.last = checkpoint;
  deps.logger.info(
    {
      checkpoint: {
        instance: checkpoint.instance,
        size: checkpoint.size,
        headHash: checkpoint.headHash,
        time: checkpoint.time,
        signature: checkpoint.signature,
      },
    },
    'audit checkpoint',
  );
  return checkpoint;
}
