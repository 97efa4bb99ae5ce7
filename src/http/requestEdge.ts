/**
 * What every request gets, in one middleware: a request id (X-Request-Id), the security headers,
 * and on completion one structured log line and the request metrics. It replaces pino-http (a
 * child logger and two serializers per request), helmet's chain and a separate metrics layer;
 * the log line's fields are the ones pino-http wrote: req {id, method}, res {statusCode},
 * responseTime (ms), route, clientId, errorCode, and the same messages and levels.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Request, RequestHandler, Response } from 'express';
import { completionLogger, type Logger } from '../log.js';
import type { Metrics } from '../metrics.js';
import { applySecurityHeaders, securityHeaders } from './securityHeaders.js';

declare module 'http' {
  interface IncomingMessage {
    /** The request id, as answered in X-Request-Id. */
    id: string;
    /** A logger bound to this request's id and method (made on first use: most requests never log twice). */
    log: Logger;
  }
}

/** A caller's request id is kept only if it is a UUID: nothing else (an ID, a token) can reach the logs that way. */
const CALLER_REQUEST_ID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

interface Locals {
  principal?: { id: string };
  errorCode?: string;
}

/** Installs req.log on the app's request prototype and returns the middleware. */
export function requestEdge(appRequest: object, logger: Logger, metrics: Metrics): RequestHandler {
  const headers = securityHeaders();
  const completion = completionLogger(logger);
  Object.defineProperty(appRequest, 'log', {
    configurable: true,
    get(this: Request): Logger {
      return logger.child({ req: { id: this.id, method: this.method } });
    },
  });

  const complete = (req: Request, res: Response, start: number): void => {
    const elapsedMs = performance.now() - start;
    // The route's pattern, never the URL (the caller's text, which could hold an identifier):
    // log fields and metric labels stay a small closed set.
    const matched = req.route as { path?: unknown } | undefined;
    const route = typeof matched?.path === 'string' ? matched.path : '(unmatched)';
    const method = req.method;
    const status = res.statusCode;
    if (res.writableFinished) {
      metrics.requests.inc({ route, method, status: String(status) });
      metrics.latency.observe({ route, method }, elapsedMs / 1000);
    }
    const locals = res.locals as Locals;
    const errorCode = locals.errorCode;
    // A not-ready /readyz is the probe's answer, not a failure: one info line (a change of
    // readiness is logged once, src/http/readinessChanges.ts), not an error per probe.
    const failed = status >= 500 && route !== '/readyz';
    // Fields in pino-http's order; a 5xx without a code gets the error pino-http made up.
    const err = failed && !errorCode ? new Error(`failed with status code ${status}`) : undefined;
    const line: Record<string, unknown> = {
      req: { id: req.id, method },
      res: { statusCode: status },
      responseTime: Math.round(elapsedMs),
    };
    if (err) line.err = err;
    line.route = route;
    if (locals.principal) line.clientId = locals.principal.id;
    if (errorCode) line.errorCode = errorCode;
    // A 4xx is the caller's mistake, not a fault of the service: info, like any answer.
    if (failed) completion.error(line, `request failed: ${errorCode ?? err?.message ?? 'unknown'}`);
    else completion.info(line, !req.readableAborted && res.writableEnded ? 'request completed' : 'request aborted');
  };

  return (req, res, next) => {
    const start = performance.now();
    const given = req.headers['x-request-id'];
    const id = typeof given === 'string' && CALLER_REQUEST_ID.test(given) ? given : randomUUID();
    req.id = id;
    res.setHeader('X-Request-Id', id);
    applySecurityHeaders(res, headers);
    // 'close' follows 'finish' on every response, and also ends one whose client went away.
    res.on('close', () => complete(req, res, start));
    next();
  };
}
