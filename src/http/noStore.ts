/**
 * No /v1 answer may be kept by a cache (a browser's, a proxy's): a reverse's 200 and a released
 * result carry a national ID, and every other answer a token, a request or the caller's rights.
 * `Cache-Control: no-store` (RFC 9111 §5.2.2.5) on every answer under /v1, errors included, set
 * before anything else can answer.
 */
import type { RequestHandler } from 'express';

export const NO_STORE = 'no-store';

/** `then` with the header set first: one middleware layer, not two. */
export function noStore(then: RequestHandler): RequestHandler {
  return (req, res, next) => {
    res.setHeader('Cache-Control', NO_STORE);
    return then(req, res, next);
  };
}
