/**
 * Answers that used to mislead, through HTTP against the real service: a one-way token's reverse is
 * not_reversible whatever the legal basis; a 403 of the wrong role says which role it takes; an
 * unknown field is named when it is a near miss of a real one; a request's state has one name;
 * audit ranges take plain UTC days; `GET /` points somewhere; sectoken_redis_up only with Redis.
 */
import request from 'supertest';
import { bearer, startTestService, type TestService } from '../helpers/service.js';

let service: TestService;
beforeAll(() => {
  service = startTestService();
});
afterAll(() => service.close());

const tokenOf = async (client: string, sector: string, nationalId: string): Promise<string> => {
  const res = await request(service.app)
    .post('/v1/tokens')
    .set('Authorization', bearer(client))
    .send({ sector, nationalId });
  expect(res.status).toBe(200);
  return res.body.token as string;
};
const act = { caseId: 'CASE-ANSWERS', purpose: 'answers test' };

describe('a one-way token', () => {
  it.each([
    ['a basis that does not cover it', 'CNDP-D-97-2020'],
    ['a basis of other acts', 'CSS-FRAUD-2026'],
  ])('when its reverse names %s, then 422 not_reversible, not 403', async (_what, legalBasis) => {
    const token = await tokenOf('welfare-backend', 'social', 'AB123456');
    const res = await request(service.app)
      .post('/v1/reverse')
      .set('Authorization', bearer('regulator-cndp'))
      .send({ sector: 'social', token, legalBasis, ...act });
    expect([res.status, res.body.error.code]).toEqual([422, 'not_reversible']);
  });

  it('when translated from, then 422 not_reversible; a malformed one stays invalid_token; out of scope, no basis or an unknown basis stay 403/400', async () => {
    const token = await tokenOf('welfare-backend', 'social', 'AB123456');
    const translate = await request(service.app)
      .post('/v1/translate')
      .set('Authorization', bearer('regulator-cndp'))
      .send({ fromSector: 'social', token, toSector: 'tax', legalBasis: 'CSS-FRAUD-2026', ...act });
    expect([translate.status, translate.body.error.code]).toEqual([422, 'not_reversible']);
    const malformed = await request(service.app)
      .post('/v1/reverse')
      .set('Authorization', bearer('regulator-cndp'))
      .send({ sector: 'social', token: '0000', legalBasis: 'CNDP-D-97-2020', ...act });
    expect([malformed.status, malformed.body.error.code]).toEqual([400, 'invalid_token']);
    const outOfScope = await request(service.app)
      .post('/v1/reverse')
      .set('Authorization', bearer('regulator-health'))
      .send({ sector: 'social', token, legalBasis: 'CNDP-D-97-2020', ...act });
    expect([outOfScope.status, outOfScope.body.error.code]).toEqual([403, 'forbidden']);
    // The spec's refusals of the basis itself stay first: none named, or an unknown one.
    const send = (extra: object) =>
      request(service.app)
        .post('/v1/reverse')
        .set('Authorization', bearer('regulator-cndp'))
        .send({ sector: 'social', token, ...extra, ...act });
    const none = await send({});
    expect([none.status, none.body.error.code]).toEqual([400, 'legal_basis_required']);
    const unknown = await send({ legalBasis: 'NO-SUCH-BASIS' });
    expect([unknown.status, unknown.body.error.code]).toEqual([403, 'forbidden']);
  });
});

describe('403 of a wrong role', () => {
  it.each([
    ['/metrics', 'hospital-backend', 'a client of role service may not do that: it takes the role operator'],
    ['/v1/audit', 'regulator-cndp', 'a client of role regulator may not do that: it takes the role auditor'],
  ])('when %s is read by %s, then the message names the role it takes, not a sector', async (path, client, message) => {
    const res = await request(service.app).get(path).set('Authorization', bearer(client));
    expect([res.status, res.body.error]).toEqual([403, { code: 'forbidden', message }]);
  });
});

