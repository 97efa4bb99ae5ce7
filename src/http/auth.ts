/**
 * Bearer authentication for /v1: the principal is attached to res.locals, or the request is 401.
 * A refused caller of an audited act is accounted for in the audit log first (SPEC "Legal bases":
 * refusals are audited; aggregated per source, src/audit/writer/refusals.ts).
 */
import type { Request, RequestHandler, Response } from 'express';
import type { ClientDirectory, Principal } from '../access/apiKeys.js';
import { SectokenError } from '../errors.js';

/** `then` runs next for an authenticated request (the body parser): one middleware layer, not two. */
export function authenticate(
  clients: ClientDirectory,
  recordRefusal: (req: Request) => Promise<void>,
  then?: RequestHandler,
): RequestHandler {
  return (req, res, next) => {
    const principal = clients.authenticate(req.headers.authorization);
    if (principal) {
      res.locals.principal = principal;
      if (then) return void then(req, res, next);
      next();
      return;
    }
    const refused = new SectokenError('unauthenticated', 'a valid API key is required (Authorization: Bearer …)');
    recordRefusal(req).then(() => next(refused), next);
  };
}

export const principalOf = (res: Response): Principal => res.locals.principal as Principal;
