/**
 * Liveness, readiness and the API description: open to anyone, no identifiers involved. Metrics
 * are for the operator (SPEC "Operations"): GET /metrics needs the API key of an `operator` client.
 */
import { Router } from 'express';
import type { Registry } from 'prom-client';
import type { ClientDirectory } from '../../access/apiKeys.js';
import { authorize } from '../../access/rules.js';
import { SectokenError } from '../../errors.js';
import { bind, Raw } from '../bind.js';

export interface Readiness {
  status: 'ready' | 'not_ready';
  /** The served keyring's fingerprint (src/keys/fingerprint.ts): a fleet compares it across instances. */
  keyringFingerprint: string;
  /** Where the key-encryption key lives: a file, or a PKCS#11 token (its label and the key's), never the PIN. */
  kek: { kind: 'file' } | { kind: 'pkcs11'; token: string; key: string };
  checks: { keys: 'ok'; audit: 'ok' | 'unavailable' | 'disk_low'; redis: 'ok' | 'degraded' | 'disabled' };
}

export function healthRoutes(
  readiness: () => Readiness,
  openApi: object,
  metrics: Registry,
  clients: ClientDirectory,
): Router {
  return bind(Router(), {
    home: () =>
      ({
        service: 'sectoken',
        console: '/console/',
        openApi: '/openapi.json',
        health: '/healthz',
        ready: '/readyz',
      }) as const,
    health: () => ({ status: 'ok' }),
    ready: () => {
      const state = readiness();
      return { status: state.status === 'ready' ? 200 : 503, body: state };
    },
    // Outside /v1: the operator's key is checked here.
    metrics: async (_input, { req, res }) => {
      const principal = clients.authenticate(req.headers.authorization);
      if (!principal)
        throw new SectokenError('unauthenticated', 'a valid API key is required (Authorization: Bearer …)');
      authorize(principal, 'read-metrics');
      res.locals.principal = principal;
      return new Raw(metrics.contentType, await metrics.metrics());
    },
    openApi: () => openApi,
  });
}
