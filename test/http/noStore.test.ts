/**
 * No cache may keep a /v1 answer (src/http/noStore.ts): every operation of the OpenAPI document,
 * by every kind of caller (none, each role), answers `Cache-Control: no-store`, errors included;
 * so do the answers that carry a national ID (a reverse, a released result), an unknown /v1 path,
 * a wrong method, broken and oversized JSON.
 */
import request from 'supertest';
import { bearer, devConfig, startTestService } from '../helpers/service.js';
import { act, tokenOf } from '../acts/helpers.js';

const service = startTestService();
afterAll(() => service.close());

const CALLERS = [undefined, 'hospital-backend', 'regulator-cndp', 'regulator-health', 'auditor', 'operator'];
const SOME_REQUEST_ID = 'AAAAAAAAAAAAAAAAAAAAAA';
const maxBodyBytes = (devConfig() as { limits: { maxBodyBytes: number } }).limits.maxBodyBytes;

type Method = 'get' | 'post' | 'put' | 'delete' | 'patch';
const send = (method: Method, path: string, caller: string | undefined, body?: string | object) => {
  let req = request(service.app)[method](path);
  if (caller) req = req.set('Authorization', bearer(caller));
  return body === undefined ? req : req.set('Content-Type', 'application/json').send(body);
};

const noStoreMissing = (label: string, res: request.Response): string[] =>
  res.headers['cache-control'] === 'no-store'
    ? []
    : [`${label}: ${res.status} cache-control=${String(res.headers['cache-control'])}`];

describe('Cache-Control: no-store on every /v1 answer', () => {
  it('when every documented /v1 operation is called by each kind of caller, then every answer says no-store', async () => {
    const doc = (await request(service.app).get('/openapi.json')).body as {
      paths: Record<string, Record<string, unknown>>;
    };
    const operations = Object.entries(doc.paths)
      .filter(([path]) => path.startsWith('/v1/'))
      .flatMap(([path, methods]) =>
        Object.keys(methods).map((method) => [method as Method, path.replace('{id}', SOME_REQUEST_ID)] as const),
      );
    expect(operations.length).toBeGreaterThan(15);
    const missing: string[] = [];
    const statuses = new Set<number>();
    for (const [method, path] of operations) {
      for (const caller of CALLERS) {
        const res = await send(method, path, caller, method === 'post' ? {} : undefined);
        statuses.add(res.status);
        missing.push(...noStoreMissing(`${method} ${path} as ${caller ?? 'nobody'}`, res));
      }
    }
    expect(missing).toEqual([]);
    // Successes and refusals alike were among them.
    expect([...statuses]).toEqual(expect.arrayContaining([200, 400, 401, 403, 404]));
  });

  it('when a reverse answers a national ID, and when a released result is collected, then no-store', async () => {
    const tax = await tokenOf(service, 'tax', 'QW271828');
    const done = await send('post', '/v1/reverse', 'regulator-cndp', {
      sector: 'tax',
      token: tax,
      legalBasis: 'LOI-09-08-ART-4',
      ...act,
    });
    expect([done.status, done.body.nationalId]).toEqual([200, 'QW271828']);
    expect(noStoreMissing('reverse 200', done)).toEqual([]);

    const health = await tokenOf(service, 'health', 'QW271828');
    const asked = await send('post', '/v1/reverse', 'regulator-cndp', {
      sector: 'health',
      token: health,
      legalBasis: 'CNDP-D-97-2020',
      ...act,
    });
    expect(asked.status).toBe(202);
    const id = asked.body.requestId as string;
    expect((await send('post', `/v1/requests/${id}/approve`, 'regulator-health', {})).status).toBe(200);
    const released = await send('get', `/v1/requests/${id}`, 'regulator-cndp');
    expect([released.status, released.body.nationalId]).toEqual([200, 'QW271828']);
    expect(noStoreMissing('released', released)).toEqual([]);
  });

  it('when a /v1 path is unknown, the method wrong, the JSON broken or too large, or the path in upper case, then no-store', async () => {
    const answers: [string, request.Response][] = [
      ['unknown path', await send('get', '/v1/nothing-here', 'regulator-cndp')],
      ['unknown path, anonymous', await send('get', '/v1/nothing-here', undefined)],
      ['wrong method', await send('put', '/v1/tokens', 'hospital-backend', {})],
      ['broken JSON', await send('post', '/v1/tokens', 'hospital-backend', '{"sector":')],
      [
        'too large',
        await send(
          'post',
          '/v1/tokens',
          'hospital-backend',
          JSON.stringify({ sector: 'health', nationalId: 'x'.repeat(maxBodyBytes) }),
        ),
      ],
      [
        'upper case',
        await send('post', '/V1/TOKENS', 'hospital-backend', { sector: 'health', nationalId: 'AB123456' }),
      ],
    ];
    expect(answers.map(([label, res]) => [label, res.status])).toEqual([
      ['unknown path', 404],
      ['unknown path, anonymous', 401],
      ['wrong method', 405],
      ['broken JSON', 400],
      ['too large', 413],
      ['upper case', 200],
    ]);
    expect(answers.flatMap(([label, res]) => noStoreMissing(label, res))).toEqual([]);
  });
});
