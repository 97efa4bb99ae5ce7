/** Auditors: read the audit log, verify it, and take signed checkpoints of its head. */
import { Router } from 'express';
import { authorize } from '../../access/rules.js';
import type { Checkpoint, CheckpointSigner } from '../../audit/checkpoint.js';
import { verifyLive } from '../../audit/live.js';
import type { AuditLog } from '../../audit/log.js';
import { peerHead } from '../../audit/peerHead.js';
import { queryAudit } from '../../audit/read.js';
import type { RefusalRecorder } from '../../audit/refusals.js';
import type { Logger } from '../../log.js';
import { principalOf } from '../auth.js';
import { resource } from '../resource.js';
import { auditQuery, checkpointQuery } from '../schemas.js';
import { parseBody } from '../validate.js';

export interface AuditDeps {
  dir: string;
  log: AuditLog;
  macKey: Uint8Array;
  signer: CheckpointSigner;
  logger: Logger;
  /** Refusals of unauthenticated callers, aggregated (used by authentication). */
  refusals: RefusalRecorder;
}

export function auditRoutes(deps: AuditDeps): Router {
  const router = Router();
  // Kept in memory: a rewritten file cannot take back a checkpoint this process signed.
  let lastIssued: Checkpoint | undefined;

  resource(router, '/v1/audit', {
    get: (req, res) => {
      authorize(principalOf(res), 'read-audit');
      const query = parseBody(auditQuery, { ...(req.query as object) });
      res.json({ ...queryAudit(deps.dir, query), offset: query.offset });
    },
  });

  resource(router, '/v1/audit/verify', {
    get: (_req, res) => {
      authorize(principalOf(res), 'read-audit');
      res.json(verifyLive({ dir: deps.dir, log: deps.log, macKey: deps.macKey, publicKey: deps.signer.publicKey, lastCheckpoint: lastIssued }));
    },
  });

  resource(router, '/v1/audit/checkpoint', {
    get: (req, res) => {
      authorize(principalOf(res), 'read-audit');
      const { instance = deps.log.instance } = parseBody(checkpointQuery, { ...(req.query as object) });
      // Own chain: the head held in memory. Another worker's chain of this directory: its head
      // marker, once its chain verifies up to it (src/audit/peerHead.ts).
      const own = instance === deps.log.instance;
      const head = own ? deps.log.head() : peerHead(deps.dir, instance, deps.macKey);
      const checkpoint = deps.signer.sign({ instance, ...head, time: new Date().toISOString() });
      if (own) lastIssued = checkpoint;
      deps.logger.info({ checkpoint: { instance: checkpoint.instance, size: checkpoint.size, headHash: checkpoint.headHash, time: checkpoint.time, signature: checkpoint.signature } }, 'audit checkpoint');
      res.json(checkpoint);
    },
  });

  return router;
}
