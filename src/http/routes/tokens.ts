/** POST /v1/tokens, /v1/tokens/batch and /v1/tokens/upgrade: parse, call the use case, answer. */
import { Router } from 'express';
import { tokenizeBatchTokens, tokenizeOne, type TokenDeps } from '../../acts/tokenize.js';
import { upgradeTokens } from '../../acts/upgrade.js';
import { principalOf } from '../auth.js';
import { batchAnswerJson } from '../batchAnswer.js';
import { fastBatchRequest, fastTokenRequest } from '../batchBody.js';
import { SectokenError } from '../../errors.js';
import { resource } from '../resource.js';
import { batchRequest, tokenRequest, upgradeRequest } from '../schemas.js';
import { parseBody } from '../validate.js';

/** On `router` if given (the app's own: one router fewer to walk), else on a new one. */
export function tokenRoutes(deps: TokenDeps, maxBatchSize: number, router: Router = Router()): Router {
  const batchSchema = batchRequest(maxBatchSize);
  const upgradeSchema = upgradeRequest(maxBatchSize);
  const refuseOversized = (items: unknown): void => {
    if (Array.isArray(items) && items.length > maxBatchSize) {
      throw new SectokenError('payload_too_large', `a batch holds at most ${maxBatchSize} items`);
    }
  };

  resource(router, '/v1/tokens', {
    post: async (req, res) => {
      res.json(await tokenizeOne(deps, principalOf(res), fastTokenRequest(req.body) ?? parseBody(tokenRequest, req.body)));
    },
  });
  resource(router, '/v1/tokens/batch', {
    post: async (req, res) => {
      refuseOversized((req.body as { nationalIds?: unknown } | undefined)?.nationalIds);
      const input = fastBatchRequest(req.body, maxBatchSize) ?? parseBody(batchSchema, req.body);
      // Built as one string (what res.json would send for the BatchAnswer), with res.json's Content-Type.
      res.type('application/json').send(batchAnswerJson(await tokenizeBatchTokens(deps, principalOf(res), input)));
    },
  });
  resource(router, '/v1/tokens/upgrade', {
    post: async (req, res) => {
      refuseOversized((req.body as { tokens?: unknown } | undefined)?.tokens);
      res.json(await upgradeTokens(deps, principalOf(res), parseBody(upgradeSchema, req.body)));
    },
  });

  return router;
}
