/** POST /v1/blind/evaluate and GET /v1/blind/keys/{sector}: parse, call the use case, answer. */
import { Router } from 'express';
import { blindEvaluate, blindPublicKeys } from '../../acts/tokens/blindEvaluate.js';
import type { TokenDeps } from '../../acts/tokens/tokenize.js';
import { SectokenError } from '../../errors.js';
import { bind } from '../bind.js';

export function blindRoutes(deps: TokenDeps, maxBatchSize: number): Router {
  return bind(
    Router(),
    {
      blindEvaluate: {
        // Too many elements is 413, as for a batch too large; the schema alone would say invalid_request.
        fastBody: (raw) => {
          const items = (raw as Record<string, unknown> | undefined)?.blindedElements;
          if (Array.isArray(items) && items.length > maxBatchSize)
            throw new SectokenError('payload_too_large', `a batch holds at most ${maxBatchSize} elements`);
          return undefined;
        },
        handle: ({ body }, { principal }) => blindEvaluate(deps, principal, body),
      },
      blindKeys: ({ params }, { principal }) => blindPublicKeys(deps, principal, params.sector),
    },
    { maxBatchSize },
  );
}
