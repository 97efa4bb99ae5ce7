/**
 * The express application: request ids and logs, security headers, then health routes (open),
 * then /v1 behind bearer authentication with a bounded JSON body, then the error edge.
 */
import { randomUUID } from 'node:crypto';
import express, { type Express } from 'express';
import helmet from 'helmet';
import { pinoHttp } from 'pino-http';
import type { ClientDirectory } from '../access/apiKeys.js';
import type { Config } from '../config/schema.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics.js';
import type { RegulatorDeps } from '../regulators/deps.js';
import type { TokenDeps } from '../tokens/tokenize.js';
import { authenticate } from './auth.js';
import { errorHandler, notFound } from './errors.js';
import { openApiDocument } from './openapi.js';
import { auditRoutes, type AuditDeps } from './routes/audit.js';
import { auditStatsRoutes } from './routes/auditStats.js';
import { consoleRoutes } from './routes/console.js';
import { healthRoutes, type Readiness } from './routes/health.js';
import { legalBasisRoutes } from './routes/legalBases.js';
import { meRoutes } from './routes/me.js';
import { auditedActOf, regulatorRoutes } from './routes/regulators.js';
import { tokenRoutes } from './routes/tokens.js';

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

/** A caller's request id is kept only if it is a UUID: nothing else (an ID, a token) can reach the logs that way. */
/** The route's pattern (or "(unmatched)"), the authenticated client and the error code, for the completion log line. */
function completionProps(req: unknown, res: unknown): { route: string; clientId?: string; errorCode?: string } {
  const matched = (req as express.Request).route as { path?: unknown } | undefined;
  const route = typeof matched?.path === 'string' ? matched.path : '(unmatched)';
  const locals = (res as { locals?: { principal?: { id: string }; errorCode?: string } }).locals;
  return {
    route,
    ...(locals?.principal ? { clientId: locals.principal.id } : {}),
    ...(locals?.errorCode ? { errorCode: locals.errorCode } : {}),
  };
}
const errorCodeOf = (res: unknown): string | undefined => (res as { locals?: { errorCode?: string } }).locals?.errorCode;

const REQUEST_ID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', 'simple');

  app.use(
    pinoHttp({
      logger: deps.logger,
      genReqId: (req, res) => {
        const given = req.headers['x-request-id'];
        const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
        res.setHeader('X-Request-Id', id);
        return id;
      },
      // Only what is safe: no headers, no body, and the route's pattern rather than the URL,
      // which is the caller's text and could hold an identifier.
      serializers: {
        req: (req: { id: unknown; method: unknown }) => ({ id: req.id, method: req.method }),
        res: (res: { statusCode: unknown }) => ({ statusCode: res.statusCode }),
      },
      // Added when the request completes, once the route is known.
      customSuccessObject: (req, res, value: object) => ({ ...value, ...completionProps(req, res) }),
      // An answered error carries its code; pino-http's own "failed with status code" error and
      // its stack say nothing more (unexpected errors are logged with theirs by errorHandler).
      customErrorObject: (req, res, err, value: object) => {
        const { err: _synthetic, ...rest } = value as { err?: unknown };
        return { ...(errorCodeOf(res) ? rest : { ...rest, err }), ...completionProps(req, res) };
      },
      customErrorMessage: (_req, res, err) => `request failed: ${errorCodeOf(res) ?? err.message}`,
      // A 4xx is the caller's mistake, not a fault of the service: info, like any answer.
      customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : 'info'),
    }),
  );
  app.use(helmet());
  app.use((req, res, next) => {
    const stop = deps.metrics.latency.startTimer();
    res.on('finish', () => {
      // The route's pattern, never the URL: labels stay a small closed set.
      const route = typeof req.route?.path === 'string' ? (req.route.path as string) : '(unmatched)';
      deps.metrics.requests.inc({ route, method: req.method, status: String(res.statusCode) });
      stop({ route, method: req.method });
    });
    next();
  });

  app.use(healthRoutes(deps.readiness, openApiDocument(deps.config.limits.maxBatchSize, deps.version), deps.metrics.registry, deps.clients));
  // The console's static files are open (its data comes from /v1 with the person's key).
  app.use(consoleRoutes());

  const recordRefusal = async (req: express.Request): Promise<void> => {
    const act = auditedActOf(req.path.startsWith('/v1') ? req.path : `/v1${req.path}`);
    // Aggregated per source and interval (src/audit/refusals.ts): anonymous callers cannot grow the log at will.
    if (act) await deps.audit.refusals.refuse(req.socket.remoteAddress, act);
  };
  app.use('/v1', authenticate(deps.clients, recordRefusal));
  app.use('/v1', express.json({ limit: deps.config.limits.maxBodyBytes, strict: true, type: 'application/json' }));
  app.use(tokenRoutes(deps.tokens, deps.config.limits.maxBatchSize));
  app.use(regulatorRoutes(deps.regulators));
  app.use(auditRoutes(deps.audit));
  app.use(auditStatsRoutes(deps.audit.dir));
  app.use(meRoutes());
  app.use(legalBasisRoutes(deps.config.legalBases));

  app.use(notFound);
  app.use(errorHandler);
  return app;
}
