/**
 * GET /openapi.json: a valid OpenAPI 3.1 document, and real responses that match what it
 * documents (status listed for the operation, body valid against its schema).
 *
 * Ajv 2020 is used through the copy installed as a dependency of
 * @seriousme/openapi-schema-validator (node_modules/ajv); it is not a direct dependency.
 */
import request from 'supertest';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import AjvModule from 'ajv/dist/2020.js';
import { Validator } from '@seriousme/openapi-schema-validator';
import { bearer, devConfig, startTestService, type TestService } from '../helpers/service.js';

type Json = Record<string, unknown>;
interface Operation {
  responses: Record<string, { content?: Record<string, { schema?: Json }> }>;
  requestBody?: { required?: boolean; content: Record<string, { schema: Json }> };
}
interface OpenApiDoc {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Json> };
}

const Ajv2020 = AjvModule.default;
const limits = (devConfig() as { limits: { maxBatchSize: number } }).limits;

let service: TestService;
let doc: OpenApiDoc;
const ajv = new Ajv2020({ strict: false, allErrors: true });

afterAll(() => rmSync(service.dir, { recursive: true, force: true }));
beforeAll(async () => {
  service = startTestService();
  const res = await request(service.app).get('/openapi.json');
  expect(res.status).toBe(200);
  doc = res.body as OpenApiDoc;
});

/** A component schema by name, following a `#/components/schemas/…` reference. */
function component(schema: Json): Json {
  const ref = schema.$ref;
  if (typeof ref !== 'string') return schema;
  const name = /^#\/components\/schemas\/(.+)$/.exec(ref)?.[1];
  const found = name === undefined ? undefined : doc.components.schemas[name];
  if (!found) throw new Error(`unresolved $ref ${ref}`);
  return found;
}

/** The documented JSON schema of a response, by path, method and status; fails if undocumented. */
function responseSchema(path: string, method: string, status: number): Json {
  const operation = doc.paths[path]?.[method];
  expect(operation).toBeDefined();
  const response = operation!.responses[String(status)];
  if (!response) throw new Error(`${method.toUpperCase()} ${path} does not document status ${status}`);
  const schema = response.content?.['application/json']?.schema;
  if (!schema) throw new Error(`${method.toUpperCase()} ${path} ${status} has no application/json schema`);
  return schema;
}

