/**
 * A second person's decision on a pending request. The decision takes effect only once its record
 * is durable (src/acts/requests/recordedClaim.ts): the request is claimed (`approving`/`denying`,
 * which nobody can release), the record written, then the claim confirmed.
 */
import type { Principal } from '../../access/apiKeys.js';
import { authorizeRole } from '../../access/rules.js';
import { actorOf, requireDecider } from '../../dualControl/policy.js';
import { noSuchRequest } from '../../dualControl/requestStore.js';
import { requestEntry } from './actEntry.js';
import type { RegulatorDeps } from '../deps.js';
import { refuseIfOverdue } from './expire.js';
import { readStored } from './readStored.js';
import { recordedClaim } from './recordedClaim.js';
import { withinRefusalBudget } from './refusalBudget.js';

export async function decide(
  deps: RegulatorDeps,
  principal: Principal,
  requestId: string,
  decision: 'approve' | 'deny',
): Promise<Decided> {
  return withinRefusalBudget(deps.limits, principal, () => decideCounted(deps, principal, requestId, decision));
}

interface Decided {
  requestId: string;
  status: 'approved' | 'denied';
  auditId: string;
}

async function decideCounted(
  deps: RegulatorDeps,
  principal: Principal,
  requestId: string,
  decision: 'approve' | 'deny',
): Promise<Decided> {
  const stored = await readStored(deps, requestId);
  const entry = requestEntry(deps.tokenizer(), decision, principal, requestId, stored.request);
  const { auditId } = await recordedClaim(deps, requestId, entry, async (claim) => {
    authorizeRole(principal, 'decide');
    const request = stored.read();
    if (!request) throw noSuchRequest();
    requireDecider(deps, principal, request);
    await refuseIfOverdue(deps, request);
    await claim(decision, actorOf(principal));
  });
  return { requestId, status: decision === 'approve' ? 'approved' : 'denied', auditId };
}
