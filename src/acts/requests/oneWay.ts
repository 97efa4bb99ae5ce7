/**
 * A one-way sector's token can be neither reversed nor translated from, under any legal basis: the
 * act is refused as not_reversible (422) once the role allows it, a configured basis is named (none
 * is legal_basis_required, an unknown one forbidden: the spec's refusals, both audited) and the
 * caller is in scope, before the basis's coverage is looked at, so a regulator is not sent looking
 * for a basis that cannot exist.
 */
import type { Principal } from '../../access/apiKeys.js';
import { authorize, type Sectors } from '../../access/rules.js';
import type { RegulatorDeps } from '../deps.js';

export function refuseOneWay(
  deps: Pick<RegulatorDeps, 'config' | 'tokenizer'>,
  principal: Principal,
  act: 'reverse' | 'translate',
  input: { sector: string; token: string; legalBasis?: string | undefined; touched: Sectors },
): void {
  const { sector, token, legalBasis } = input;
  const sectors = deps.config.sectors;
  // Blind sectors (DERIVATION.md §10.5) are one-way too.
  if (!Object.hasOwn(sectors, sector) || sectors[sector]!.policy === 'reversible') return;
  if (!deps.config.legalBases.some((b) => b.id === legalBasis)) return;
  authorize(principal, act, input.touched);
  // For a one-way sector this always throws: invalid_token or token_retired for a malformed token
  // (DERIVATION.md §7 steps 1–3, as anywhere else), not_reversible for a well-formed one.
  deps.tokenizer().reverse(sector, token);
}
