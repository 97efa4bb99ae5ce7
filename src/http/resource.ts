/**
 * One path and the methods it answers. Any other method gets 405 method_not_allowed with an Allow
 * header, not 404. HEAD is not implied by GET (express's default), because a GET may be an act —
 * collecting a released result — that a HEAD must not perform; open probes may allow it.
 */
import type { RequestHandler, Router } from 'express';
import { SectokenError } from '../errors.js';

type Method = 'get' | 'post';

export function resource(router: Router, path: string, handlers: Partial<Record<Method, RequestHandler>>, options: { head?: boolean } = {}): void {
  const methods = Object.keys(handlers).map((m) => m.toUpperCase());
  const allow = [...methods, ...(options.head && handlers.get ? ['HEAD'] : [])].join(', ');
  const refuse: RequestHandler = (_req, res) => {
    res.setHeader('Allow', allow);
    throw new SectokenError('method_not_allowed', `this path answers ${allow} only`);
  };
  const route = router.route(path);
  if (!options.head) route.head(refuse);
  for (const [method, handler] of Object.entries(handlers) as Array<[Method, RequestHandler]>) route[method](handler);
  route.all(refuse);
}
