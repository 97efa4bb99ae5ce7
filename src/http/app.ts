/**
 * The express application: one edge layer (request id, security headers, completion log line,
 * metrics), then /v1 behind bearer authentication with a bounded JSON body and the token routes,
 * the open health and console routes, the other /v1 routes, then the error edge.
 */
import express, { type Express } from 'express';
import type { ClientDirectory } from '../access/apiKeys.js';
import type { AuditDeps } from '../acts/audit/auditDeps.js';
import type { RegulatorDeps } from '../acts/deps.js';
import { recordRefusal } from '../acts/audit/recordRefusal.js';
import type { TokenDeps } from '../acts/tokens/tokenize.js';
import type { Config } from '../config/schema.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics.js';
import { authenticate } from './auth.js';
import { auditedActOf } from './contract.js';
import { errorHandler, notFound } from './errors.js';
import { noStore } from './noStore.js';
import { openApiDocument } from './openapi.js';
import { requestEdge } from './requestEdge.js';
import { auditRoutes } from './routes/audit.js';
import { consoleRoutes } from './routes/console.js';
import { healthRoutes, type Readiness } from './routes/health.js';
import { legalBasisRoutes } from './routes/legalBases.js';
import { meRoutes } from './routes/me.js';
import { regulatorRoutes } from './routes/regulators.js';
import { tokenRoutes } from './routes/tokens.js';
import { blindRoutes } from './routes/blind.js';

export interface AppDeps {
  config: Config;
  tokens: TokenDeps;
  metrics: Metrics;
  clients: ClientDirectory;
  logger: Logger;
  readiness: () => Readiness;
  regulators: RegulatorDeps;
  audit: AuditDeps;
  version: string;
}

export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', 'simple');

  // Request id, security headers, the completion log line and metrics: one layer (src/http/requestEdge.ts).
  app.use(requestEdge(app.request, deps.logger, deps.metrics));

  const refuseAnonymous = (req: express.Request): Promise<void> =>
    recordRefusal(
      deps.audit,
      req.socket.remoteAddress,
      auditedActOf(req.path.startsWith('/v1') ? req.path : `/v1${req.path}`),
    );
  // No cache keeps a /v1 answer, then authentication, then the bounded JSON body: one layer.
  app.use(
    '/v1',
    noStore(
      authenticate(
        deps.clients,
        refuseAnonymous,
        express.json({ limit: deps.config.limits.maxBodyBytes, strict: true, type: 'application/json' }),
      ),
    ),
  );
  // The token routes sit on the app's own router, first: the busiest requests walk no other router.
  tokenRoutes(deps.tokens, deps.config.limits.maxBatchSize, app.router);
  app.use(
    healthRoutes(
      deps.readiness,
      openApiDocument(deps.config.limits.maxBatchSize, deps.version),
      deps.metrics.registry,
      deps.clients,
    ),
  );
  // The console's static files are open (its data comes from /v1 with the person's key).
  app.use(consoleRoutes());

  app.use(blindRoutes(deps.tokens, deps.config.limits.maxBatchSize));
  app.use(regulatorRoutes(deps.regulators));
  app.use(auditRoutes(deps.audit));
  app.use(meRoutes({ limits: deps.tokens.limits, maxBatchSize: deps.config.limits.maxBatchSize }));
  app.use(legalBasisRoutes(deps.config.legalBases));

  app.use(notFound);
  app.use(errorHandler);
  return app;
}
