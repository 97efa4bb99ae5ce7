/** Auditors: read the audit log, verify it, take signed checkpoints, and the charts' counts. Parse, call the use case, answer. */
import { Router } from 'express';
import type { AuditDeps } from '../../acts/auditDeps.js';
import { auditStatsOf } from '../../acts/auditStats.js';
import { readAudit } from '../../acts/readAudit.js';
import { takeCheckpoint } from '../../acts/takeCheckpoint.js';
import { verifyAudit } from '../../acts/verifyAudit.js';
import { principalOf } from '../auth.js';
import { resource } from '../resource.js';
import { auditQuery, auditStatsQuery, checkpointQuery, verifyRequest } from '../schemas.js';
import { parseBody } from '../validate.js';

export function auditRoutes(deps: AuditDeps): Router {
  const router = Router();
  const query = (req: { query: unknown }) => ({ ...(req.query as object) });

  resource(router, '/v1/audit', { get: async (req, res) => void res.json(await readAudit(deps, principalOf(res), parseBody(auditQuery, query(req)))) });
  resource(router, '/v1/audit/verify', {
    get: async (_req, res) => void res.json(await verifyAudit(deps, principalOf(res))),
    post: async (req, res) => void res.json(await verifyAudit(deps, principalOf(res), parseBody(verifyRequest, req.body).checkpoints)),
  });
  resource(router, '/v1/audit/checkpoint', {
    get: async (req, res) => void res.json(await takeCheckpoint(deps, principalOf(res), parseBody(checkpointQuery, query(req)).instance)),
  });
  resource(router, '/v1/audit/stats', { get: async (req, res) => void res.json(await auditStatsOf(deps, principalOf(res), parseBody(auditStatsQuery, query(req)))) });
  return router;
}
