/**
 * The security headers helmet sets, computed once from helmet itself (defaults: all static) and
 * then set on each response directly: the same headers without helmet's chain of a dozen
 * middleware per request.
 */
import type { ServerResponse } from 'node:http';
import helmet from 'helmet';

export interface SecurityHeaders {
  set: readonly (readonly [string, string])[];
  removed: readonly string[];
}

export function securityHeaders(): SecurityHeaders {
  const set: [string, string][] = [];
  const removed: string[] = [];
  const recorder = {
    setHeader: (name: string, value: unknown) => void set.push([name, String(value)]),
    removeHeader: (name: string) => void removed.push(name),
  };
  let done = false;
  helmet()({} as never, recorder as never, (err?: unknown) => {
    if (err) throw err instanceof Error ? err : new Error('helmet failed', { cause: err });
    done = true;
  });
  // Anything per request (a nonce, a function directive) would make a capture wrong: refuse to start.
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- set in helmet's callback, which TypeScript's narrowing does not follow
  if (!done || set.length === 0)
    throw new Error('helmet did not set its headers synchronously: they cannot be computed once');
  return { set, removed };
}

export function applySecurityHeaders(res: ServerResponse, headers: SecurityHeaders): void {
  for (const name of headers.removed) res.removeHeader(name);
  for (const [name, value] of headers.set) res.setHeader(name, value);
}
