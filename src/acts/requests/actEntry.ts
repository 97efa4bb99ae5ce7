/**
 * What an audit record says about a regulator's act (SPEC "Audit"): who (client, person,
 * organisation), the sectors, the token in canonical form, and the legal basis by its configured
 * id only. Free text (case, purpose) is recorded only from regulators, and from anyone else a
 * token only if it is one (src/audit/writer/tokenForAudit.ts): a service client cannot write into the
 * log by being refused.
 */
import type { Principal } from '../../access/apiKeys.js';
import type { AuditAct, AuditEntry } from '../../audit/chain/record.js';
import { tokenForAudit } from '../../audit/writer/tokenForAudit.js';
import type { LegalBasis } from '../../config/schema.js';
import type { Tokenizer } from '../../derivation/tokenizer.js';
import type { ActRequest } from '../../dualControl/requestLife.js';
import type { ActContext } from '../deps.js';

export type Entry = Omit<AuditEntry, 'outcome'>;

/** A basis id that no configured basis has is recorded as this, never as typed. */
export const UNKNOWN_BASIS = '(unknown)';

export function basisForAudit(bases: readonly LegalBasis[], given: string | undefined): string | null {
  if (given === undefined || given.trim() === '') return null;
  return bases.some((b) => b.id === given) ? given : UNKNOWN_BASIS;
}

export const who = (principal: Principal): Pick<AuditEntry, 'client' | 'person' | 'organisation'> => ({
  client: principal.id,
  person: principal.person,
  organisation: principal.organisation,
});

/** The record of a reverse or translate as asked, before anything is checked. */
export function actEntry(
  deps: { tokenizer: () => Tokenizer; config: { legalBases: readonly LegalBasis[] } },
  principal: Principal,
  act: 'reverse' | 'translate',
  input: ActContext & { sector: string; toSector?: string; token: string },
): Entry {
  const regulator = principal.role === 'regulator';
  return {
    act,
    ...who(principal),
    sector: input.sector,
    toSector: input.toSector ?? null,
    token: tokenForAudit(deps.tokenizer(), input.sector, input.token, regulator ? 'regulator' : 'other'),
    legalBasis: basisForAudit(deps.config.legalBases, input.legalBasis),
    caseId: regulator ? input.caseId : null,
    purpose: regulator ? input.purpose : null,
  };
}

/** The record of an act on a dual-control request, from the request as stored (when it could be read). */
export function requestEntry(
  tokenizer: Tokenizer,
  act: AuditAct,
  principal: Principal | null,
  requestId: string,
  request: ActRequest | undefined,
): Entry {
  return {
    act,
    ...(principal ? who(principal) : { client: null, person: null, organisation: null }),
    requestId,
    sector: request?.sector ?? null,
    toSector: request?.toSector ?? null,
    // A request's token was given by a regulator (only regulators open requests).
    token: request ? tokenForAudit(tokenizer, request.sector, request.token, 'regulator') : null,
    legalBasis: request?.legalBasis ?? null,
    caseId: request?.caseId ?? null,
    purpose: request?.purpose ?? null,
  };
}
