/**
 * The API, one value per operation: method, path, input and output schemas, the errors it answers,
 * the act it audits and the access rule that says who may call it. Everything about an endpoint
 * comes from here (STYLE.md, after @hono/zod-openapi's createRoute and ts-rest contracts):
 *
 * - the routes bind to it (src/http/bind.ts: inputs parsed, responses checked, 405 and HEAD);
 * - the OpenAPI document is generated from it (src/http/openapi.ts);
 * - an unauthenticated call is recorded as a refused act through it (auditedActOf, below);
 * - the console's types are its response schemas (console/src/api.ts, `import type`).
 *
 * Node-free on purpose: the console's type checker reads this file and what it imports.
 * Adding an operation: one entry here, one use case in src/acts/, one binding line in a routes file.
 */
import { z } from 'zod';
import type { Action } from '../access/actions.js';
import type { AuditAct } from '../audit/chain/acts.js';
import type { ErrorCode } from '../errors.js';
import * as s from './schemas.js';
import * as blind from './blindSchemas.js';

/** The configured limits some schemas and summaries depend on. */
export interface Limits {
  maxBatchSize: number;
}

/** One status an operation answers with (errors aside): JSON of `schema`, text, or no declared body. */
export interface Answer {
  description: string;
  schema?: z.ZodType;
  /** A body that is not JSON (the metrics' text exposition format). */
  text?: true;
}

export interface Operation {
  method: 'get' | 'post';
  /** In express's syntax (`:id`); the OpenAPI document writes `{id}`. */
  path: string;
  summary: string | ((limits: Limits) => string);
  deprecated?: true;
  params?: z.ZodObject;
  query?: z.ZodObject;
  body?: z.ZodType | ((limits: Limits) => z.ZodType);
  /** The body may be left out (a decision: nothing to say but the path). */
  bodyOptional?: true;
  responses: { readonly [status: number]: Answer };
  /** The codes this operation answers beyond those every path answers (commonErrors). */
  errors: readonly ErrorCode[];
  /** The act an unauthenticated call attempts: recorded as a refusal (src/acts/audit/recordRefusal.ts). */
  audited?: AuditAct;
  /** The access rule its use case enforces (src/access/actions.ts): who may call it. Absent: open. */
  action?: Action;
  /** HEAD is answered like GET: open probes only, since a GET may be an act (a release) that a HEAD must not perform. */
  head?: true;
}

const op = <const O extends Operation>(o: O): O => o;

const ACT_ERRORS = [
  'invalid_token',
  'token_retired',
  'legal_basis_required',
  'forbidden',
  'unknown_sector',
  'not_reversible',
  'rate_limited',
  'audit_unavailable',
  'dual_control_unavailable',
  'limits_unavailable',
] as const;
const REQUEST_ERRORS = [
  'forbidden',
  'not_found',
  'request_closed',
  'request_expired',
  'request_tampered',
  'invalid_token',
  'token_retired',
  'rate_limited',
  'audit_unavailable',
  'dual_control_unavailable',
  'limits_unavailable',
] as const;
const PENDING = 'Dual control: a second person must approve; the requester collects the result at /v1/requests/{id}';

/** approve or deny under `base`; the /v1/reverse/requests paths are deprecated aliases. */
const decision = <const D extends 'approve' | 'deny', const B extends '/v1/requests' | '/v1/reverse/requests'>(
  verb: D,
  base: B,
) =>
  op({
    method: 'post',
    path: `${base}/:id/${verb}`,
    ...(base === '/v1/reverse/requests' ? { deprecated: true as const } : {}),
    summary: `A second person ${verb === 'approve' ? 'approves' : 'denies'} a pending request; audited${base === '/v1/reverse/requests' ? ` (deprecated alias of /v1/requests/{id}/${verb})` : ''}`,
    params: s.requestIdParams,
    body: s.decisionRequest,
    bodyOptional: true,
    responses: { 200: { description: verb === 'approve' ? 'Approved' : 'Denied', schema: s.decisionResponse } },
    errors: REQUEST_ERRORS,
    audited: verb,
    action: 'decide',
  });

