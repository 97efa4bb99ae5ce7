/** GET /openapi.json: the OpenAPI 3.1 description, generated from the same zod schemas the routes use. */
import { createDocument, type ZodOpenApiResponsesObject } from 'zod-openapi';
import { z } from 'zod';
import type { ErrorCode } from '../errors.js';
import { HTTP_STATUS } from './errors.js';
import {
  auditPage, auditQuery, checkpointQuery, auditStatsQuery, auditStatsResponse, batchRequest, batchResponse, checkpointResponse, decisionResponse, errorResponse, healthResponse,
  legalBasesResponse, meResponse, readinessResponse, releasedResponse, requestIdParams, requestAccepted, requestList, requestListQuery, requestView, reversePending, reverseRequest, reverseResponse, tokenRequest,
  tokenResponse, translateRequest, translateResponse, upgradeRequest, upgradeResponse, verifyRequest, verifyResponse,
} from './schemas.js';

const json = (schema: unknown) => ({ 'application/json': { schema } }) as never;

/** The headers that come with some error statuses (src/http/errors.ts, src/http/resource.ts). */
const ERROR_HEADERS: Partial<Record<number, Record<string, { description: string; schema: object }>>> = {
  401: { 'WWW-Authenticate': { description: 'Bearer', schema: { type: 'string' } } },
  405: { Allow: { description: 'The methods this path answers', schema: { type: 'string' } } },
  429: { 'Retry-After': { description: 'Seconds to wait before retrying', schema: { type: 'integer', minimum: 0 } } },
};

/** Error responses grouped by status, each listing the codes a route can answer with. */
function errorResponses(codes: ErrorCode[]): ZodOpenApiResponsesObject {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of codes) {
    const status = HTTP_STATUS[code];
    byStatus.set(status, [...new Set([...(byStatus.get(status) ?? []), code])]);
  }
  return Object.fromEntries(
    [...byStatus].map(([status, list]) => [
      String(status),
      { description: `Error: ${list.join(', ')}`, content: json(errorResponse), ...(ERROR_HEADERS[status] ? { headers: ERROR_HEADERS[status] as never } : {}) },
    ]),
  );
}

/** What any /v1 path can answer: behind authentication and the JSON body parser, one resource each. */
const V1_ERRORS: ErrorCode[] = ['invalid_request', 'unauthenticated', 'method_not_allowed', 'payload_too_large', 'internal'];
/** A /v1 route's errors: the common ones and its own. test/http/openapi.test.ts drives each. */
const errors = (...codes: ErrorCode[]): ZodOpenApiResponsesObject => errorResponses([...codes, ...V1_ERRORS]);
/** An open route outside /v1 (no authentication, no body parser): another method, or a bug. */
const openErrors = (...codes: ErrorCode[]): ZodOpenApiResponsesObject => errorResponses([...codes, 'method_not_allowed', 'internal']);

const ACT_ERRORS: ErrorCode[] = ['invalid_token', 'token_retired', 'legal_basis_required', 'forbidden', 'unknown_sector', 'not_reversible', 'rate_limited', 'audit_unavailable', 'dual_control_unavailable', 'limits_unavailable'];
const REQUEST_ERRORS: ErrorCode[] = ['forbidden', 'not_found', 'request_closed', 'request_expired', 'request_tampered', 'invalid_token', 'token_retired', 'rate_limited', 'audit_unavailable', 'dual_control_unavailable', 'limits_unavailable'];

