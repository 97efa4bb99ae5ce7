/** POST /v1/tokens, /v1/tokens/batch and /v1/tokens/upgrade: parse, call the use case, answer. */
import { Router } from 'express';
import { SectokenError } from '../../errors.js';
import { tokenizeBatch, tokenizeOne } from '../../tokens/tokenize.js';
import type { Tokenizer } from '../../tokens/tokenizer.js';
import { upgradeTokens } from '../../tokens/upgrade.js';
import { principalOf } from '../auth.js';
import { batchRequest, tokenRequest, upgradeRequest } from '../schemas.js';
import { parseBody } from '../validate.js';

export function tokenRoutes(tokenizer: () => Tokenizer, maxBatchSize: number): Router {
  const router = Router();
  const batchSchema = batchRequest(maxBatchSize);
  const upgradeSchema = upgradeRequest(maxBatchSize);
  const refuseOversized = (items: unknown): void => {
    if (Array.isArray(items) && items.length > maxBatchSize) {
      throw new SectokenError('payload_too_large', `a batch holds at most ${maxBatchSize} items`);
    }
  };

  router.post('/v1/tokens', (req, res) => {
    const input = parseBody(tokenRequest, req.body);
    res.json(tokenizeOne(tokenizer(), principalOf(res), input));
  });

  router.post('/v1/tokens/batch', (req, res) => {
    refuseOversized((req.body as { nationalIds?: unknown } | undefined)?.nationalIds);
    res.json(tokenizeBatch(tokenizer(), principalOf(res), parseBody(batchSchema, req.body)));
  });

  router.post('/v1/tokens/upgrade', (req, res) => {
    refuseOversized((req.body as { tokens?: unknown } | undefined)?.tokens);
    res.json(upgradeTokens(tokenizer(), principalOf(res), parseBody(upgradeSchema, req.body)));
  });

  return router;
}
