/**
 * The requester collects an approved request's result, once: the national ID of a reverse, or the
 * target token of a translate, computed now. Like a decision, it takes effect only once recorded
 * (src/acts/requests/recordedClaim.ts): the request is claimed (`releasing`), the result computed
 * and the record written, then the claim confirmed; if the record cannot be written the claim is
 * undone and nothing is answered.
 */
import type { Principal } from '../../access/apiKeys.js';
import { authorize, authorizeRole } from '../../access/rules.js';
import { SectokenError } from '../../errors.js';
import { isRequester, sectorsOf } from '../../dualControl/policy.js';
import type { ActRequest } from '../../dualControl/requestLife.js';
import { noSuchRequest } from '../../dualControl/requestStore.js';
import { requestEntry } from './actEntry.js';
import type { RegulatorDeps } from '../deps.js';
import { refuseIfOverdue } from './expire.js';
import type { Stored } from './readStored.js';
import { recordedClaim } from './recordedClaim.js';
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
  const answer = await recordedClaim(deps, requestId, entry, async (claim) => {
    const request = stored.read();
    if (!request) throw noSuchRequest();
    authorizeRole(principal, request.act);
    if (!isRequester(principal, request))
      throw new SectokenError('forbidden', 'only the requester collects the result');
    authorize(principal, request.act, sectorsOf(request));
    await refuseIfOverdue(deps, request);
    await claim('release');
    return resultOf(deps, request);
  });
  return { requestId, state: 'released', status: 'released', auditId: answer.auditId, ...answer.value };
}

function resultOf(deps: RegulatorDeps, request: ActRequest): { nationalId: string } | Translated {
  const tokenizer = deps.tokenizer();
  if (request.toSector === null) return { nationalId: tokenizer.reverse(request.sector, request.token).nationalId };
  return translateToken(tokenizer, request.sector, request.token, request.toSector);
}
