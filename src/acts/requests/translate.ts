/**
 * Translate: the same person's token in another sector, for a regulator in scope of both, under a
 * legal basis covering the ordered pair; under dual control (the basis's, or either sector's) a
 * request that a second person decides. The national ID and TNI never leave; the record holds the
 * source token only, so the audit log is no linkage table between sectors.
 */
import type { Principal } from '../../access/apiKeys.js';
import { requireLegalBasis } from '../../access/legalBases.js';
import { authorize, authorizeRole } from '../../access/rules.js';
import { audited } from '../../audit/writer/audited.js';
import { SCHEME_VERSION, type Tokenizer } from '../../derivation/tokenizer.js';
import { demandsDualControl } from '../../dualControl/policy.js';
import { actEntry } from './actEntry.js';
import { refuseOneWay } from './oneWay.js';
import type { ActContext, RegulatorDeps } from '../deps.js';
import { openRequest, type Pending } from './openRequest.js';
import { withinRefusalBudget } from './refusalBudget.js';

export interface Translated {
  fromSector: string;
  toSector: string;
  token: string;
  keyVersion: number;
  schemeVersion: number;
}
type TranslateResult = ({ status: 'done' } & Translated) | Pending;
export type TranslateAnswer = TranslateResult & { auditId: string };

/** The target token of a source token: through the TNI, which stays in this function. */
export function translateToken(tokenizer: Tokenizer, fromSector: string, token: string, toSector: string): Translated {
  const { tni } = tokenizer.tniOfToken(fromSector, token);
  const issued = tokenizer.sector(toSector).issue(tni);
  return { fromSector, toSector, token: issued.token, keyVersion: issued.keyVersion, schemeVersion: SCHEME_VERSION };
}

export async function translate(
  deps: RegulatorDeps,
  principal: Principal,
  input: ActContext & { fromSector: string; token: string; toSector: string },
): Promise<TranslateAnswer> {
  return withinRefusalBudget(deps.limits, principal, () => translateCounted(deps, principal, input));
}

async function translateCounted(
  deps: RegulatorDeps,
  principal: Principal,
  input: ActContext & { fromSector: string; token: string; toSector: string },
): Promise<TranslateAnswer> {
  const entry = actEntry(deps, principal, 'translate', { ...input, sector: input.fromSector });
  const { value, auditId } = await audited<TranslateResult>(deps.audit, entry, async () => {
    authorizeRole(principal, 'translate');
    refuseOneWay(deps, principal, 'translate', {
      sector: input.fromSector,
      token: input.token,
      legalBasis: input.legalBasis,
      touched: [input.fromSector, input.toSector],
    });
    const basis = requireLegalBasis(deps.config.legalBases, input.legalBasis, {
      kind: 'translate',
      from: input.fromSector,
      to: input.toSector,
    });
    const tokenizer = deps.tokenizer();
    tokenizer.sector(input.fromSector);
    tokenizer.sector(input.toSector);
    authorize(principal, 'translate', [input.fromSector, input.toSector]);
    await deps.limits.consume(principal.id, input.fromSector, 'translate', 1);
    // Checks the token now (not_reversible, invalid_token), so a second person never approves a bad one.
    const translated = translateToken(tokenizer, input.fromSector, input.token, input.toSector);
    if (!demandsDualControl(deps.config.sectors, basis, [input.fromSector, input.toSector])) {
      return { value: { status: 'done' as const, ...translated }, outcome: 'ok' };
    }
    const { fromSector: sector, toSector, token, caseId, purpose } = input;
    return openRequest(deps, principal, {
      act: 'translate',
      sector,
      toSector,
      token,
      legalBasis: basis.id,
      caseId,
      purpose,
    });
  });
  return { ...value, auditId };
}
