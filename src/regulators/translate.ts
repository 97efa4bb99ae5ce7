/**
 * Translate: the same person's token in another sector, for a regulator in scope of both, under a
 * legal basis covering the ordered pair. The national ID and TNI never leave; the record holds the
 * source token only, so the audit log is no linkage table between sectors.
 */
import type { Principal } from '../access/apiKeys.js';
import { authorize } from '../access/rules.js';
import { audited } from '../audit/audited.js';
import { SCHEME_VERSION } from '../tokens/tokenizer.js';
import type { ActContext, RegulatorDeps } from './deps.js';
import { tokenForAudit } from './auditedToken.js';
import { requireLegalBasis } from './legalBases.js';

export interface TranslateAnswer {
  fromSector: string;
  toSector: string;
  token: string;
  keyVersion: number;
  schemeVersion: number;
  auditId: string;
}

export async function translate(
  deps: RegulatorDeps,
  principal: Principal,
  input: ActContext & { fromSector: string; token: string; toSector: string },
): Promise<TranslateAnswer> {
  const entry = {
    act: 'translate' as const,
    client: principal.id,
    sector: input.fromSector,
    toSector: input.toSector,
    token: tokenForAudit(deps.tokenizer(), input.fromSector, input.token),
    legalBasis: input.legalBasis ?? null,
    caseId: input.caseId,
    purpose: input.purpose,
  };
  const { value, auditId } = await audited(deps.audit, entry, async () => {
    authorize(principal, 'translate');
    requireLegalBasis(deps.config.legalBases, input.legalBasis, { kind: 'translate', from: input.fromSector, to: input.toSector });
    const tokenizer = deps.tokenizer();
    tokenizer.sector(input.fromSector);
    const target = tokenizer.sector(input.toSector);
    authorize(principal, 'translate', [input.fromSector, input.toSector]);
    await deps.limits.consume(principal.id, input.fromSector, 'translate', 1);
    const { tni } = tokenizer.tniOfToken(input.fromSector, input.token);
    const issued = target.issue(tni);
    return { value: { token: issued.token, keyVersion: issued.keyVersion }, outcome: 'ok' };
  });
  return { fromSector: input.fromSector, toSector: input.toSector, ...value, schemeVersion: SCHEME_VERSION, auditId };
}
