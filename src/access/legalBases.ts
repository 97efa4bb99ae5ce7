/**
 * Legal bases as data (SPEC "Legal bases"): a reverse or translate names one; it must exist and
 * cover the act on these sectors. Free text is not a legal basis.
 */
import type { LegalBasis } from '../config/schema.js';
import { SectokenError } from '../errors.js';

export function requireLegalBasis(
  bases: readonly LegalBasis[],
  id: string | undefined,
  act: { kind: 'reverse'; sector: string } | { kind: 'translate'; from: string; to: string },
): LegalBasis {
  if (id === undefined || id.trim() === '') {
    throw new SectokenError(
      'legal_basis_required',
      'a reverse or translate names the legal basis it rests on (legalBasis)',
    );
  }
  const basis = bases.find((b) => b.id === id);
  const covers =
    basis !== undefined &&
    basis.acts.includes(act.kind) &&
    (act.kind === 'reverse'
      ? basis.sectors.includes(act.sector)
      : basis.sectorPairs.some(([from, to]) => from === act.from && to === act.to));
  if (!covers)
    throw new SectokenError('forbidden', 'the legal basis is unknown or does not cover this act on these sectors');
  return basis;
}
