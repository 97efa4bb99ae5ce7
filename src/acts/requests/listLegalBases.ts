/**
 * The legal bases a regulator may cite (GET /v1/legal-bases): what each covers, so that a form
 * offers only the bases that cover the act on the chosen sectors. Bases are configuration, not
 * secrets; they are shown to regulators only, the clients that cite them.
 */
import type { Principal } from '../../access/apiKeys.js';
import { authorize } from '../../access/rules.js';
import type { LegalBasis } from '../../config/schema.js';

export interface LegalBasisView {
  id: string;
  title: string;
  reference: string;
  acts: ('reverse' | 'translate')[];
  /** Sectors where it allows reverse. */
  sectors: string[];
  /** Ordered [from, to] pairs where it allows translate. */
  sectorPairs: [string, string][];
  dualControl: boolean;
  approverFromOtherOrganisation: boolean;
}

export function listLegalBases(bases: readonly LegalBasis[], principal: Principal): { legalBases: LegalBasisView[] } {
  authorize(principal, 'read-legal-bases');
  return {
    legalBases: bases.map((b) => ({
      id: b.id,
      title: b.title,
      reference: b.reference,
      acts: [...b.acts],
      sectors: [...b.sectors],
      sectorPairs: b.sectorPairs.map(([from, to]) => [from, to] as [string, string]),
      dualControl: b.dualControl,
      approverFromOtherOrganisation: b.approverFromOtherOrganisation,
    })),
  };
}
