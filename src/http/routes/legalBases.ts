/** GET /v1/legal-bases: the bases a regulator may cite and what each covers. */
import { Router } from 'express';
import { listLegalBases } from '../../acts/listLegalBases.js';
import { principalOf } from '../auth.js';
import type { LegalBasis } from '../../config/schema.js';
import { resource } from '../resource.js';

export function legalBasisRoutes(bases: readonly LegalBasis[]): Router {
  const router = Router();
  resource(router, '/v1/legal-bases', { get: (_req, res) => void res.json(listLegalBases(bases, principalOf(res))) });
  return router;
}
