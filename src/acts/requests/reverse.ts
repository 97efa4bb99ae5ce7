/**
 * Reverse: a regulator in scope, under a legal basis that covers it, gets the national ID behind a
 * token, or, where dual control is demanded, a request that a second person decides.
 * Every outcome is audited before the answer (src/audit/writer/audited.ts).
 */
import type { Principal } from '../../access/apiKeys.js';
import { requireLegalBasis } from '../../access/legalBases.js';
import { authorize, authorizeRole } from '../../access/rules.js';
import { audited } from '../../audit/writer/audited.js';
import { demandsDualControl } from '../../dualControl/policy.js';
import { actEntry } from './actEntry.js';
import { refuseOneWay } from './oneWay.js';
import type { ActContext, RegulatorDeps } from '../deps.js';
import { openRequest, type Pending } from './openRequest.js';
import { withinRefusalBudget } from './refusalBudget.js';

type ReverseResult = { status: 'done'; nationalId: string; keyVersion: number } | Pending;
export type ReverseAnswer = ReverseResult & { auditId: string };

export async function reverse(
  deps: RegulatorDeps,
  principal: Principal,
  input: ActContext & { sector: string; token: string },
): Promise<ReverseAnswer> {
  return withinRefusalBudget(deps.limits, principal, () => reverseCounted(deps, principal, input));
}

async function reverseCounted(
  deps: RegulatorDeps,
  principal: Principal,
  input: ActContext & { sector: string; token: string },
): Promise<ReverseAnswer> {
  const entry = actEntry(deps, principal, 'reverse', input);
  const { value, auditId } = await audited<ReverseResult>(deps.audit, entry, async () => {
    authorizeRole(principal, 'reverse');
    refuseOneWay(deps, principal, 'reverse', { ...input, touched: [input.sector] });
    const basis = requireLegalBasis(deps.config.legalBases, input.legalBasis, {
      kind: 'reverse',
      sector: input.sector,
    });
    const tokenizer = deps.tokenizer();
    tokenizer.sector(input.sector);
    authorize(principal, 'reverse', [input.sector]);
    await deps.limits.consume(principal.id, input.sector, 'reverse', 1);
    // Checks the token now (not_reversible, invalid_token), so a second person never approves a bad one.
    const { nationalId, keyVersion } = tokenizer.reverse(input.sector, input.token);
    if (!demandsDualControl(deps.config.sectors, basis, [input.sector])) {
      return { value: { status: 'done' as const, nationalId, keyVersion }, outcome: 'ok' };
    }
    return openRequest(deps, principal, {
      act: 'reverse',
      sector: input.sector,
      toSector: null,
      token: input.token,
      legalBasis: basis.id,
      caseId: input.caseId,
      purpose: input.purpose,
    });
  });
  return { ...value, auditId };
}
