/**
 * The claim → record → confirm protocol of an act that takes effect only once recorded (a decision,
 * a release). `act` checks, claims the request through `claim` (`approving`, `denying`, `releasing`:
 * states nobody else can move) and returns its value; audited() then writes the record.
 * - The record cannot be written (or the act refused after claiming): the claim is undone, so the
 *   request is as it was, and the error is the caller's answer. If even the undo fails, the claim
 *   blocks the request until it expires: nothing takes effect that was not recorded.
 * - Recorded: the claim is confirmed. Should the store fail then, the act still happened (its record
 *   says so, and a release's result is already computed): the answer stands, and the claim holds
 *   until the request expires, so nothing is done twice.
 */
import type { AuditEntry } from '../../audit/chain/record.js';
import { audited } from '../../audit/writer/audited.js';
import type { RequestEvent } from '../../dualControl/requestLife.js';
import type { RegulatorDeps } from '../deps.js';

type Claim = (event: RequestEvent, by?: Parameters<RegulatorDeps['requests']['apply']>[3]) => Promise<void>;

export async function recordedClaim<T>(
  deps: Pick<RegulatorDeps, 'audit' | 'requests' | 'now'>,
  requestId: string,
  entry: Omit<AuditEntry, 'outcome'>,
  act: (claim: Claim) => Promise<T>,
): Promise<{ value: T; auditId: string }> {
  let claimed = false;
  const claim: Claim = async (event, by) => {
    await deps.requests.apply(requestId, event, deps.now(), by);
    claimed = true;
  };
  let answer: { value: T; auditId: string };
  try {
    answer = await audited(deps.audit, entry, async () => ({ value: await act(claim), outcome: 'ok' }));
  } catch (err) {
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- set in the callback above, which TypeScript's narrowing does not follow
    if (claimed) await deps.requests.apply(requestId, 'abort', deps.now()).catch(() => undefined);
    throw err;
  }
  await deps.requests.apply(requestId, 'confirm', deps.now()).catch(() => undefined);
  return answer;
}
