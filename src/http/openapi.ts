/** GET /openapi.json: the OpenAPI 3.1 description, generated from the same zod schemas the routes use. */
import { createDocument, type ZodOpenApiResponsesObject } from 'zod-openapi';
import type { ErrorCode } from '../errors.js';
import { HTTP_STATUS } from './errors.js';
import { batchRequest, batchResponse, errorResponse, healthResponse, readinessResponse, tokenRequest, tokenResponse } from './schemas.js';

const json = (schema: unknown) => ({ 'application/json': { schema } }) as never;

/** Error responses grouped by status, each listing the codes a route can answer with. */
function errors(...codes: ErrorCode[]): ZodOpenApiResponsesObject {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of [...codes, 'invalid_request', 'unauthenticated', 'payload_too_large', 'internal'] as ErrorCode[]) {
    const status = HTTP_STATUS[code];
    byStatus.set(status, [...new Set([...(byStatus.get(status) ?? []), code])]);
  }
  return Object.fromEntries(
    [...byStatus].map(([status, list]) => [String(status), { description: `Error: ${list.join(', ')}`, content: json(errorResponse) }]),
  );
}

export function openApiDocument(maxBatchSize: number, version: string): object {
  return createDocument({
    openapi: '3.1.0',
    info: {
      title: 'sectoken',
      version,
      description: 'Sector tokens of a national digital-identity trusted third party. See docs/DERIVATION.md.',
    },
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'API key of a service client, regulator or auditor' } } },
    paths: {
      '/v1/tokens': {
        post: {
          summary: "A person's token in one of the caller's sectors",
          security: [{ bearer: [] }],
          requestBody: { required: true, content: json(tokenRequest) },
          responses: { '200': { description: 'The token', content: json(tokenResponse) }, ...errors('invalid_national_id', 'forbidden', 'unknown_sector') },
        },
      },
      '/v1/tokens/batch': {
        post: {
          summary: `Tokens of up to ${maxBatchSize} people, in input order`,
          security: [{ bearer: [] }],
          requestBody: { required: true, content: json(batchRequest(maxBatchSize)) },
          responses: { '200': { description: 'One result per national ID', content: json(batchResponse) }, ...errors('forbidden', 'unknown_sector') },
        },
      },
      '/healthz': { get: { summary: 'Liveness', responses: { '200': { description: 'Alive', content: json(healthResponse) } } } },
      '/readyz': {
        get: {
          summary: 'Readiness: keys loaded, audit writable; Redis reported, not required',
          responses: {
            '200': { description: 'Ready', content: json(readinessResponse) },
            '503': { description: 'Not ready', content: json(readinessResponse) },
          },
        },
      },
      '/openapi.json': { get: { summary: 'This document', responses: { '200': { description: 'OpenAPI 3.1 document' } } } },
    },
  });
}