/** approve and deny under `base`; the /v1/reverse/requests paths are deprecated aliases. */
function decisionPaths(base: string, deprecated: boolean): Record<string, object> {
  return Object.fromEntries(
    (['approve', 'deny'] as const).map((decision) => [
      `${base}/{id}/${decision}`,
      {
        post: {
          ...(deprecated ? { deprecated: true } : {}),
          summary: `A second person ${decision === 'approve' ? 'approves' : 'denies'} a pending request; audited${deprecated ? ` (deprecated alias of /v1/requests/{id}/${decision})` : ''}`,
          security: [{ bearer: [] }],
          requestParams: requestIdParams,
          responses: { '200': { description: decision === 'approve' ? 'Approved' : 'Denied', content: json(decisionResponse) }, ...errors(...REQUEST_ERRORS) },
        },
      },
    ]),
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
          responses: { '200': { description: 'The token', content: json(tokenResponse) }, ...errors('invalid_national_id', 'forbidden', 'unknown_sector', 'rate_limited') },
        },
      },
      '/v1/tokens/batch': {
        post: {
          summary: `Tokens of up to ${maxBatchSize} people, in input order`,
          security: [{ bearer: [] }],
          requestBody: { required: true, content: json(batchRequest(maxBatchSize)) },
          responses: { '200': { description: 'One result per national ID', content: json(batchResponse) }, ...errors('forbidden', 'unknown_sector', 'batch_too_large', 'rate_limited') },
        },
      },
      '/v1/tokens/upgrade': {
        post: {
          summary: "Re-issue a service's stored reversible tokens under the sector's current key version",
          security: [{ bearer: [] }],
          requestBody: { required: true, content: json(upgradeRequest(maxBatchSize)) },
          responses: { '200': { description: 'One result per token, in input order', content: json(upgradeResponse) }, ...errors('forbidden', 'unknown_sector', 'not_reversible', 'batch_too_large', 'rate_limited') },
        },
      },
      '/v1/reverse': {
        post: {
          summary: 'A regulator recovers the national ID behind a token, under a legal basis; audited',
          security: [{ bearer: [] }],
          requestBody: { required: true, content: json(reverseRequest) },
          responses: {
            '200': { description: 'The national ID', content: json(reverseResponse) },
            '202': { description: 'Dual control: a second person must approve; the requester collects the result at /v1/requests/{id}', content: json(requestAccepted) },
            ...errors(...ACT_ERRORS),
          },
        },
      },
      '/v1/translate': {
        post: {
          summary: "The same person's token in another sector, under a legal basis; audited",
          security: [{ bearer: [] }],
          requestBody: { required: true, content: json(translateRequest) },
          responses: {
            '200': { description: 'The token in toSector', content: json(translateResponse) },
            '202': { description: 'Dual control: a second person must approve; the requester collects the result at /v1/requests/{id}', content: json(requestAccepted) },
            ...errors(...ACT_ERRORS),
          },
        },
      },
      '/v1/requests': {
        get: {
          summary: 'Dual-control requests the caller made or could decide (in scope of all their sectors), or with decidedBy=me those the caller decided, newest first',
          security: [{ bearer: [] }],
          requestParams: { query: requestListQuery },
          responses: { '200': { description: 'The requests, facts only', content: json(requestList) }, ...errors('forbidden', 'rate_limited', 'dual_control_unavailable') },
        },
      },
      '/v1/requests/{id}': {
        get: {
          summary: "A request's facts; for its requester, once approved, its result, handed out once (audited)",
          security: [{ bearer: [] }],
          requestParams: requestIdParams,
          responses: {
            '200': { description: 'The facts, or the released result', content: json(z.union([requestView, releasedResponse])) },
            ...errors(...REQUEST_ERRORS),
          },
        },
      },
      ...decisionPaths('/v1/requests', false),
      ...decisionPaths('/v1/reverse/requests', true),
      '/v1/reverse/requests/{id}': {
        get: {
          deprecated: true,
          summary: 'Deprecated alias: the requester collects the result of an approved request, once; audited. Use /v1/requests/{id}.',
          security: [{ bearer: [] }],
          requestParams: requestIdParams,
          responses: {
            '200': { description: 'The result, handed out once', content: json(releasedResponse) },
            '202': { description: 'Still waiting for a decision', content: json(reversePending) },
            ...errors(...REQUEST_ERRORS),
          },
        },
      },
      '/v1/audit': {
        get: {
          summary: 'Auditors read the audit log, filtered by time, client, case, legal basis, act and outcome, paged',
          security: [{ bearer: [] }],
          requestParams: { query: auditQuery },
          responses: { '200': { description: 'A page of records', content: json(auditPage) }, ...errors('forbidden') },
        },
      },
      '/v1/audit/verify': {
        get: {
          summary: "Auditors check every instance's chain (hashes, order, MACs)",
          security: [{ bearer: [] }],
          responses: { '200': { description: 'The verification report', content: json(verifyResponse) }, ...errors('forbidden') },
        },
        post: {
          summary: "The same, and whether the chains extend checkpoints the auditor kept off-host (signed by this service's audit key)",
          security: [{ bearer: [] }],
          requestBody: { required: true, content: json(verifyRequest) },
          responses: { '200': { description: 'The verification report, with a result per checkpoint given', content: json(verifyResponse) }, ...errors('forbidden') },
        },
      },
      '/v1/audit/stats': {
        get: {
          summary: 'Auditors: counts for charts, computed on the server from every instance\'s file — acts per day by regulator and legal basis, refusals per day by code, how requests ended',
          security: [{ bearer: [] }],
          requestParams: { query: auditStatsQuery },
          responses: { '200': { description: 'The counts', content: json(auditStatsResponse) }, ...errors('forbidden') },
        },
      },
      '/v1/me': {
        get: {
          summary: 'Who the API key belongs to: client, role, person, organisation, sectors (any authenticated client)',
          security: [{ bearer: [] }],
          responses: { '200': { description: 'The caller', content: json(meResponse) }, ...errors('forbidden') },
        },
      },
      '/v1/legal-bases': {
        get: {
          summary: 'Regulators: the configured legal bases and what each covers (acts, sectors, sector pairs, dual control)',
          security: [{ bearer: [] }],
          responses: { '200': { description: 'The legal bases', content: json(legalBasesResponse) }, ...errors('forbidden') },
        },
      },
      '/v1/audit/checkpoint': {
        get: {
          summary: "A signed checkpoint (Ed25519) of the log head of this instance, or with ?instance= of another chain of the directory (each worker's), to keep off-host",
          security: [{ bearer: [] }],
          requestParams: { query: checkpointQuery },
          responses: { '200': { description: 'The checkpoint', content: json(checkpointResponse) }, ...errors('forbidden', 'not_found', 'audit_unavailable') },
        },
      },
      '/healthz': { get: { summary: 'Liveness', responses: { '200': { description: 'Alive', content: json(healthResponse) }, ...openErrors() } } },
      '/readyz': {
        get: {
          summary: 'Readiness: keys loaded, audit writable; Redis reported, not required',
          responses: {
            '200': { description: 'Ready', content: json(readinessResponse) },
            '503': { description: 'Not ready', content: json(readinessResponse) },
            ...openErrors(),
          },
        },
      },
      '/metrics': {
        get: {
          summary: 'Prometheus metrics, for operator clients only (no cache hit or miss counters: they would tell who was looked up)',
          security: [{ bearer: [] }],
          responses: {
            '200': { description: 'Prometheus text exposition format', content: { 'text/plain': { schema: { type: 'string' } } } as never },
            ...openErrors('unauthenticated', 'forbidden'),
          },
        },
      },
      '/openapi.json': { get: { summary: 'This document', responses: { '200': { description: 'OpenAPI 3.1 document' }, ...openErrors() } } },
    },
  });
}
