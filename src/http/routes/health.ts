/** Liveness, readiness, metrics and the API description: open to anyone, no identifiers involved. */
import { Router } from 'express';
import type { Registry } from 'prom-client';

export interface Readiness {
  status: 'ready' | 'not_ready';
  checks: { keys: 'ok' | 'missing'; audit: 'ok' | 'unavailable' | 'disk_low' | 'disabled'; redis: 'ok' | 'degraded' | 'disabled' };
}

export function healthRoutes(readiness: () => Readiness, openApi: object, metrics: Registry): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', (_req, res) => {
    const state = readiness();
    res.status(state.status === 'ready' ? 200 : 503).json(state);
  });
  router.get('/metrics', async (_req, res) => {
    res.type(metrics.contentType).send(await metrics.metrics());
  });
  router.get('/openapi.json', (_req, res) => {
    res.json(openApi);
  });
  return router;
}
