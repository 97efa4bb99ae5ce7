/**
 * Liveness, readiness and the API description: open to anyone, no identifiers involved. Metrics
 * are for the operator (SPEC "Operations"): GET /metrics needs the API key of an `operator` client.
 */
import { Router } from 'express';
import type { Registry } from 'prom-client';
import type { ClientDirectory } from '../../access/apiKeys.js';
import { authorize } from '../../access/rules.js';
import { SectokenError } from '../../errors.js';
import { resource } from '../resource.js';

export interface Readiness {
  status: 'ready' | 'not_ready';
  /** The served keyring's fingerprint (src/keys/fingerprint.ts): a fleet compares it across instances. */
  keyringFingerprint: string;
  checks: { keys: 'ok'; audit: 'ok' | 'unavailable' | 'disk_low'; redis: 'ok' | 'degraded' | 'disabled' };
}

export function healthRoutes(readiness: () => Readiness, openApi: object, metrics: Registry, clients: ClientDirectory): Router {
  const router = Router();
  const probe = { head: true };
  resource(router, '/healthz', { get: (_req, res) => void res.json({ status: 'ok' }) }, probe);
  resource(
    router,
    '/readyz',
    {
      get: (_req, res) => {
        const state = readiness();
        res.status(state.status === 'ready' ? 200 : 503).json(state);
      },
    },
    probe,
  );
  resource(router, '/metrics', {
    get: async (req, res) => {
      const principal = clients.authenticate(req.headers.authorization);
      if (!principal) throw new SectokenError('unauthenticated', 'a valid API key is required (Authorization: Bearer …)');
      authorize(principal, 'read-metrics');
      res.locals.principal = principal;
      res.type(metrics.contentType).send(await metrics.metrics());
    },
  });
  resource(router, '/openapi.json', { get: (_req, res) => void res.json(openApi) }, probe);
  return router;
}
