/** GET /v1/me: who the presented API key belongs to, for any authenticated client (the console's "signed in as"). */
import { Router } from 'express';
import { authorize } from '../../access/rules.js';
import { bind } from '../bind.js';

export function meRoutes(): Router {
  return bind(Router(), {
    me: (_input, { principal }) => {
      authorize(principal, 'read-self');
      return { client: principal.id, role: principal.role, person: principal.person, organisation: principal.organisation, sectors: [...principal.sectors].sort() };
    },
  });
}
