/** Bearer authentication for /v1: the principal is attached to res.locals, or the request is 401. */
import type { RequestHandler, Response } from 'express';
import type { ClientDirectory, Principal } from '../access/apiKeys.js';
import { SectokenError } from '../errors.js';

export function authenticate(clients: ClientDirectory): RequestHandler {
  return (req, res, next) => {
    const principal = clients.authenticate(req.headers.authorization);
    if (!principal) return next(new SectokenError('unauthenticated', 'a valid API key is required (Authorization: Bearer …)'));
    res.locals.principal = principal;
    next();
  };
}

export const principalOf = (res: Response): Principal => res.locals.principal as Principal;
