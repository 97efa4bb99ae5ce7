/** Regulators: reverse, translate, and the dual-control requests. Parse, call the use case, answer. */
import { Router } from 'express';
import { decide } from '../../acts/requests/decide.js';
import type { RegulatorDeps } from '../../acts/deps.js';
import { collect, listRequests, readRequest } from '../../acts/requests/readRequests.js';
import { reverse } from '../../acts/requests/reverse.js';
import { translate } from '../../acts/requests/translate.js';
import { bind, type Context } from '../bind.js';

interface Pending {
  status: 'pending';
  requestId: string;
  expiresAt: string;
  auditId: string;
}

/** A pending act answers 202 with its request; a done one 200 without the status marker. */
function answerAct<A extends Pending | { status: 'done' }>(answer: A) {
  if (answer.status === 'pending') {
    const { requestId, status, expiresAt, auditId } = answer;
    return { status: 202 as const, body: { requestId, status, expiresAt, auditId } };
  }
  const { status: _, ...done } = answer as Extract<A, { status: 'done' }>;
  return { status: 200 as const, body: done };
}

export function regulatorRoutes(deps: RegulatorDeps): Router {
  const decision =
    (verb: 'approve' | 'deny') =>
    ({ params }: { params: { id: string } }, { principal }: Context) =>
      decide(deps, principal, params.id, verb);
  return bind(Router(), {
    reverse: async ({ body }, { principal }) => answerAct(await reverse(deps, principal, body)),
    translate: async ({ body }, { principal }) => answerAct(await translate(deps, principal, body)),
    listRequests: ({ query }, { principal }) => listRequests(deps, principal, query),
    readRequest: ({ params }, { principal }) => readRequest(deps, principal, params.id),
    approve: decision('approve'),
    deny: decision('deny'),
    // Deprecated: the reverse-only paths, kept as they answered.
    approveReverse: decision('approve'),
    denyReverse: decision('deny'),
    collectReverse: async ({ params }, { principal }) => {
      const result = await collect(deps, principal, params.id);
      return result.status === 'pending' ? { status: 202, body: result } : { status: 200, body: result };
    },
  });
}
