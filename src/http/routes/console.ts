/**
 * The regulator and auditor console (console/, built into dist/console by `npm run build`): static
 * files under a strict Content-Security-Policy — scripts, styles and connections to this origin
 * only, no inline script, no eval, no framing, no form posted anywhere (the key must never leave
 * in a URL). The page talks to /v1 with the person's API key like any client.
 */
import { join } from 'node:path';
import express, { Router } from 'express';
import { PACKAGE_ROOT } from '../../config/env.js';
import { SectokenError } from '../../errors.js';

export const CONSOLE_DIR = join(PACKAGE_ROOT, 'dist', 'console');

export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

export function consoleRoutes(dir: string = CONSOLE_DIR): Router {
  const router = Router();
  router.use(
    '/console',
    (req, res, next) => {
      res.setHeader('Content-Security-Policy', CONSOLE_CSP);
      // Revalidated on each load: a new build is picked up at once.
      res.setHeader('Cache-Control', 'no-cache');
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.setHeader('Allow', 'GET, HEAD');
        throw new SectokenError('method_not_allowed', 'the console answers GET and HEAD only');
      }
      next();
    },
    express.static(dir, { index: 'index.html', redirect: true, fallthrough: true, dotfiles: 'ignore', etag: true }),
  );
  return router;
}
