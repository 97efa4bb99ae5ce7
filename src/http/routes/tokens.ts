/** POST /v1/tokens and /v1/tokens/batch: parse, call the use case, answer. */
import { Router } from 'express';
import { SectokenError } from '../../errors.js';
import { tokenizeBatch, tokenizeOne } from '../../tokens/tokenize.js';
import type { Tokenizer } from '../../tokens/tokenizer.js';
import { principalOf } from '../auth.js';
import { batchRequest, tokenRequest } from '../schemas.js';
import { parseBody } from '../validate.js';

export function tokenRoutes(tokenizer: Tokenizer, maxBatchSize: number): Router {
  const router = Router();
  const batchSchema = batchRequest(maxBatchSize);

  router.post('/v1/tokens', (req, res) => {
    const input = parseBody(tokenRequest, req.body);
    res.json(tokenizeOne(tokenizer, principalOf(res), input));
  });

  router.post('/v1/tokens/batch', (req, res) => {
    const items = (req.body as { nationalIds?: unknown } | undefined)?.nationalIds;
    if (Array.isArray(items) && items.length > maxBatchSize) {
      throw new SectokenError('payload_too_large', `a batch holds at most ${maxBatchSize} national IDs`);
    }
    const input = parseBody(batchSchema, req.body);
    res.json(tokenizeBatch(tokenizer, principalOf(res), input));
  });

  return router;
}
