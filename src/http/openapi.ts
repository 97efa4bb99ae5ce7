/** GET /openapi.json: the OpenAPI 3.1 description, generated from the contract (src/http/contract.ts). */
import {
  createDocument,
  type ZodOpenApiOperationObject,
  type ZodOpenApiPathsObject,
  type ZodOpenApiResponsesObject,
} from 'zod-openapi';
import { RULES } from '../access/actions.js';
import type { ErrorCode } from '../errors.js';
import { API, errorsOf, type Limits, type Operation } from './contract.js';
import { HTTP_STATUS } from './errors.js';
import { errorResponse } from './schemas.js';

const json = (schema: unknown) => ({ 'application/json': { schema } }) as never;

/** The headers that come with some error statuses (src/http/errors.ts, src/http/bind.ts). */
const ERROR_HEADERS: Partial<Record<number, Record<string, { description: string; schema: object }>>> = {
  401: { 'WWW-Authenticate': { description: 'Bearer', schema: { type: 'string' } } },
  405: { Allow: { description: 'The methods this path answers', schema: { type: 'string' } } },
  429: { 'Retry-After': { description: 'Seconds to wait before retrying', schema: { type: 'integer', minimum: 0 } } },
};

/** Error responses grouped by status, each listing the codes the operation can answer with. */
function errorResponses(codes: ErrorCode[]): ZodOpenApiResponsesObject {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of codes) byStatus.set(HTTP_STATUS[code], [...(byStatus.get(HTTP_STATUS[code]) ?? []), code]);
  return Object.fromEntries(
    [...byStatus].map(([status, list]) => [
      String(status),
      {
        description: `Error: ${list.join(', ')}`,
        content: json(errorResponse),
        ...(ERROR_HEADERS[status] ? { headers: ERROR_HEADERS[status] as never } : {}),
      },
    ]),
  );
}

function operationObject(name: string, op: Operation, limits: Limits): ZodOpenApiOperationObject {
  const errors = errorsOf(op);
  const body = typeof op.body === 'function' ? op.body(limits) : op.body;
  return {
    operationId: name,
    ...(op.deprecated ? { deprecated: true } : {}),
    summary: typeof op.summary === 'function' ? op.summary(limits) : op.summary,
    // Whoever may be refused unauthenticated needs the bearer key.
    ...(errors.includes('unauthenticated') ? { security: [{ bearer: [] }] } : {}),
    ...(op.action ? { 'x-roles': [...RULES[op.action].roles] } : {}),
    ...(op.params || op.query
      ? { requestParams: { ...(op.params ? { path: op.params } : {}), ...(op.query ? { query: op.query } : {}) } }
      : {}),
    ...(body ? { requestBody: { required: !op.bodyOptional, content: json(body) } } : {}),
    responses: {
      ...Object.fromEntries(
        Object.entries(op.responses).map(([status, answer]) => [
          status,
          {
            description: answer.description,
            ...(answer.schema
              ? { content: json(answer.schema) }
              : answer.text
                ? { content: { 'text/plain': { schema: { type: 'string' } } } as never }
                : {}),
          },
        ]),
      ),
      ...errorResponses(errors),
    },
  };
}

export function openApiDocument(maxBatchSize: number, version: string): object {
  const paths: ZodOpenApiPathsObject = {};
  for (const [name, op] of Object.entries(API as Record<string, Operation>)) {
    const path = op.path.replace(/:(\w+)/g, '{$1}');
    paths[path] = { ...paths[path], [op.method]: operationObject(name, op, { maxBatchSize }) };
  }
  return createDocument({
    openapi: '3.1.0',
    info: {
      title: 'sectoken',
      version,
      description: 'Sector tokens of a national digital-identity trusted third party. See docs/DERIVATION.md.',
    },
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'API key of a service client, regulator or auditor' },
      },
    },
    paths,
  });
}
