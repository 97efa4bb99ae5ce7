/**
 * A batch that could never fit is refused for what it is (SPEC "Bad input and abuse"): more items
 * than the client's smallest identities window is 422 batch_too_large with a message naming the
 * limit, never a 429 that no retry can cure; GET /v1/me publishes each client's batch limit.
 */
import { rmSync } from 'node:fs';
import request from 'supertest';
import { bearer, devConfig, startTestService, type TestService } from '../helpers/service.js';

const ids = (n: number, from = 0): string[] => Array.from({ length: n }, (_, k) => `KM${String(100000 + from + k)}`);

describe('the batch limit of a client', () => {
  let service: TestService;
  const sample = devConfig() as { rateLimits: { defaults: object; clients: Record<string, object> } };
  beforeAll(() => {
    // The sample's limits (identities 200/s and 200,000/day), and one backend held to 50 a minute.
    service = startTestService({
      config: {
        ...sample,
        rateLimits: {
          ...sample.rateLimits,
          clients: { ...sample.rateLimits.clients, 'bank-backend': { identities: [{ points: 50, perSeconds: 60 }] } },
        },
      },
    });
  });
  afterAll(async () => {
    await service.close();
    rmSync(service.dir, { recursive: true, force: true });
  });
  const post = (client: string, path: string, body: object) =>
    request(service.app).post(path).set('Authorization', bearer(client)).send(body);
  const me = (client: string) => request(service.app).get('/v1/me').set('Authorization', bearer(client));

  it('when a backend asks GET /v1/me, then it is told its batch limit: the smallest identities window, under limits.maxBatchSize', async () => {
    expect((await me('hospital-backend')).body.limits).toEqual({
      batchSize: 200,
      identities: [
        { points: 200, perSeconds: 1 },
        { points: 200_000, perSeconds: 86400 },
      ],
    });
    expect((await me('bank-backend')).body.limits).toEqual({
      batchSize: 50,
      identities: [{ points: 50, perSeconds: 60 }],
    });
  });

  it('when a batch holds one more than the limit, then 422 batch_too_large names the limit, nothing is counted, and a batch of the limit passes', async () => {
    const refused = await post('hospital-backend', '/v1/tokens/batch', { sector: 'health', nationalIds: ids(201) });
    expect([refused.status, refused.body.error.code, refused.headers['retry-after']]).toEqual([
      422,
      'batch_too_large',
      undefined,
    ]);
    expect(refused.body.error.message).toMatch(/window of 200 per 1 s: send at most 200 per request/);
    expect(JSON.stringify(refused.body)).not.toContain(ids(1)[0]);
    const passed = await post('hospital-backend', '/v1/tokens/batch', { sector: 'health', nationalIds: ids(200) });
    expect(passed.status).toBe(200);

    const bank = await post('bank-backend', '/v1/tokens/batch', { sector: 'finance', nationalIds: ids(51) });
    expect([bank.status, bank.body.error.code]).toEqual([422, 'batch_too_large']);
    expect(bank.body.error.message).toMatch(/send at most 50 per request/);
    expect((await post('bank-backend', '/v1/tokens/batch', { sector: 'finance', nationalIds: ids(50) })).status).toBe(
      200,
    );
  });

  it('when an upgrade holds more tokens than the limit, then 422 batch_too_large too', async () => {
    const refused = await post('bank-backend', '/v1/tokens/upgrade', {
      sector: 'finance',
      tokens: Array<string>(51).fill('0000000000'),
    });
    expect([refused.status, refused.body.error?.code]).toEqual([422, 'batch_too_large']);
  });

  it('when a batch is over limits.maxBatchSize, then it is still 413 payload_too_large (the body bound)', async () => {
    const res = await post('hospital-backend', '/v1/tokens/batch', { sector: 'health', nationalIds: ids(1001) });
    expect([res.status, res.body.error.code]).toEqual([413, 'payload_too_large']);
  });
});