export const API = {
  tokenize: op({
    method: 'post',
    path: '/v1/tokens',
    summary: "A person's token in one of the caller's sectors",
    body: s.tokenRequest,
    responses: { 200: { description: 'The token', schema: s.tokenResponse } },
    errors: ['invalid_national_id', 'forbidden', 'unknown_sector', 'policy_mismatch', 'rate_limited'],
    action: 'tokenize',
  }),
  tokenizeBatch: op({
    method: 'post',
    path: '/v1/tokens/batch',
    summary: (l) => `Tokens of up to ${l.maxBatchSize} people, in input order`,
    body: (l) => s.batchRequest(l.maxBatchSize),
    responses: { 200: { description: 'One result per national ID', schema: s.batchResponse } },
    errors: ['forbidden', 'unknown_sector', 'policy_mismatch', 'batch_too_large', 'rate_limited'],
    action: 'tokenize',
  }),
  blindEvaluate: op({
    method: 'post',
    path: '/v1/blind/evaluate',
    summary: (l) =>
      `A blind sector's backend sends up to ${l.maxBatchSize} blinded national IDs and gets them evaluated under the sector's current key, with one proof (RFC 9497 VOPRF, ristretto255-SHA512); each element counts as one identity`,
    body: (l) => blind.blindEvaluateRequest(l.maxBatchSize),
    responses: { 200: { description: 'The evaluated elements and the proof', schema: blind.blindEvaluateResponse } },
    errors: ['invalid_element', 'forbidden', 'unknown_sector', 'policy_mismatch', 'batch_too_large', 'rate_limited'],
    action: 'tokenize',
  }),
  blindKeys: op({
    method: 'get',
    path: '/v1/blind/keys/:sector',
    summary: "A blind sector's VOPRF public key of every live key version, for backends to pin",
    params: blind.blindKeysParams,
    responses: { 200: { description: 'The public keys', schema: blind.blindKeysResponse } },
    errors: ['forbidden', 'unknown_sector', 'policy_mismatch'],
    action: 'read-public-keys',
  }),
  upgrade: op({
    method: 'post',
    path: '/v1/tokens/upgrade',
    summary: "Re-issue a service's stored reversible tokens under the sector's current key version",
    body: (l) => s.upgradeRequest(l.maxBatchSize),
    responses: { 200: { description: 'One result per token, in input order', schema: s.upgradeResponse } },
    errors: ['forbidden', 'unknown_sector', 'not_reversible', 'batch_too_large', 'rate_limited'],
    action: 'upgrade',
  }),
  reverse: op({
    method: 'post',
    path: '/v1/reverse',
    summary: 'A regulator recovers the national ID behind a token, under a legal basis; audited',
    body: s.reverseRequest,
    responses: {
      200: { description: 'The national ID', schema: s.reverseResponse },
      202: { description: PENDING, schema: s.requestAccepted },
    },
    errors: ACT_ERRORS,
    audited: 'reverse',
    action: 'reverse',
  }),
  translate: op({
    method: 'post',
    path: '/v1/translate',
    summary: "The same person's token in another sector, under a legal basis; audited",
    body: s.translateRequest,
    responses: {
      200: { description: 'The token in toSector', schema: s.translateResponse },
      202: { description: PENDING, schema: s.requestAccepted },
    },
    errors: ACT_ERRORS,
    audited: 'translate',
    action: 'translate',
  }),
  listRequests: op({
    method: 'get',
    path: '/v1/requests',
    summary:
      'Dual-control requests the caller made or could decide (in scope of all their sectors), or with decidedBy=me those the caller decided, newest first',
    query: s.requestListQuery,
    responses: { 200: { description: 'The requests, facts only', schema: s.requestList } },
    errors: ['forbidden', 'rate_limited', 'dual_control_unavailable'],
    action: 'read-requests',
  }),
  readRequest: op({
    method: 'get',
    path: '/v1/requests/:id',
    summary: "A request's facts; for its requester, once approved, its result, handed out once (audited)",
    params: s.requestIdParams,
    responses: {
      200: { description: 'The facts, or the released result', schema: z.union([s.requestView, s.releasedResponse]) },
    },
    errors: REQUEST_ERRORS,
    audited: 'release',
    action: 'read-requests',
  }),
  approve: decision('approve', '/v1/requests'),
  deny: decision('deny', '/v1/requests'),
  approveReverse: decision('approve', '/v1/reverse/requests'),
  denyReverse: decision('deny', '/v1/reverse/requests'),
  collectReverse: op({
    method: 'get',
    path: '/v1/reverse/requests/:id',
    deprecated: true,
    summary:
      'Deprecated alias: the requester collects the result of an approved request, once; audited. Use /v1/requests/{id}.',
    params: s.requestIdParams,
    responses: {
      200: { description: 'The result, handed out once', schema: s.releasedResponse },
      202: { description: 'Still waiting for a decision', schema: s.reversePending },
    },
    errors: REQUEST_ERRORS,
    audited: 'release',
    action: 'read-requests',
  }),
  readAudit: op({
    method: 'get',
    path: '/v1/audit',
    summary: 'Auditors read the audit log, filtered by time, client, case, legal basis, act and outcome, paged',
    query: s.auditQuery,
    responses: { 200: { description: 'A page of records', schema: s.auditPage } },
    errors: ['forbidden'],
    action: 'read-audit',
  }),
  verifyAudit: op({
    method: 'get',
    path: '/v1/audit/verify',
    summary: "Auditors check every instance's chain (hashes, order, MACs)",
    responses: { 200: { description: 'The verification report', schema: s.verifyResponse } },
    errors: ['forbidden'],
    action: 'read-audit',
  }),
  verifyCheckpoints: op({
    method: 'post',
    path: '/v1/audit/verify',
    summary:
      "The same, and whether the chains extend checkpoints the auditor kept off-host (signed by this service's audit key)",
    body: s.verifyRequest,
    responses: {
      200: { description: 'The verification report, with a result per checkpoint given', schema: s.verifyResponse },
    },
    errors: ['forbidden'],
    action: 'read-audit',
  }),
  auditStats: op({
    method: 'get',
    path: '/v1/audit/stats',
    summary:
      "Auditors: counts for charts, computed on the server from every instance's file — acts per day by regulator and legal basis, refusals per day by code, how requests ended",
    query: s.auditStatsQuery,
    responses: { 200: { description: 'The counts', schema: s.auditStatsResponse } },
    errors: ['forbidden'],
    action: 'read-audit',
  }),
  checkpoint: op({
    method: 'get',
    path: '/v1/audit/checkpoint',
    summary:
      "A signed checkpoint (Ed25519) of the log head of this instance, or with ?instance= of another chain of the directory (each worker's), to keep off-host",
    query: s.checkpointQuery,
    responses: { 200: { description: 'The checkpoint', schema: s.checkpointResponse } },
    errors: ['forbidden', 'not_found', 'audit_unavailable'],
    action: 'read-audit',
  }),
  me: op({
    method: 'get',
    path: '/v1/me',
    summary:
      'Who the API key belongs to: client, role, person, organisation, sectors, and its limits (batch size, identities per window); any authenticated client',
    responses: { 200: { description: 'The caller', schema: s.meResponse } },
    errors: ['forbidden'],
    action: 'read-self',
  }),
  legalBases: op({
    method: 'get',
    path: '/v1/legal-bases',
    summary: 'Regulators: the configured legal bases and what each covers (acts, sectors, sector pairs, dual control)',
    responses: { 200: { description: 'The legal bases', schema: s.legalBasesResponse } },
    errors: ['forbidden'],
    action: 'read-legal-bases',
  }),
  health: op({
    method: 'get',
    path: '/healthz',
    summary: 'Liveness',
    responses: { 200: { description: 'Alive', schema: s.healthResponse } },
    errors: [],
    head: true,
  }),
  ready: op({
    method: 'get',
    path: '/readyz',
    summary: 'Readiness: keys loaded, audit writable; Redis reported, not required',
    responses: {
      200: { description: 'Ready', schema: s.readinessResponse },
      503: { description: 'Not ready', schema: s.readinessResponse },
    },
    errors: [],
    head: true,
  }),
  metrics: op({
    method: 'get',
    path: '/metrics',
    summary:
      'Prometheus metrics, for operator clients only (no cache hit or miss counters: they would tell who was looked up)',
    responses: { 200: { description: 'Prometheus text exposition format', text: true } },
    // Outside /v1: it authenticates the key itself.
    errors: ['unauthenticated', 'forbidden'],
    action: 'read-metrics',
  }),
  openApi: op({
    method: 'get',
    path: '/openapi.json',
    summary: 'This document',
    responses: { 200: { description: 'OpenAPI 3.1 document' } },
    errors: [],
    head: true,
  }),
} as const satisfies Record<string, Operation>;