/** Validates a body against a schema that may `$ref` into the document's components. */
function validateAgainst(schema: Json, body: unknown): string[] {
  const validate = ajv.compile({ ...schema, components: doc.components });
  return validate(body) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''}`);
}

/** Asserts that a real response is documented for its operation and matches the schema. */
function expectDocumented(path: string, method: string, res: request.Response): void {
  const schema = responseSchema(path, method, res.status);
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  expect({ status: res.status, errors: validateAgainst(schema, res.body) }).toEqual({ status: res.status, errors: [] });
}

describe('GET /openapi.json', () => {
  it('when fetched, then it is a JSON OpenAPI 3.1 document naming the service', async () => {
    const res = await request(service.app).get('/openapi.json');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(doc.openapi).toMatch(/^3\.1\./);
    expect(doc.info.title).toBe('sectoken');
    expect(typeof doc.info.version).toBe('string');
  });

  it('when validated with @seriousme/openapi-schema-validator, then it is valid OpenAPI 3.1', async () => {
    const validator = new Validator();
    const result = await validator.validate(structuredClone(doc) as never);
    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
  });

  it('when read, then it documents the token, health and readiness operations', () => {
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/v1/tokens', '/v1/tokens/batch', '/healthz', '/readyz', '/openapi.json']),
    );
    for (const path of ['/v1/tokens', '/v1/tokens/batch']) {
      const statuses = Object.keys(doc.paths[path]!.post!.responses);
      expect(statuses).toEqual(expect.arrayContaining(['200', '400', '401', '403', '404', '413']));
    }
  });

  it('when read, then every $ref resolves to a component schema', () => {
    const refs = JSON.stringify(doc).match(/"\$ref":"[^"]*"/g) ?? [];
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of refs) {
      const target = ref.slice('"$ref":"'.length, -1);
      expect(() => component({ $ref: target })).not.toThrow();
    }
  });

  it('when read, then both request schemas refuse unknown fields and require their fields', () => {
    const single = component(doc.paths['/v1/tokens']!.post!.requestBody!.content['application/json']!.schema);
    const batch = component(doc.paths['/v1/tokens/batch']!.post!.requestBody!.content['application/json']!.schema);
    expect(single.additionalProperties).toBe(false);
    expect(batch.additionalProperties).toBe(false);
    expect(single.required).toEqual(expect.arrayContaining(['sector', 'nationalId']));
    expect(batch.required).toEqual(expect.arrayContaining(['sector', 'nationalIds']));
    expect(doc.paths['/v1/tokens']!.post!.requestBody!.required).toBe(true);
    expect(doc.paths['/v1/tokens/batch']!.post!.requestBody!.required).toBe(true);
  });

  it('when read, then nationalIds is an array of strings of at most limits.maxBatchSize (1000) items', () => {
    const batch = component(doc.paths['/v1/tokens/batch']!.post!.requestBody!.content['application/json']!.schema);
    const nationalIds = (batch.properties as Record<string, Json>).nationalIds!;
    expect(nationalIds.type).toBe('array');
    expect(nationalIds.maxItems).toBe(1000);
    expect(nationalIds.maxItems).toBe(limits.maxBatchSize);
    expect(nationalIds.minItems).toBe(1);
    expect((nationalIds.items as Json).type).toBe('string');
  });

  it('when the request schemas are checked against real request bodies, then they agree with the service', async () => {
    const single = doc.paths['/v1/tokens']!.post!.requestBody!.content['application/json']!.schema;
    const batch = doc.paths['/v1/tokens/batch']!.post!.requestBody!.content['application/json']!.schema;
    expect(validateAgainst(single, { sector: 'health', nationalId: 'AB123456' })).toEqual([]);
    expect(validateAgainst(single, { sector: 'health', nationalId: 'AB123456', extra: 1 })).not.toEqual([]);
    expect(validateAgainst(batch, { sector: 'health', nationalIds: Array(1000).fill('A1') })).toEqual([]);
    expect(validateAgainst(batch, { sector: 'health', nationalIds: Array(1001).fill('A1') })).not.toEqual([]);
  });
});

describe('real responses match the documented schemas', () => {
  const hospital = bearer('hospital-backend');
  const post = (path: string, body: unknown, auth: string | null = hospital) => {
    const req = request(service.app).post(path);
    return (auth === null ? req : req.set('Authorization', auth)).send(body as object);
  };

  it('when POST /v1/tokens succeeds in every sector, then 200 matches TokenResponse', async () => {
    const clients: Record<string, string> = {
      health: 'hospital-backend',
      tax: 'tax-backend',
      finance: 'bank-backend',
      social: 'welfare-backend',
      telecom: 'bank-backend',
    };
    for (const [sector, client] of Object.entries(clients)) {
      const res = await post('/v1/tokens', { sector, nationalId: 'AB123456' }, bearer(client));
      expect(res.status).toBe(200);
      expectDocumented('/v1/tokens', 'post', res);
    }
  });

  it('when POST /v1/tokens/batch succeeds with valid and invalid IDs, then 200 matches BatchTokenResponse', async () => {
    const res = await post('/v1/tokens/batch', { sector: 'health', nationalIds: ['AB123456', 'nope', 'K1'] });
    expect(res.status).toBe(200);
    expect(res.body.results).toHaveLength(3);
    expectDocumented('/v1/tokens/batch', 'post', res);
  });

  it.each<[string, string, number, unknown, string | null]>([
    ['invalid_request', '/v1/tokens', 400, { sector: 'health' }, 'hospital'],
    ['invalid_national_id', '/v1/tokens', 400, { sector: 'health', nationalId: 'ABC' }, 'hospital'],
    ['unauthenticated', '/v1/tokens', 401, { sector: 'health', nationalId: 'AB123456' }, null],
    ['forbidden', '/v1/tokens', 403, { sector: 'tax', nationalId: 'AB123456' }, 'hospital'],
    ['unknown_sector', '/v1/tokens', 404, { sector: 'education', nationalId: 'AB123456' }, 'hospital'],
    [
      'payload_too_large (body)',
      '/v1/tokens',
      413,
      { sector: 'health', nationalId: 'A'.repeat(300 * 1024) },
      'hospital',
    ],
    ['invalid_request', '/v1/tokens/batch', 400, { sector: 'health', nationalIds: [] }, 'hospital'],
    ['unauthenticated', '/v1/tokens/batch', 401, { sector: 'health', nationalIds: ['AB123456'] }, null],
    ['forbidden', '/v1/tokens/batch', 403, { sector: 'tax', nationalIds: ['AB123456'] }, 'hospital'],
    ['unknown_sector', '/v1/tokens/batch', 404, { sector: 'education', nationalIds: ['AB123456'] }, 'hospital'],
    [
      'payload_too_large (batch size)',
      '/v1/tokens/batch',
      413,
      { sector: 'health', nationalIds: Array(1001).fill('A1') },
      'hospital',
    ],
  ])('when %s on %s, then the %d answer is documented and matches Error', async (_code, path, status, body, who) => {
    const res = await post(path, body, who === null ? null : hospital);
    expect(res.status).toBe(status);
    expectDocumented(path, 'post', res);
  });

  it('when GET /healthz, then 200 matches Health', async () => {
    const res = await request(service.app).get('/healthz');
    expect(res.status).toBe(200);
    expectDocumented('/healthz', 'get', res);
  });

  it('when GET /readyz, then 200 matches Readiness', async () => {
    const res = await request(service.app).get('/readyz');
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('ready');
    expectDocumented('/readyz', 'get', res);
  });

  it('when a body breaks a documented schema, then the check notices (the validator is not vacuous)', () => {
    const tokenSchema = responseSchema('/v1/tokens', 'post', 200);
    expect(
      validateAgainst(tokenSchema, {
        sector: 'health',
        token: '1',
        keyVersion: 1,
        schemeVersion: 1,
        nationalId: 'AB123456',
      }),
    ).not.toEqual([]);
    expect(validateAgainst(tokenSchema, { sector: 'health', token: '1', keyVersion: 0, schemeVersion: 1 })).not.toEqual(
      [],
    );
    const errorSchema = responseSchema('/v1/tokens', 'post', 400);
    expect(validateAgainst(errorSchema, { error: { code: 'oops', message: 'x' } })).not.toEqual([]);
    expect(validateAgainst(errorSchema, { error: { code: 'internal', message: 'x', stack: 'at …' } })).not.toEqual([]);
    expect(() => responseSchema('/v1/tokens', 'post', 418)).toThrow(/does not document/);
  });
});

describe('regulator and auditor responses match the documented schemas', () => {
  const act = { caseId: 'CASE-1', purpose: 'Inquiry' };
  const as = (client: string) => ({
    post: (path: string, body?: object) =>
      request(service.app).post(path).set('Authorization', bearer(client)).send(body),
    get: (path: string) => request(service.app).get(path).set('Authorization', bearer(client)),
  });
  const tokenIn = async (sector: string, client: string): Promise<string> =>
    (await as(client).post('/v1/tokens', { sector, nationalId: 'AB123456' })).body.token as string;

  it('when reversing, translating, upgrading and running dual control, then every answer is documented', async () => {
    const tax = await tokenIn('tax', 'tax-backend');
    const health = await tokenIn('health', 'hospital-backend');
    const cndp = as('regulator-cndp');
    expectDocumented(
      '/v1/reverse',
      'post',
      await cndp.post('/v1/reverse', { sector: 'tax', token: tax, legalBasis: 'LOI-09-08-ART-4', ...act }),
    );
    expectDocumented('/v1/reverse', 'post', await cndp.post('/v1/reverse', { sector: 'tax', token: tax, ...act }));
    expectDocumented(
      '/v1/reverse',
      'post',
      await as('tax-backend').post('/v1/reverse', { sector: 'tax', token: tax, legalBasis: 'LOI-09-08-ART-4', ...act }),
    );
    expectDocumented(
      '/v1/translate',
      'post',
      await cndp.post('/v1/translate', {
        fromSector: 'tax',
        token: tax,
        toSector: 'social',
        legalBasis: 'CSS-FRAUD-2026',
        ...act,
      }),
    );
    expectDocumented(
      '/v1/tokens/upgrade',
      'post',
      await as('tax-backend').post('/v1/tokens/upgrade', { sector: 'tax', tokens: [tax, 'X'] }),
    );

    const pending = await cndp.post('/v1/reverse', {
      sector: 'health',
      token: health,
      legalBasis: 'CNDP-D-97-2020',
      ...act,
    });
    expect(pending.status).toBe(202);
    expectDocumented('/v1/reverse', 'post', pending);
    const id = pending.body.requestId as string;
    expectDocumented('/v1/reverse/requests/{id}', 'get', await cndp.get(`/v1/reverse/requests/${id}`));
    expectDocumented(
      '/v1/reverse/requests/{id}/approve',
      'post',
      await cndp.post(`/v1/reverse/requests/${id}/approve`),
    );
    expectDocumented(
      '/v1/reverse/requests/{id}/approve',
      'post',
      await as('regulator-health').post(`/v1/reverse/requests/${id}/approve`),
    );
    const released = await cndp.get(`/v1/reverse/requests/${id}`);
    expect(released.status).toBe(200);
    expectDocumented('/v1/reverse/requests/{id}', 'get', released);
    expectDocumented('/v1/reverse/requests/{id}', 'get', await cndp.get(`/v1/reverse/requests/${id}`));
  });

  it('when an auditor reads, verifies and checkpoints, then every answer is documented', async () => {
    const auditor = as('auditor');
    const page = await auditor.get('/v1/audit?limit=2');
    expect(page.body.records.length).toBeGreaterThan(0);
    expectDocumented('/v1/audit', 'get', page);
    expectDocumented('/v1/audit/verify', 'get', await auditor.get('/v1/audit/verify'));
    expectDocumented('/v1/audit/checkpoint', 'get', await auditor.get('/v1/audit/checkpoint'));
    expectDocumented('/v1/audit', 'get', await as('regulator-cndp').get('/v1/audit'));
  });
});

/**
 * Every error the service can answer on a route is declared for that route: each documented
 * operation is driven into the refusals every route has (no key, another method, bad or oversized
 * body, a role without the right), and each route into its own (its sectors, tokens, legal bases,
 * requests, limits, a failed audit log); every answer must be documented with its status.
 */
describe('every error a route answers is declared for it', () => {
  /** The documented path template a URL falls under, e.g. /v1/requests/{id}. */
  function templateOf(url: string): string {
    const path = url.split('?')[0]!;
    const found = Object.keys(doc.paths).find((t) => new RegExp(`^${t.replace(/\{[^}]+\}/g, '[^/]+')}$`).test(path));
    if (!found) throw new Error(`${path} is not a documented path`);
    return found;
  }
  const seen: string[] = [];
  function check(method: string, url: string, res: request.Response): void {
    const path = templateOf(url);
    seen.push(`${method} ${path} ${res.status}`);
    // A 405 is documented on the path's own operations (the method asked for has none).
    const ops = method === 'head' || !doc.paths[path]![method] ? Object.keys(doc.paths[path]!) : [method];
    // A HEAD answer has no body: its status alone must be documented.
    for (const op of ops) {
      if (method === 'head') responseSchema(path, op, res.status);
      else expectDocumented(path, op, res);
    }
  }
  const send = (
    method: 'get' | 'post' | 'put' | 'delete' | 'head',
    url: string,
    auth?: string,
    body?: string | object,
  ): Promise<request.Response> => {
    let req = request(service.app)[method](url);
    if (auth) req = req.set('Authorization', auth);
    if (typeof body === 'string') req = req.set('Content-Type', 'application/json').send(body);
    else if (body !== undefined) req = req.send(body);
    return req;
  };
  const concrete = (template: string): string => template.replace('{id}', 'AAAAAAAAAAAAAAAAAAAAAA');

  it('when statically read, then every /v1 operation declares 400, 401, 405, 413 and 500, and every open one 405 and 500', () => {
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        const wanted = path.startsWith('/v1') ? ['400', '401', '405', '413', '500'] : ['405', '500'];
        expect({ op: `${method} ${path}`, missing: wanted.filter((s) => !op.responses[s]) }).toEqual({
          op: `${method} ${path}`,
          missing: [],
        });
      }
    }
    for (const path of [
      '/v1/tokens',
      '/v1/tokens/batch',
      '/v1/tokens/upgrade',
      '/v1/reverse',
      '/v1/translate',
      '/v1/requests',
      '/v1/requests/{id}',
    ]) {
      const op = Object.values(doc.paths[path]!)[0]!;
      expect({
        path,
        retryAfter: Object.keys((op.responses['429'] as { headers?: object } | undefined)?.headers ?? {}),
      }).toEqual({ path, retryAfter: ['Retry-After'] });
    }
    expect(Object.keys(doc.paths)).toContain('/metrics');
  });

  it('when any operation is asked without a key, with another method, with broken or oversized JSON, or by a role without the right, then each answer is documented', async () => {
    const big = JSON.stringify({ x: 'a'.repeat(300 * 1024) });
    for (const [path, ops] of Object.entries(doc.paths)) {
      const url = concrete(path);
      const [method] = Object.keys(ops) as ('get' | 'post')[];
      const other = method === 'get' ? 'delete' : 'put';
      check(other, url, await send(other, url, bearer('auditor')));
      if (method === 'get' && path !== '/healthz' && path !== '/readyz' && path !== '/openapi.json')
        check('head', url, await send('head', url, bearer('auditor')));
      if (!path.startsWith('/v1') && path !== '/metrics') continue;
      check(method!, url, await send(method!, url));
      check(method!, url, await send(method!, url, 'Bearer stk_unknown'));
      if (path === '/metrics') {
        check(method!, url, await send(method!, url, bearer('auditor')));
        continue;
      }
      check(method!, url, await send(method!, url, bearer('operator'), '{"sector":'));
      check(method!, url, await send(method!, url, bearer('operator'), big));
      check(method!, url, await send(method!, url, bearer('operator'), method === 'post' ? {} : undefined));
    }
  });

  it('when each route is driven into its own refusals, then each answer is documented', async () => {
    const cndp = bearer('regulator-cndp');
    const tax = (await send('post', '/v1/tokens', bearer('tax-backend'), { sector: 'tax', nationalId: 'AB123456' }))
      .body.token as string;
    const social = (
      await send('post', '/v1/tokens', bearer('welfare-backend'), { sector: 'social', nationalId: 'AB123456' })
    ).body.token as string;
    const health = (
      await send('post', '/v1/tokens', bearer('hospital-backend'), { sector: 'health', nationalId: 'AB123456' })
    ).body.token as string;
    const basis = { legalBasis: 'LOI-09-08-ART-4', caseId: 'C-1', purpose: 'p' };
    const steps: ['get' | 'post', string, string, object | undefined][] = [
      ['post', '/v1/tokens', bearer('hospital-backend'), { sector: 'health', nationalId: 'ABC' }],
      ['post', '/v1/tokens', bearer('hospital-backend'), { sector: 'nowhere', nationalId: 'AB1' }],
      [
        'post',
        '/v1/tokens/batch',
        bearer('hospital-backend'),
        { sector: 'health', nationalIds: Array(1001).fill('A1') },
      ],
      ['post', '/v1/tokens/upgrade', bearer('welfare-backend'), { sector: 'social', tokens: [social] }],
      ['post', '/v1/tokens/upgrade', bearer('tax-backend'), { sector: 'nowhere', tokens: [tax] }],
      ['post', '/v1/reverse', cndp, { sector: 'tax', token: tax, caseId: 'C-1', purpose: 'p' }],
      ['post', '/v1/reverse', cndp, { sector: 'tax', token: 'X', ...basis }],
      ['post', '/v1/reverse', cndp, { sector: 'nowhere', token: tax, ...basis }],
      ['post', '/v1/reverse', cndp, { sector: 'social', token: social, ...basis, legalBasis: 'CNDP-D-97-2020' }],
      ['post', '/v1/reverse', cndp, { sector: 'tax', token: tax, ...basis, legalBasis: 'NO-SUCH-BASIS' }],
      [
        'post',
        '/v1/translate',
        cndp,
        { fromSector: 'social', token: social, toSector: 'tax', ...basis, legalBasis: 'CSS-FRAUD-2026' },
      ],
      [
        'post',
        '/v1/translate',
        bearer('regulator-health'),
        { fromSector: 'tax', token: tax, toSector: 'social', ...basis, legalBasis: 'CSS-FRAUD-2026' },
      ],
      ['get', '/v1/requests?state=nonsense', cndp, undefined],
      ['get', '/v1/requests/not-an-id', cndp, undefined],
      ['get', '/v1/requests/AAAAAAAAAAAAAAAAAAAAAA', cndp, undefined],
      ['post', '/v1/requests/AAAAAAAAAAAAAAAAAAAAAA/approve', bearer('regulator-health'), undefined],
      ['post', '/v1/reverse/requests/AAAAAAAAAAAAAAAAAAAAAA/deny', bearer('regulator-health'), undefined],
      ['get', '/v1/reverse/requests/AAAAAAAAAAAAAAAAAAAAAA', cndp, undefined],
      ['get', '/v1/audit?limit=0', bearer('auditor'), undefined],
      ['get', '/v1/audit/checkpoint?instance=nobody', bearer('auditor'), undefined],
      ['get', '/v1/audit/checkpoint?instance=no/such', bearer('auditor'), undefined],
      ['get', '/v1/legal-bases', bearer('tax-backend'), undefined],
    ];
    for (const [method, url, auth, body] of steps) {
      const res = await send(method, url, auth, body);
      expect(res.status).toBeGreaterThanOrEqual(400);
      check(method, url, res);
    }
    // A request's life: its requester may not decide it; decided twice; collected twice.
    const pending = await send('post', '/v1/reverse', cndp, {
      sector: 'health',
      token: health,
      ...basis,
      legalBasis: 'CNDP-D-97-2020',
    });
    expect(pending.status).toBe(202);
    const id = pending.body.requestId as string;
    check('post', `/v1/requests/${id}/approve`, await send('post', `/v1/requests/${id}/approve`, cndp));
    check(
      'post',
      `/v1/requests/${id}/approve`,
      await send('post', `/v1/requests/${id}/approve`, bearer('regulator-health')),
    );
    check('post', `/v1/requests/${id}/deny`, await send('post', `/v1/requests/${id}/deny`, bearer('regulator-health')));
    check('get', `/v1/requests/${id}`, await send('get', `/v1/requests/${id}`, cndp));
    check('get', `/v1/reverse/requests/${id}`, await send('get', `/v1/reverse/requests/${id}`, cndp));
    expect(seen).toEqual(
      expect.arrayContaining([
        'post /v1/tokens 400',
        'post /v1/tokens/upgrade 422',
        'post /v1/reverse 403',
        'post /v1/requests/{id}/approve 403',
        'post /v1/requests/{id}/deny 409',
        'get /v1/requests/{id} 404',
        'get /v1/audit/checkpoint 404',
      ]),
    );
  });

  it('when limits, the refusal budget and a failed audit log refuse, then 429 and 503 are documented', async () => {
    const config = devConfig();
    const limited = startTestService({
      config: {
        ...config,
        rateLimits: {
          defaults: {
            identities: [{ points: 1, perSeconds: 60 }],
            reverse: [{ points: 1, perSeconds: 60 }],
            translate: [{ points: 1, perSeconds: 60 }],
            refusal: [{ points: 1, perSeconds: 60 }],
          },
          clients: {},
        },
      },
    });
    try {
      const as = (client: string, url: string, body?: object) => {
        const req = body ? request(limited.app).post(url) : request(limited.app).get(url);
        return req.set('Authorization', bearer(client)).send(body);
      };
      const tax = (await as('tax-backend', '/v1/tokens', { sector: 'tax', nationalId: 'AB123456' })).body
        .token as string;
      check('post', '/v1/tokens', await as('tax-backend', '/v1/tokens', { sector: 'tax', nationalId: 'AB123457' }));
      check(
        'post',
        '/v1/tokens/batch',
        await as('tax-backend', '/v1/tokens/batch', { sector: 'tax', nationalIds: ['AB1'] }),
      );
      check(
        'post',
        '/v1/tokens/upgrade',
        await as('tax-backend', '/v1/tokens/upgrade', { sector: 'tax', tokens: [tax] }),
      );
      const act = { sector: 'tax', token: tax, legalBasis: 'LOI-09-08-ART-4', caseId: 'C', purpose: 'p' };
      await as('regulator-cndp', '/v1/reverse', act);
      check('post', '/v1/reverse', await as('regulator-cndp', '/v1/reverse', act));
      const move = {
        fromSector: 'tax',
        token: tax,
        toSector: 'social',
        legalBasis: 'CSS-FRAUD-2026',
        caseId: 'C',
        purpose: 'p',
      };
      await as('regulator-cndp', '/v1/translate', move);
      check('post', '/v1/translate', await as('regulator-cndp', '/v1/translate', move));
      // Two refusals spend the refusal budget of 1: the next read of requests is 429.
      await as('regulator-health', '/v1/requests/AAAAAAAAAAAAAAAAAAAAAA');
      await as('regulator-health', '/v1/requests/AAAAAAAAAAAAAAAAAAAAAA');
      check('get', '/v1/requests', await as('regulator-health', '/v1/requests'));
      check('get', '/v1/requests/{id}', await as('regulator-health', '/v1/requests/AAAAAAAAAAAAAAAAAAAAAA'));
      expect(seen.filter((s) => s.endsWith(' 429')).length).toBeGreaterThanOrEqual(6);

      // The audit file removed behind the log's back: audited acts answer 503 audit_unavailable.
      rmSync(join(limited.settings.auditDir, 'audit-test-instance.jsonl'));
      check('post', '/v1/reverse', await as('regulator-health', '/v1/reverse', act));
      check('post', '/v1/reverse', await request(limited.app).post('/v1/reverse').send(act));
      check('get', '/v1/audit/checkpoint', await as('auditor', '/v1/audit/checkpoint?instance=test-instance'));
      expect(seen).toEqual(expect.arrayContaining(['post /v1/reverse 503']));
    } finally {
      await limited.close();
      rmSync(limited.dir, { recursive: true, force: true });
    }
  });
});
