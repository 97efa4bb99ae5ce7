/**
 * GET /v1/me: who the presented API key belongs to, for any authenticated client (the console's
 * "signed in as"), and its limits (a backend sizes its batches from them: `sectoken bulk` does).
 */
import { Router } from 'express';
import { authorize } from '../../access/rules.js';
import { ownLimits, type LimitsDeps } from '../../acts/ownLimits.js';
import { principalOf } from '../auth.js';
import { resource } from '../resource.js';

export function meRoutes(deps: LimitsDeps): Router {
  const router = Router();
  resource(router, '/v1/me', {
    get: (_req, res) => {
      const principal = principalOf(res);
      authorize(principal, 'read-self');
      res.json({
        client: principal.id,
        role: principal.role,
        person: principal.person,
        organisation: principal.organisation,
        sectors: [...principal.sectors].sort(),
        limits: ownLimits(deps, principal),
      });
    },
  });
  return router;
}
