/**
 * Liveness, readiness and the API description: open to anyone, no identifiers involved. Metrics
 * are for the operator (SPEC "Operations"): GET /metrics needs the API key of an `operator` client.
 */
import { Router } from 'express';
import type { Registry } from 'prom-client';
import type { ClientDirectory } from '../../access/apiKeys.js';
import { authorize } from '../../access/rules.js';
import { SectokenError } from '../../errors.js';

export interface Readiness {
  status: 'ready' | 'not_ready';
  checks: { keys: 'ok' | 'missing'; audit: 'ok' | 'unavailable' | 'disk_low' | 'disabled'; redis: 'ok' | 'degraded' | 'disabled' };
}

export function healthRoutes(readiness: () => Readiness, openApi: object, metrics: Registry, clients: ClientDirectory): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', (_req, res) => {
    const state = readiness();
    res.status(state.status === 'ready' ? 200 : 503).json(state);
  });
  router.get('/metrics', async (req, res) => {
    const principal = clients.authenticate(req.headers.authorization);
    if (!principal) throw new SectokenError('unauthenticated', 'a valid API key is required (Authorization: Bearer …)');
    authorize(principal, 'read-metrics');
    res.locals.principal = principal;
    res.type(metrics.contentType).send(await metrics.metrics());
  });
  router.get('/openapi.json', (_req, res) => {
    res.json(openApi);
  });
  return router;
}
