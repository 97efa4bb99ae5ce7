/** Regulators: reverse, translate, and the dual-control requests. Parse, call the use case, answer. */
import { Router, type Response } from 'express';
import { decide } from '../../acts/decide.js';
import type { RegulatorDeps } from '../../acts/deps.js';
import { collect, listRequests, readRequest } from '../../acts/readRequests.js';
import { reverse } from '../../acts/reverse.js';
import { translate } from '../../acts/translate.js';
import { principalOf } from '../auth.js';
import { resource } from '../resource.js';
import { decisionRequest, requestListQuery, reverseRequest, translateRequest } from '../schemas.js';
import { parseBody, requestIdParam } from '../validate.js';

/** A pending act answers 202 with its request; a done one 200 without the status marker. */
function answerAct(res: Response, answer: { status: 'pending' | 'done' }): void {
  const { status, ...rest } = answer as { status: 'pending' | 'done' } & Record<string, unknown>;
  if (status === 'pending') res.status(202).json({ requestId: rest.requestId, status, expiresAt: rest.expiresAt, auditId: rest.auditId });
  else res.json(rest);
}

export function regulatorRoutes(deps: RegulatorDeps): Router {
  const router = Router();

  resource(router, '/v1/reverse', {
    post: async (req, res) => answerAct(res, await reverse(deps, principalOf(res), parseBody(reverseRequest, req.body))),
  });
  resource(router, '/v1/translate', {
    post: async (req, res) => answerAct(res, await translate(deps, principalOf(res), parseBody(translateRequest, req.body))),
  });

  resource(router, '/v1/requests', {
    get: async (req, res) => {
      res.json(await listRequests(deps, principalOf(res), parseBody(requestListQuery, { ...(req.query as object) })));
    },
  });
  resource(router, '/v1/requests/:id', {
    get: async (req, res) => {
      res.json(await readRequest(deps, principalOf(res), requestIdParam(req.params.id)));
    },
  });
  // Deprecated: the reverse-only paths, kept as they answered.
  resource(router, '/v1/reverse/requests/:id', {
    get: async (req, res) => {
      const result = await collect(deps, principalOf(res), requestIdParam(req.params.id));
      res.status(result.status === 'pending' ? 202 : 200).json(result);
    },
  });
  for (const base of ['/v1/requests', '/v1/reverse/requests']) {
    for (const decision of ['approve', 'deny'] as const) {
      resource(router, `${base}/:id/${decision}`, {
        post: async (req, res) => {
          const id = requestIdParam(req.params.id);
          if (req.body !== undefined) parseBody(decisionRequest, req.body);
          res.json(await decide(deps, principalOf(res), id, decision));
        },
      });
    }
  }

  return router;
}

/** Which audited act an unauthenticated call to this path was attempting, if any. */
export function auditedActOf(rawPath: string): 'reverse' | 'translate' | 'approve' | 'deny' | 'release' | undefined {
  // Express routes case-insensitively and ignores a trailing slash: match the way it does.
  const path = rawPath.toLowerCase().replace(/\/+$/, '');
  if (path === '/v1/reverse') return 'reverse';
  if (path === '/v1/translate') return 'translate';
  const m = /^\/v1\/(?:reverse\/)?requests\/[^/]+(?:\/(approve|deny))?$/.exec(path);
  if (!m) return undefined;
  return (m[1] as 'approve' | 'deny' | undefined) ?? 'release';
}
