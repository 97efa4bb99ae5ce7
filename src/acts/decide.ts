/**
 * A second person's decision on a pending request. The decision takes effect only once its record
 * is durable: the request is claimed (`approving`/`denying`, which nobody can release), the record
 * written, then the claim confirmed; if the record cannot be written the claim is undone.
 */
import type { Principal } from '../access/apiKeys.js';
import { authorize } from '../access/rules.js';
import { audited } from '../audit/audited.js';
import { actorOf, requireDecider } from '../requests/dualControl.js';
import { noSuchRequest } from '../requests/requestStore.js';
import { requestEntry } from './actEntry.js';
import type { RegulatorDeps } from './deps.js';
import { refuseIfOverdue } from './expire.js';
import { readStored } from './readStored.js';
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
  let claimed = false;
  let auditId: string;
  try {
    ({ auditId } = await audited(deps.audit, entry, async () => {
      authorize(principal, 'decide');
      const request = stored.read();
      if (!request) throw noSuchRequest();
      requireDecider(deps, principal, request);
      await refuseIfOverdue(deps, request);
      await deps.requests.apply(requestId, decision, deps.now(), actorOf(principal));
      claimed = true;
      return { value: undefined, outcome: 'ok' };
    }));
  } catch (err) {
    // Not recorded, so not done. If even the undo fails, the claim blocks the request until it expires.
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- set in the callback above, which TypeScript's narrowing does not follow
    if (claimed) await deps.requests.apply(requestId, 'abort', deps.now()).catch(() => undefined);
    throw err;
  }
  // Recorded: now it takes effect. Should the store fail here, the claim holds until the request
  // expires, so nothing is released that was not recorded.
  await deps.requests.apply(requestId, 'confirm', deps.now());
  return { requestId, status: decision === 'approve' ? 'approved' : 'denied', auditId };
}
