/**
 * Validation at the edge: a zod schema parses the untrusted body or the request fails with
 * invalid_request. The message names fields by their schema path and never quotes the input.
 */
import type { z } from 'zod';
import { SectokenError } from '../errors.js';
import { REQUEST_ID } from '../requests/requestLife.js';

export function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new SectokenError('invalid_request', 'the body must be a JSON object (Content-Type: application/json)');
  }
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const problems = result.error.issues.slice(0, 5).map((issue) => {
    const where = issue.path.length > 0 ? issue.path.map(String).join('.') : 'body';
    // An unknown key's name is input: say that there is one, not what it is.
    return issue.code === 'unrecognized_keys' ? `${where}: unknown field` : `${where}: ${issue.message}`;
  });
  throw new SectokenError('invalid_request', problems.join('; '));
}

/** A dual-control request id from a path; anything else is invalid_request, never echoed. */
export function requestIdParam(value: unknown): string {
  if (typeof value !== 'string' || !REQUEST_ID.test(value)) throw new SectokenError('invalid_request', 'malformed request id');
  return value;
}
