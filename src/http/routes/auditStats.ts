/** GET /v1/audit/stats: the auditors' charts, counted on the server from every instance's file. */
import { Router } from 'express';
import { authorize } from '../../access/rules.js';
import { readAuditRecords } from '../../audit/read.js';
import { auditStats } from '../../audit/stats.js';
import { principalOf } from '../auth.js';
import { resource } from '../resource.js';
import { auditStatsQuery } from '../schemas.js';
import { parseBody } from '../validate.js';

export function auditStatsRoutes(auditDir: string): Router {
  const router = Router();
  resource(router, '/v1/audit/stats', {
    get: (req, res) => {
      authorize(principalOf(res), 'read-audit');
      const range = parseBody(auditStatsQuery, { ...(req.query as object) });
      res.json(auditStats(readAuditRecords(auditDir), range));
    },
  });
  return router;
}