export type Api = typeof API;
export type OperationName = keyof Api;

/**
 * What every path answers besides its own errors. /v1 sits behind bearer authentication and the
 * bounded JSON body parser; an open path only refuses another method, or fails on a bug.
 */
export function commonErrors(path: string): readonly ErrorCode[] {
  return path.startsWith('/v1/')
    ? ['invalid_request', 'unauthenticated', 'method_not_allowed', 'payload_too_large', 'internal']
    : ['method_not_allowed', 'internal'];
}

/** Every code an operation may answer with: its own and its path's. */
export const errorsOf = (o: Operation): ErrorCode[] => [...new Set([...o.errors, ...commonErrors(o.path)])];

/** The methods a path answers, for 405's Allow header: the table's, and HEAD where a probe allows it. */
export function allowOf(path: string): string {
  const ops = Object.values(API as Record<string, Operation>).filter((o) => o.path === path);
  return [...ops.map((o) => o.method.toUpperCase()), ...(ops.some((o) => o.head) ? ['HEAD'] : [])].join(', ');
}

/**
 * A path matcher as express 5 builds one (path-to-regexp 8 with express's defaults): a parameter
 * is one non-empty segment, letters match in either case, one trailing slash is ignored.
 */
export function pathMatcher(path: string): RegExp {
  const pattern = path
    .split('/')
    .map((part) => (part.startsWith(':') ? '[^/]+' : part.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&')))
    .join('/');
  return new RegExp(`^${pattern}/?$`, 'i');
}

const AUDITED: ReadonlyArray<[RegExp, AuditAct]> = Object.values(API as Record<string, Operation>).flatMap((o) =>
  o.audited ? [[pathMatcher(o.path), o.audited] as [RegExp, AuditAct]] : [],
);

/**
 * Which audited act an unauthenticated call to this path was attempting, if any. Any method counts:
 * authentication answers before routing, so the attempt is recorded whatever it asked.
 */
export const auditedActOf = (path: string): AuditAct | undefined => AUDITED.find(([re]) => re.test(path))?.[1];

type Of<T> = T extends (limits: Limits) => infer S ? S : T;
type Parsed<T> = T extends z.ZodType ? z.output<T> : undefined;

/** What the binding's handler receives: the parsed params, query and body. */
export interface Input<O extends Operation> {
  params: Parsed<O['params']>;
  query: Parsed<O['query']>;
  body: Parsed<Of<O['body']>> | (O['bodyOptional'] extends true ? undefined : never);
}

type SchemaAt<O extends Operation, S> = S extends keyof O['responses']
  ? O['responses'][S] extends { schema: infer Z extends z.ZodType }
    ? Z
    : never
  : never;

/** What operation `K` answers with status `S` (200 by default), as its schema parses it: the console's types. */
export type Reply<
  K extends OperationName,
  S extends keyof Api[K]['responses'] = 200 & keyof Api[K]['responses'],
> = z.output<SchemaAt<Api[K], S>>;

/** What a handler gives for status `S`: the input of the response schema (anything where none is declared). */
export type BodyOf<O extends Operation, S> = [SchemaAt<O, S>] extends [never] ? unknown : z.input<SchemaAt<O, S>>;
