/**
 * The one place where a domain error code becomes an HTTP status, and where anything else
 * (body-parser errors, bugs) becomes a safe error body: never a stack, never an echo of input.
 */
import type { ErrorRequestHandler, RequestHandler, Response } from 'express';
import { SectokenError, type ErrorCode } from '../errors.js';

export const HTTP_STATUS: Readonly<Record<ErrorCode, number>> = {
  invalid_request: 400,
  invalid_national_id: 400,
  invalid_token: 400,
  invalid_element: 400,
  legal_basis_required: 400,
  unauthenticated: 401,
  forbidden: 403,
  unknown_sector: 404,
  not_found: 404,
  method_not_allowed: 405,
  request_closed: 409,
  request_expired: 410,
  token_retired: 410,
  request_tampered: 409,
  payload_too_large: 413,
  batch_too_large: 422,
  not_reversible: 422,
  policy_mismatch: 422,
  rate_limited: 429,
  internal: 500,
  audit_unavailable: 503,
  dual_control_unavailable: 503,
  limits_unavailable: 503,
};

export function sendError(res: Response, err: SectokenError): void {
  if (err.code === 'unauthenticated') res.setHeader('WWW-Authenticate', 'Bearer');
  if (err.code === 'rate_limited' && err.retryAfter !== undefined)
    res.setHeader('Retry-After', String(Math.ceil(err.retryAfter)));
  // The completion log line names the code (src/http/app.ts): a 503 alone does not say which.
  res.locals.errorCode = err.code;
  res.status(HTTP_STATUS[err.code]).json({ error: { code: err.code, message: err.message } });
}

/** body-parser marks its errors with a `type`; the message may quote the input, so it is dropped. */
function fromBodyParser(err: { type?: unknown; status?: unknown }): SectokenError | undefined {
  switch (err.type) {
    case 'entity.too.large':
      return new SectokenError('payload_too_large', 'the request body is too large');
    case 'entity.parse.failed':
      return new SectokenError('invalid_request', 'the request body is not valid JSON');
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new SectokenError('invalid_request', 'the request body must be UTF-8 JSON');
    default:
      return typeof err.status === 'number' && err.status >= 400 && err.status < 500
        ? new SectokenError('invalid_request', 'the request could not be read')
        : undefined;
  }
}

export const errorHandler: ErrorRequestHandler = (err: unknown, req, res, _next) => {
  let known = err instanceof SectokenError ? err : undefined;
  if (!known && typeof err === 'object' && err !== null) known = fromBodyParser(err as { type?: unknown });
  if (!known) {
    req.log?.error({ err }, 'unexpected error');
    known = new SectokenError('internal', 'internal error');
  }
  if (res.headersSent) return;
  sendError(res, known);
};

export const notFound: RequestHandler = (_req, _res, next) => next(new SectokenError('not_found', 'no such route'));
