/** POST /v1/tokens, /v1/tokens/batch and /v1/tokens/upgrade: parse, call the use case, answer. */
import { Router } from 'express';
import { tokenizeBatchTokens, tokenizeOne, type TokenDeps } from '../../acts/tokens/tokenize.js';
import { upgradeTokens } from '../../acts/tokens/upgrade.js';
import { SectokenError } from '../../errors.js';
import { batchAnswerJson } from '../batchAnswer.js';
import { fastBatchRequest, fastTokenRequest } from '../batchBody.js';
import { bind, jsonText } from '../bind.js';

/** On `router` if given (the app's own: one router fewer to walk), else on a new one. */
export function tokenRoutes(deps: TokenDeps, maxBatchSize: number, router: Router = Router()): Router {
  // Too many items is 413, as for a body too large; the schema alone would say invalid_request.
  const refuseOversized = (items: unknown): void => {
    if (Array.isArray(items) && items.length > maxBatchSize) {
      throw new SectokenError('payload_too_large', `a batch holds at most ${maxBatchSize} items`);
    }
  };
  const field = (raw: unknown, name: string): unknown => (raw as Record<string, unknown> | undefined)?.[name];

  return bind(
    router,
    {
      tokenize: { fastBody: fastTokenRequest, handle: ({ body }, { principal }) => tokenizeOne(deps, principal, body) },
      tokenizeBatch: {
        fastBody: (raw) => (refuseOversized(field(raw, 'nationalIds')), fastBatchRequest(raw, maxBatchSize)),
        // Built as one string (what res.json would send for the BatchAnswer): a measured hot path.
        handle: async ({ body }, { principal }) =>
          jsonText(batchAnswerJson(await tokenizeBatchTokens(deps, principal, body))),
      },
      upgrade: {
        fastBody: (raw) => (refuseOversized(field(raw, 'tokens')), undefined),
        handle: ({ body }, { principal }) => upgradeTokens(deps, principal, body),
      },
    },
    { maxBatchSize },
  );
}
