/**
 * The requester collects an approved request's result, once: the national ID of a reverse, or the
 * target token of a translate, computed now. Like a decision, it takes effect only once recorded:
 * the request is claimed (`releasing`), the result computed and the record written, then the claim
 * confirmed; if the record cannot be written the claim is undone and nothing is answered.
 */
import type { Principal } from '../access/apiKeys.js';
import { authorize } from '../access/rules.js';
import { audited } from '../audit/audited.js';
import { SectokenError } from '../errors.js';
import { isRequester, sectorsOf } from '../requests/dualControl.js';
import type { ActRequest } from '../requests/requestLife.js';
import { noSuchRequest } from '../requests/requestStore.js';
import { requestEntry } from './actEntry.js';
import type { RegulatorDeps } from './deps.js';
import { refuseIfOverdue } from './expire.js';
import type { Stored } from './readStored.js';
import { translateToken, type Translated } from './translate.js';

/** `state`, as in every view of a request; `status` kept as the deprecated name of the same (the first API's). */
export type Released = { requestId: string; state: 'released'; status: 'released'; auditId: string } & (
  { nationalId: string } | Translated
);

export async function release(
  deps: RegulatorDeps,
  principal: Principal,
  requestId: string,
  stored: Stored,
): Promise<Released> {
  const entry = requestEntry(deps.tokenizer(), 'release', principal, requestId, stored.request);
  let claimed = false;
  let answer: { value: { nationalId: string } | Translated; auditId: string };
  try {
    answer = await audited(deps.audit, entry, async () => {
      const request = stored.read();
      if (!request) throw noSuchRequest();
      authorize(principal, request.act);
      if (!isRequester(principal, request))
        throw new SectokenError('forbidden', 'only the requester collects the result');
      authorize(principal, request.act, sectorsOf(request));
      await refuseIfOverdue(deps, request);
      await deps.requests.apply(requestId, 'release', deps.now());
      claimed = true;
      return { value: resultOf(deps, request), outcome: 'ok' };
    });
  } catch (err) {
    // Not recorded, so not handed out: the requester may collect again.
    if (claimed) await deps.requests.apply(requestId, 'abort', deps.now()).catch(() => undefined);
    throw err;
  }
  // Recorded and answered; should the store fail here, the claim holds and nothing is released twice.
  await deps.requests.apply(requestId, 'confirm', deps.now()).catch(() => undefined);
  return { requestId, state: 'released', status: 'released', auditId: answer.auditId, ...answer.value };
}

function resultOf(deps: RegulatorDeps, request: ActRequest): { nationalId: string } | Translated {
  const tokenizer = deps.tokenizer();
  if (request.toSector === null) return { nationalId: tokenizer.reverse(request.sector, request.token).nationalId };
  return translateToken(tokenizer, request.sector, request.token, request.toSector);
}