describe('an unknown body field', () => {
  it('when it is a near miss of a field, then it is named with the field meant, and the fields are listed', async () => {
    const res = await request(service.app)
      .post('/v1/tokens')
      .set('Authorization', bearer('hospital-backend'))
      .send({ sector: 'health', nationalID: 'AB123456' });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toContain('body: unknown field "nationalID" (did you mean "nationalId"?)');
    expect(res.body.error.message).toContain('it takes sector, nationalId');
    expect(res.text).not.toContain('AB123456');
  });

  it('when it is anything else, then it is not echoed (it could be an identifier), and the fields are listed', async () => {
    const res = await request(service.app)
      .post('/v1/tokens')
      .set('Authorization', bearer('hospital-backend'))
      .send({ sector: 'health', nationalId: 'AB123456', CD654321: true });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toBe('body: unknown field; it takes sector, nationalId');
  });
});

describe('a dual-control request', () => {
  it('when read pending and read released, then both answers say `state`', async () => {
    const token = await tokenOf('hospital-backend', 'health', 'QW123456');
    const asked = await request(service.app)
      .post('/v1/reverse')
      .set('Authorization', bearer('regulator-cndp'))
      .send({ sector: 'health', token, legalBasis: 'CNDP-D-97-2020', ...act });
    expect(asked.status).toBe(202);
    const id = asked.body.requestId as string;
    const pending = await request(service.app).get(`/v1/requests/${id}`).set('Authorization', bearer('regulator-cndp'));
    expect(pending.body.state).toBe('pending');
    const approved = await request(service.app)
      .post(`/v1/requests/${id}/approve`)
      .set('Authorization', bearer('regulator-health'));
    expect(approved.status).toBe(200);
    const released = await request(service.app)
      .get(`/v1/requests/${id}`)
      .set('Authorization', bearer('regulator-cndp'));
    expect(released.body).toMatchObject({ state: 'released', status: 'released', nationalId: 'QW123456' });
    const again = await request(service.app).get(`/v1/requests/${id}`).set('Authorization', bearer('regulator-cndp'));
    expect(again.body.state).toBe('released');
  });
});

describe('audit ranges by UTC day', () => {
  const day = (offset: number): string => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);

  it('when from and to are plain dates, then from is the start of its day and to the end of its own', async () => {
    // An audited act today (UTC), so that today has records.
    await tokenOf('tax-backend', 'tax', 'ZZ1');
    await request(service.app)
      .post('/v1/reverse')
      .set('Authorization', bearer('regulator-cndp'))
      .send({
        sector: 'tax',
        token: await tokenOf('tax-backend', 'tax', 'ZZ1'),
        legalBasis: 'LOI-09-08-ART-4',
        ...act,
      });
    const audit = (query: string) =>
      request(service.app).get(`/v1/audit?${query}`).set('Authorization', bearer('auditor'));
    const today = await audit(`from=${day(0)}&to=${day(0)}`);
    expect(today.status).toBe(200);
    expect(today.body.records.length).toBeGreaterThan(0);
    const yesterday = await audit(`from=${day(-1)}&to=${day(-1)}`);
    expect([yesterday.status, yesterday.body.records]).toEqual([200, []]);
    const stats = await request(service.app)
      .get(`/v1/audit/stats?from=${day(0)}&to=${day(0)}`)
      .set('Authorization', bearer('auditor'));
    expect(stats.status).toBe(200);
    expect(stats.body.days).toEqual([day(0)]);
    expect((await audit('from=2026-13-45')).status).toBe(400);
  });
});

describe('GET /', () => {
  it('answers where to go: the console and the API description', async () => {
    const res = await request(service.app).get('/');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      service: 'sectoken',
      console: '/console/',
      openApi: '/openapi.json',
      health: '/healthz',
      ready: '/readyz',
    });
    expect((await request(service.app).head('/')).status).toBe(200);
  });
});

it('without Redis, /metrics has no sectoken_redis_up (the README says: only with Redis configured)', async () => {
  const res = await request(service.app).get('/metrics').set('Authorization', bearer('operator'));
  expect(res.status).toBe(200);
  expect(res.text).toContain('sectoken_redis_errors_total');
  expect(res.text).not.toContain('sectoken_redis_up');
});
