/**
 * GET /metrics is for the operator (SPEC "Operations", issue 9 item 17): anyone else is refused,
 * and what the operator reads never tells whether a person was looked up before (no cache hit or
 * miss counters: a repeated lookup moves the served counters exactly as a new person does).
 */
import { createHash } from 'node:crypto';
import { rmSync } from 'node:fs';
import request from 'supertest';
import { bearer, devConfig, startTestService, type TestService } from '../helpers/service.js';

let service: TestService;
beforeAll(() => {
  // The LRU on (off by default): a repeated lookup must not show in what is served even when it hits.
  const sample = devConfig() as { cache: object };
  service = startTestService({
    config: { ...sample, rateLimits: { defaults: {}, clients: {} }, cache: { ...sample.cache, lruEntries: 1000 } },
  });
});
afterAll(async () => {
  await service.close();
  rmSync(service.dir, { recursive: true, force: true });
});

const metrics = (authorization?: string) => {
  const req = request(service.app).get('/metrics');
  return authorization === undefined ? req : req.set('Authorization', authorization);
};
const tokenize = (nationalId: string) =>
  request(service.app)
    .post('/v1/tokens')
    .set('Authorization', bearer('welfare-backend'))
    .send({ sector: 'social', nationalId });

/** The served counters and gauges that requests move, by series; process metrics and latencies vary by themselves. */
function series(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (
      line.startsWith('#') ||
      /^sectoken_(process|nodejs)_/.test(line) ||
      line.startsWith('sectoken_http_request_duration_seconds')
    )
      continue;
    const m = /^(\S+) (\S+)$/.exec(line);
    if (m) out.set(m[1]!, Number(m[2]));
  }
  return out;
}
function delta(before: Map<string, number>, after: Map<string, number>): Record<string, number> {
  const moved: Record<string, number> = {};
  for (const [name, value] of after)
    if (value !== (before.get(name) ?? 0)) moved[name] = value - (before.get(name) ?? 0);
  return moved;
}

describe('GET /metrics', () => {
  it('when called without an API key or with an unknown one, then 401 with WWW-Authenticate, and no metric in the body', async () => {
    for (const authorization of [undefined, 'Bearer stk_dev_nobody', 'Basic b3BlcmF0b3I6eA==']) {
      const res = await metrics(authorization);
      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toBe('Bearer');
      expect(res.body.error.code).toBe('unauthenticated');
      expect(res.text).not.toContain('sectoken_');
    }
  });

  it('when a service, regulator or auditor client asks, then 403 forbidden', async () => {
    for (const client of ['hospital-backend', 'regulator-cndp', 'auditor']) {
      const res = await metrics(bearer(client));
      expect([client, res.status, res.body.error?.code]).toEqual([client, 403, 'forbidden']);
      expect(res.text).not.toContain('sectoken_');
    }
  });

  it('when the operator asks, then the Prometheus text, without the cache hit or miss counters', async () => {
    expect((await tokenize('AB123456')).status).toBe(200);
    const res = await metrics(bearer('operator'));
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    expect(res.text).toMatch(/^sectoken_tokens_issued_total\{sector="social",policy="one-way"\} \d+$/m);
    expect(res.text).toContain('sectoken_http_requests_total');
    expect(res.text).toContain('sectoken_cache_rejected_total');
    expect(res.text).not.toMatch(/sectoken_cache_(hits|misses)_total/);
    expect(res.text).not.toContain('AB123456');
  });

  it('when a person is looked up again, then the served metrics move exactly as for a person never seen', async () => {
    const read = async () => series((await metrics(bearer('operator'))).text);
    const first = await read();
    expect((await tokenize('CD654321')).status).toBe(200); // new
    const afterNew = await read();
    expect((await tokenize('CD654321')).status).toBe(200); // again: an LRU hit inside
    const afterRepeat = await read();
    expect((await tokenize('EF111111')).status).toBe(200); // new
    const afterOther = await read();
    const repeat = delta(afterNew, afterRepeat);
    expect(repeat).toEqual(delta(afterRepeat, afterOther));
    expect(repeat).toEqual(delta(first, afterNew));
    // The LRU did answer the repeat: the counters exist, in process only.
    const hits = await service.metrics.internal.getSingleMetric('sectoken_cache_hits_total')!.get();
    expect(hits.values.find((v) => v.labels.tier === 'lru')?.value).toBeGreaterThanOrEqual(1);
  });

  it('is documented in the OpenAPI description as bearer-protected, and the sample has an operator client with a published dev key', async () => {
    const doc = (await request(service.app).get('/openapi.json')).body as {
      paths: Record<string, { get?: { security?: unknown; responses: Record<string, unknown> } }>;
    };
    const op = doc.paths['/metrics']?.get;
    expect(op?.security).toEqual([{ bearer: [] }]);
    expect(Object.keys(op!.responses)).toEqual(expect.arrayContaining(['200', '401', '403']));
    const clients = (
      devConfig() as { clients: { id: string; role: string; sectors: string[]; apiKeySha256: string }[] }
    ).clients;
    const operator = clients.find((c) => c.id === 'operator');
    expect(operator).toMatchObject({
      role: 'operator',
      sectors: [],
      apiKeySha256: createHash('sha256').update('stk_dev_operator').digest('hex'),
    });
  });
});
