/** Auditors: read the audit log, verify it, and take signed checkpoints of its head. */
import { Router } from 'express';
import { authorize } from '../../access/rules.js';
import type { Checkpoint, CheckpointSigner } from '../../audit/checkpoint.js';
import { verifyLive } from '../../audit/live.js';
import type { AuditLog } from '../../audit/log.js';
import { queryAudit } from '../../audit/read.js';
import type { RefusalRecorder } from '../../audit/refusals.js';
import type { Logger } from '../../log.js';
import { principalOf } from '../auth.js';
import { resource } from '../resource.js';
import { auditQuery } from '../schemas.js';
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
    get: (_req, res) => {
      authorize(principalOf(res), 'read-audit');
      const checkpoint = deps.signer.sign({ instance: deps.log.instance, ...deps.log.head(), time: new Date().toISOString() });
      lastIssued = checkpoint;
      deps.logger.info({ checkpoint: { instance: checkpoint.instance, size: checkpoint.size, headHash: checkpoint.headHash, time: checkpoint.time, signature: checkpoint.signature } }, 'audit checkpoint');
      res.json(checkpoint);
    },
  });

  return router;
}
