/**
 * Validation at the edge: a zod schema parses the untrusted body, query or path parameters, or the request fails with
 * invalid_request. The message names fields by their schema path and never quotes the input.
 */
import type { z } from 'zod';
import { SectokenError } from '../errors.js';
import { unknownFieldsMessage } from './unknownFields.js';

export function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new SectokenError('invalid_request', 'the body must be a JSON object (Content-Type: application/json)');
  }
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const problems = result.error.issues.slice(0, 5).map((issue) => {
    const where = issue.path.length > 0 ? issue.path.map(String).join('.') : 'body';
    // An unknown key's name is input: named only when it is a near miss of a known field.
    return issue.code === 'unrecognized_keys'
      ? unknownFieldsMessage(where, issue.keys, fieldsAt(schema, issue.path))
      : `${where}: ${issue.message}`;
  });
  throw new SectokenError('invalid_request', problems.join('; '));
}

/** The field names of the object schema at `path` (top level only; deeper: none listed). */
function fieldsAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  const shape = (schema as unknown as { shape?: Record<string, unknown> }).shape;
  return path.length === 0 && shape ? Object.keys(shape) : [];
}
