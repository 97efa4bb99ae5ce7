/** Regulators: reverse (with dual control) and translate. Parse, call the use case, answer. */
import { Router } from 'express';
import { SectokenError } from '../../errors.js';
import type { RegulatorDeps } from '../../regulators/deps.js';
import { REQUEST_ID } from '../../regulators/requests.js';
import { decide, fetchResult, reverse } from '../../regulators/reverse.js';
import { translate } from '../../regulators/translate.js';
import { principalOf } from '../auth.js';
import { decisionRequest, reverseRequest, translateRequest } from '../schemas.js';
import { parseBody } from '../validate.js';

const requestIdParam = (value: unknown): string => {
  if (typeof value !== 'string' || !REQUEST_ID.test(value)) throw new SectokenError('invalid_request', 'malformed request id');
  return value;
};

export function regulatorRoutes(deps: RegulatorDeps): Router {
  const router = Router();

  router.post('/v1/reverse', async (req, res) => {
    const answer = await reverse(deps, principalOf(res), parseBody(reverseRequest, req.body));
    if (answer.status === 'pending') {
      res.status(202).json({ requestId: answer.requestId, status: answer.status, expiresAt: answer.expiresAt, auditId: answer.auditId });
    } else {
      res.json({ nationalId: answer.nationalId, keyVersion: answer.keyVersion, auditId: answer.auditId });
    }
  });

  for (const decision of ['approve', 'deny'] as const) {
    router.post(`/v1/reverse/requests/:id/${decision}`, async (req, res) => {
      const id = requestIdParam(req.params.id);
      if (req.body !== undefined) parseBody(decisionRequest, req.body);
      res.json(await decide(deps, principalOf(res), id, decision));
    });
  }

  router.get('/v1/reverse/requests/:id', async (req, res) => {
    const result = await fetchResult(deps, principalOf(res), requestIdParam(req.params.id));
    res.status(result.status === 'pending' ? 202 : 200).json(result);
  });

  router.post('/v1/translate', async (req, res) => {
    res.json(await translate(deps, principalOf(res), parseBody(translateRequest, req.body)));
  });

  return router;
}

/** Which audited act an unauthenticated call to this path was attempting, if any. */
export function auditedActOf(rawPath: string): 'reverse' | 'translate' | 'approve' | 'deny' | 'release' | undefined {
  // Express routes case-insensitively and ignores a trailing slash: match the way it does.
  const path = rawPath.toLowerCase().replace(/\/+$/, '');
  if (path === '/v1/reverse') return 'reverse';
  if (path === '/v1/translate') return 'translate';
  const m = /^\/v1\/reverse\/requests\/[^/]+(?:\/(approve|deny))?$/.exec(path);
  if (!m) return undefined;
  return (m[1] as 'approve' | 'deny' | undefined) ?? 'release';
}
