/** GET /v1/legal-bases: the bases a regulator may cite and what each covers. */
import { Router } from 'express';
import { listLegalBases } from '../../acts/requests/listLegalBases.js';
import type { LegalBasis } from '../../config/schema.js';
import { bind } from '../bind.js';

export function legalBasisRoutes(bases: readonly LegalBasis[]): Router {
  return bind(Router(), { legalBases: (_input, { principal }) => listLegalBases(bases, principal) });
}
