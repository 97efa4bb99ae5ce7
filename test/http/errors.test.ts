/**
 * Every error code reachable through HTTP in this stage: status, exact body shape
 * {error: {code, message}}, no stack trace, no echo of the submitted national ID.
 */
import request from 'supertest';
import { rmSync } from 'node:fs';
import type { Response } from 'supertest';
import { bearer, devConfig, startTestService, type TestService } from '../helpers/service.js';

/** A national ID used only here, so that an echo of it in a body is unambiguous. */
const SECRET_ID = 'QX482913';
const HOSPITAL = bearer('hospital-backend');
const limits = (devConfig() as { limits: { maxBatchSize: number; maxBodyBytes: number } }).limits;

let service: TestService;
afterAll(() => rmSync(service.dir, { recursive: true, force: true }));
beforeAll(() => {
  service = startTestService();
});

/** Status, content type, exact body shape and code; no stack; none of `secrets` in any case form. */
function expectError(res: Response, status: number, code: string, secrets: readonly string[] = [SECRET_ID]): void {
  expect({ status: res.status, body: res.body as unknown }).toEqual({
    status,
    body: { error: { code, message: expect.any(String) } },
  });
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  const message = (res.body as { error: { message: string } }).error.message;
  expect(message.length).toBeGreaterThan(0);
  expect(message.length).toBeLessThan(500);
  // No stack trace or source location, whatever the path.
  expect(res.text).not.toMatch(/\bat \S+ \(|\bat (file:|\/|node:)|\.[cm]?[jt]s:\d+|node_modules|stack|Error:/);
  const upper = res.text.toUpperCase();
  for (const secret of secrets) {
    expect(upper).not.toContain(secret.toUpperCase());
    // Not even its digits alone.
    const digits = secret.replace(/\D/g, '');
    if (digits.length >= 4) expect(res.text).not.toContain(digits);
  }
}

/** `auth` null sends no Authorization header at all. */
const postJson = (path: string, body: string, auth: string | null = HOSPITAL) => {
  const req = request(service.app).post(path).set('Content-Type', 'application/json');
  return (auth === null ? req : req.set('Authorization', auth)).send(body);
};
const post = (path: string, body: unknown, auth: string | null = HOSPITAL) =>
  postJson(path, JSON.stringify(body), auth);

describe('invalid_request (400)', () => {
  it.each<[string, unknown]>([
    ['sector is a number', { sector: 1, nationalId: SECRET_ID }],
    ['sector is null', { sector: null, nationalId: SECRET_ID }],
    ['sector is empty', { sector: '', nationalId: SECRET_ID }],
    ['sector is longer than 64', { sector: 'h'.repeat(65), nationalId: SECRET_ID }],
    ['nationalId is a number', { sector: 'health', nationalId: 482913 }],
    ['nationalId is null', { sector: 'health', nationalId: null }],
    ['nationalId is a boolean', { sector: 'health', nationalId: true }],
    ['nationalId is an array', { sector: 'health', nationalId: [SECRET_ID] }],
    ['nationalId is an object', { sector: 'health', nationalId: { value: SECRET_ID } }],
    ['nationalId is longer than 256', { sector: 'health', nationalId: SECRET_ID + 'X'.repeat(300) }],
    ['nationalId is missing', { sector: 'health' }],
    ['sector is missing', { nationalId: SECRET_ID }],
    ['the body is an empty object', {}],
    ['there is an unknown field', { sector: 'health', nationalId: SECRET_ID, extra: 1 }],
    ['an unknown field is named like a national ID', { sector: 'health', nationalId: 'AB1', [SECRET_ID]: true }],
    ['a field name differs in case', { sector: 'health', nationalID: SECRET_ID }],
    ['the body is an array', [{ sector: 'health', nationalId: SECRET_ID }]],
    ['the body is an empty array', []],
  ])('when %s on /v1/tokens, then 400 invalid_request', async (_name, body) => {
    expectError(await post('/v1/tokens', body), 400, 'invalid_request');
  });

  it.each<[string, unknown]>([
    ['nationalIds is a string', { sector: 'health', nationalIds: SECRET_ID }],
    ['nationalIds is an object', { sector: 'health', nationalIds: { 0: SECRET_ID, length: 1 } }],
    ['nationalIds is empty', { sector: 'health', nationalIds: [] }],
    ['an item is a number', { sector: 'health', nationalIds: [SECRET_ID, 482913] }],
    ['an item is null', { sector: 'health', nationalIds: [null, SECRET_ID] }],
    ['an item is an object', { sector: 'health', nationalIds: [{ id: SECRET_ID }] }],
    ['an item is longer than 256', { sector: 'health', nationalIds: [SECRET_ID, 'A'.repeat(257)] }],
    ['nationalIds is missing', { sector: 'health' }],
    ['sector is missing', { nationalIds: [SECRET_ID] }],
    ['there is an unknown field', { sector: 'health', nationalIds: [SECRET_ID], nationalId: SECRET_ID }],
    ['the body is an array', [SECRET_ID]],
  ])('when %s on /v1/tokens/batch, then 400 invalid_request', async (_name, body) => {
    expectError(await post('/v1/tokens/batch', body), 400, 'invalid_request');
  });

  it.each<[string, string]>([
    ['a JSON string', JSON.stringify(SECRET_ID)],
    ['a JSON number', '42'],
    ['JSON null', 'null'],
    ['JSON true', 'true'],
  ])('when the body is %s (not an object), then 400 invalid_request', async (_name, body) => {
    expectError(await postJson('/v1/tokens', body), 400, 'invalid_request');
  });

  it.each<[string, string]>([
    ['truncated', `{"sector":"health","nationalId":"${SECRET_ID}"`],
    ['single-quoted', `{'sector':'health','nationalId':'${SECRET_ID}'}`],
    ['unquoted value', `{"sector":"health","nationalId":${SECRET_ID}}`],
    ['trailing comma', `{"sector":"health","nationalId":"${SECRET_ID}",}`],
    ['trailing garbage', `{"sector":"health","nationalId":"${SECRET_ID}"} ${SECRET_ID}`],
    ['two documents', `{"sector":"health"}{"nationalId":"${SECRET_ID}"}`],
    ['not JSON at all', `nationalId=${SECRET_ID}`],
  ])('when the JSON is malformed (%s), then 400 invalid_request without echo', async (_name, body) => {
    expectError(await postJson('/v1/tokens', body), 400, 'invalid_request');
    expectError(await postJson('/v1/tokens/batch', body), 400, 'invalid_request');
  });

  it.each<[string, string | undefined]>([
    ['text/plain', 'text/plain'],
    ['application/x-www-form-urlencoded', 'application/x-www-form-urlencoded'],
    ['application/xml', 'application/xml'],
    ['no content type', undefined],
  ])('when the content type is %s, then 400 invalid_request', async (_name, type) => {
    let req = request(service.app).post('/v1/tokens').set('Authorization', HOSPITAL);
    if (type) req = req.set('Content-Type', type);
    const body =
      type === 'application/x-www-form-urlencoded'
        ? `sector=health&nationalId=${SECRET_ID}`
        : JSON.stringify({ sector: 'health', nationalId: SECRET_ID });
    expectError(await req.send(body), 400, 'invalid_request');
  });

  it('when the body is empty (with and without a JSON content type), then 400 invalid_request', async () => {
    expectError(
      await request(service.app)
        .post('/v1/tokens')
        .set('Authorization', HOSPITAL)
        .set('Content-Type', 'application/json'),
      400,
      'invalid_request',
    );
    expectError(await request(service.app).post('/v1/tokens').set('Authorization', HOSPITAL), 400, 'invalid_request');
    expectError(
      await request(service.app)
        .post('/v1/tokens/batch')
        .set('Authorization', HOSPITAL)
        .set('Content-Type', 'application/json'),
      400,
      'invalid_request',
    );
  });

  it('when the charset is not UTF-8, then 400 invalid_request', async () => {
    const res = await request(service.app)
      .post('/v1/tokens')
      .set('Authorization', HOSPITAL)
      .set('Content-Type', 'application/json; charset=latin2')
      .send(JSON.stringify({ sector: 'health', nationalId: SECRET_ID }));
    expectError(res, 400, 'invalid_request');
  });
});

describe('invalid_national_id (400)', () => {
  it.each([
    ['seven digits', 'QX4829130'],
    ['three letters', 'QXZ482913'],
    ['digits only', '482913'],
    ['letters only', 'QXABCDEF'],
    ['an inner space', 'QX 482913'],
    ['a dash', 'QX-482913'],
    ['empty', ''],
    ['65 characters', SECRET_ID + '0'.repeat(57)],
  ])('when the national ID has %s, then 400 invalid_national_id without echo', async (_name, nationalId) => {
    expectError(
      await post('/v1/tokens', { sector: 'health', nationalId }),
      400,
      'invalid_national_id',
      [SECRET_ID, nationalId].filter((s) => s.length > 0),
    );
  });
});

describe('unknown_sector (404)', () => {
  it.each([
    ['/v1/tokens', { sector: 'education', nationalId: SECRET_ID }],
    ['/v1/tokens/batch', { sector: 'education', nationalIds: [SECRET_ID] }],
  ])('when %s names a sector that is not configured, then 404 unknown_sector', async (path, body) => {
    expectError(await post(path, body), 404, 'unknown_sector');
  });
});

describe('unauthenticated (401)', () => {
  const CASES: [string, string | null][] = [
    ['no Authorization header', null],
    ['an unknown key', 'Bearer stk_dev_nobody'],
    ['a random key of the right form', 'Bearer stk_Jx0r3Yw8cTQm5hK1vP2nZ4bL6dF9gS7aE0uI3oW5yXq'],
    ['a key differing in one character', 'Bearer stk_dev_hospital-backenD'],
    ['the Basic scheme', `Basic ${Buffer.from('hospital-backend:stk_dev_hospital-backend').toString('base64')}`],
    ['the right key under another scheme', 'Token stk_dev_hospital-backend'],
    ['the bare key, no scheme', 'stk_dev_hospital-backend'],
    ['Bearer without a key', 'Bearer'],
    ['Bearer and a blank key', 'Bearer  '],
    ['two spaces before the key', 'Bearer  stk_dev_hospital-backend'],
    ['the right key with a non-ASCII character appended', 'Bearer stk_dev_hospital-backend\u00e9'],
    ['a key with a non-ASCII character inside', 'Bearer stk_dev_hospit\u00e4l-backend'],
    ['a key longer than 512 characters', `Bearer ${'k'.repeat(600)}`],
  ];

  it.each(CASES)(
    'when the request has %s, then 401 unauthenticated with WWW-Authenticate: Bearer',
    async (_name, auth) => {
      for (const [path, body] of [
        ['/v1/tokens', { sector: 'health', nationalId: SECRET_ID }],
        ['/v1/tokens/batch', { sector: 'health', nationalIds: [SECRET_ID] }],
      ] as const) {
        const res = await post(path, body, auth);
        expectError(res, 401, 'unauthenticated');
        expect(res.headers['www-authenticate']).toBe('Bearer');
      }
    },
  );

  it('when the request is unauthenticated, then the body is not even parsed (a malformed body still gets 401)', async () => {
    const res = await postJson('/v1/tokens', '{"broken', null);
    expectError(res, 401, 'unauthenticated');
    expect(res.headers['www-authenticate']).toBe('Bearer');
  });

  it('when a successful request is made, then it carries no WWW-Authenticate challenge', async () => {
    const res = await post('/v1/tokens', { sector: 'health', nationalId: 'AB123456' });
    expect(res.status).toBe(200);
    expect(res.headers['www-authenticate']).toBeUndefined();
  });
});

describe('forbidden (403)', () => {
  it.each([
    ['hospital-backend', 'tax'],
    ['hospital-backend', 'telecom'],
    ['tax-backend', 'health'],
    ['bank-backend', 'health'],
    ['welfare-backend', 'finance'],
  ])('when service client %s asks for a token of sector %s, then 403 forbidden', async (client, sector) => {
    expectError(await post('/v1/tokens', { sector, nationalId: SECRET_ID }, bearer(client)), 403, 'forbidden');
    expectError(await post('/v1/tokens/batch', { sector, nationalIds: [SECRET_ID] }, bearer(client)), 403, 'forbidden');
  });

  it.each([
    ['regulator-cndp', 'health'],
    ['regulator-cndp', 'social'],
    ['regulator-health', 'health'],
    ['auditor', 'health'],
    ['auditor', 'telecom'],
  ])('when %s (not a service) calls the token endpoints for %s, then 403 forbidden', async (client, sector) => {
    expectError(await post('/v1/tokens', { sector, nationalId: SECRET_ID }, bearer(client)), 403, 'forbidden');
    expectError(await post('/v1/tokens/batch', { sector, nationalIds: [SECRET_ID] }, bearer(client)), 403, 'forbidden');
  });
});

describe('payload_too_large (413)', () => {
  /** A syntactically valid body of exactly `bytes` bytes. */
  const bodyOfSize = (bytes: number): string => {
    const head = '{"sector":"health","nationalId":"';
    const tail = '"}';
    return head + 'A'.repeat(bytes - head.length - tail.length) + tail;
  };

  it('when the body is exactly limits.maxBodyBytes, then it is read (and refused for its content, not its size)', async () => {
    expect(limits.maxBodyBytes).toBe(256 * 1024);
    const body = bodyOfSize(limits.maxBodyBytes);
    expect(Buffer.byteLength(body)).toBe(limits.maxBodyBytes);
    expectError(await postJson('/v1/tokens', body), 400, 'invalid_request');
  });

  it('when the body is one byte above limits.maxBodyBytes, then 413 payload_too_large', async () => {
    expectError(await postJson('/v1/tokens', bodyOfSize(limits.maxBodyBytes + 1)), 413, 'payload_too_large');
  });

  it('when the body is 10 MB, then 413 payload_too_large on both endpoints', async () => {
    const body = bodyOfSize(10 * 1024 * 1024);
    expectError(await postJson('/v1/tokens', body), 413, 'payload_too_large');
    expectError(await postJson('/v1/tokens/batch', body), 413, 'payload_too_large');
  });

  it('when a batch holds more than limits.maxBatchSize IDs, then 413 payload_too_large', async () => {
    const nationalIds = Array.from({ length: limits.maxBatchSize + 1 }, () => SECRET_ID);
    expectError(await post('/v1/tokens/batch', { sector: 'health', nationalIds }), 413, 'payload_too_large');
  });
});

describe('not_found (404)', () => {
  it.each([
    ['GET', '/nope'],
    ['POST', '/v2/tokens'],
    ['POST', '/v1/nope'],
    ['POST', '/v1/tokenz'],
    ['GET', `/v1/tokens/${SECRET_ID}`],
  ])('when %s %s is not a route, then 404 not_found without echo', async (method, path) => {
    const agent = request(service.app);
    const req =
      method === 'GET'
        ? agent.get(path)
        : method === 'POST'
          ? agent.post(path)
          : method === 'PUT'
            ? agent.put(path)
            : agent.delete(path);
    expectError(await req.set('Authorization', HOSPITAL), 404, 'not_found');
  });

  it.each([
    ['GET', '/v1/tokens', 'POST'],
    ['PUT', '/v1/tokens', 'POST'],
    ['HEAD', '/v1/tokens', 'POST'],
    ['DELETE', '/v1/tokens/batch', 'POST'],
    ['PATCH', '/v1/tokens/upgrade', 'POST'],
    ['GET', '/v1/reverse', 'POST'],
    ['PUT', '/v1/translate', 'POST'],
    ['POST', '/v1/requests', 'GET'],
    ['HEAD', '/v1/requests', 'GET'],
    ['DELETE', `/v1/requests/${'A'.repeat(22)}`, 'GET'],
    ['HEAD', `/v1/reverse/requests/${'A'.repeat(22)}`, 'GET'],
    ['GET', `/v1/requests/${'A'.repeat(22)}/approve`, 'POST'],
    ['POST', '/v1/audit', 'GET'],
    ['HEAD', '/v1/audit/verify', 'GET, POST'],
    ['PUT', '/v1/audit/checkpoint', 'GET'],
    ['POST', '/healthz', 'GET, HEAD'],
    ['DELETE', '/readyz', 'GET, HEAD'],
    ['POST', '/metrics', 'GET'],
    ['POST', '/openapi.json', 'GET, HEAD'],
  ])('when %s %s is not one of its methods, then 405 method_not_allowed with Allow', async (method, path, allow) => {
    const res = await request(service.app)[method.toLowerCase() as 'get'](path).set('Authorization', HOSPITAL);
    expect([res.status, res.headers.allow]).toEqual([405, allow]);
    if (method !== 'HEAD') expectError(res, 405, 'method_not_allowed');
  });

  it('when an unknown route under /v1 is called without a key, then authentication comes first (401)', async () => {
    const res = await request(service.app).get('/v1/nope');
    expectError(res, 401, 'unauthenticated');
  });
});
