/**
 * GET /v1/me: who the presented API key belongs to, for any authenticated client (the console's
 * "signed in as"), and its limits (a backend sizes its batches from them: `sectoken bulk` does).
 */
import { Router } from 'express';
import { authorize } from '../../access/rules.js';
import { ownLimits, type LimitsDeps } from '../../acts/ownLimits.js';
import { bind } from '../bind.js';

export function meRoutes(deps: LimitsDeps): Router {
  return bind(Router(), {
    me: (_input, { principal }) => {
      authorize(principal, 'read-self');
      return {
        client: principal.id,
        role: principal.role,
        person: principal.person,
        organisation: principal.organisation,
        sectors: [...principal.sectors].sort(),
        limits: ownLimits(deps, principal),
      };
    },
  });
}
