/**
 * Validation at the edge: a zod schema parses the untrusted body, query or path parameters, or the request fails with
 * invalid_request. The message names fields by their schema path and never quotes the input.
 */
import type { z } from 'zod';
import { SectokenError } from '../errors.js';

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
