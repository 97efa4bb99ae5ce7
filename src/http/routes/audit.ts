/** Auditors: read the audit log, verify it, take signed checkpoints, and the charts' counts. Parse, call the use case, answer. */
import { Router } from 'express';
import type { AuditDeps } from '../../acts/audit/auditDeps.js';
import { auditStatsOf } from '../../acts/audit/auditStats.js';
import { readAudit } from '../../acts/audit/readAudit.js';
import { takeCheckpoint } from '../../acts/audit/takeCheckpoint.js';
import { verifyAudit } from '../../acts/audit/verifyAudit.js';
import { bind } from '../bind.js';

export function auditRoutes(deps: AuditDeps): Router {
  return bind(Router(), {
    readAudit: ({ query }, { principal }) => readAudit(deps, principal, query),
    verifyAudit: (_input, { principal }) => verifyAudit(deps, principal),
    verifyCheckpoints: ({ body }, { principal }) => verifyAudit(deps, principal, body.checkpoints),
    checkpoint: ({ query }, { principal }) => takeCheckpoint(deps, principal, query.instance),
    auditStats: ({ query }, { principal }) => auditStatsOf(deps, principal, query),
  });
}
