import request from 'supertest';
import { bearer, startTestService, type TestService } from '../helpers/service.js';
import { act, auditRecords, lastRecord, tokenOf } from './helpers.js';

async function ask(service: TestService, nationalId = 'AB123456'): Promise<string> {
  const token = await tokenOf(service, 'health', nationalId);
  const res = await request(service.app)
    .post('/v1/reverse')
    .set('Authorization', bearer('regulator-cndp'))
    .send({ sector: 'health', token, legalBasis: 'CNDP-D-97-2020', ...act });
  expect(res.status).toBe(202);
  expect(res.body).toEqual({
    requestId: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/),
    status: 'pending',
    expiresAt: expect.any(String),
    auditId: expect.any(String),
  });
  expect(JSON.stringify(res.body)).not.toContain(nationalId);
  expect(lastRecord(service)).toMatchObject({
    act: 'reverse-request',
    requestId: res.body.requestId,
    outcome: 'pending',
  });
  return res.body.requestId as string;
}

const decide = (service: TestService, client: string, id: string, decision: 'approve' | 'deny') =>
  request(service.app).post(`/v1/reverse/requests/${id}/${decision}`).set('Authorization', bearer(client));
const fetchResult = (service: TestService, client: string, id: string) =>
  request(service.app).get(`/v1/reverse/requests/${id}`).set('Authorization', bearer(client));

describe('dual control', () => {
  const service = startTestService();

  it('when a second regulator approves, then the requester fetches the national ID once', async () => {
    const id = await ask(service);
    const pending = await fetchResult(service, 'regulator-cndp', id);
    expect(pending.status).toBe(202);
    expect(pending.body).toMatchObject({ requestId: id, status: 'pending' });

    const approved = await decide(service, 'regulator-health', id, 'approve');
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({ requestId: id, status: 'approved' });
    expect(lastRecord(service)).toMatchObject({
      act: 'approve',
      client: 'regulator-health',
      requestId: id,
      outcome: 'ok',
    });

    const result = await fetchResult(service, 'regulator-cndp', id);
    expect(result.status).toBe(200);
    expect(result.body).toMatchObject({ requestId: id, status: 'released', nationalId: 'AB123456' });
    expect(lastRecord(service)).toMatchObject({
      act: 'release',
      client: 'regulator-cndp',
      requestId: id,
      outcome: 'ok',
      id: result.body.auditId,
    });

    const again = await fetchResult(service, 'regulator-cndp', id);
    expect([again.status, again.body.error.code]).toEqual([409, 'request_closed']);
    expect(lastRecord(service)).toMatchObject({ act: 'release', outcome: 'request_closed' });
    expect(JSON.stringify(auditRecords(service))).not.toContain('AB123456');
  });

  it("refuses self-approval, a second decision, a stranger's fetch, and a fetch of a denied request, each audited", async () => {
    const id = await ask(service, 'KZ700913'); // long enough that no random request id contains it by chance
    const self = await decide(service, 'regulator-cndp', id, 'approve');
    expect([self.status, self.body.error.code]).toEqual([403, 'forbidden']);
    expect(lastRecord(service)).toMatchObject({ act: 'approve', client: 'regulator-cndp', outcome: 'forbidden' });

    const stranger = await fetchResult(service, 'regulator-health', id);
    expect([stranger.status, stranger.body.error.code]).toEqual([403, 'forbidden']);
    expect(lastRecord(service)).toMatchObject({ act: 'release', client: 'regulator-health', outcome: 'forbidden' });

    const service_ = await decide(service, 'hospital-backend', id, 'approve');
    expect(service_.status).toBe(403);

    expect((await decide(service, 'regulator-health', id, 'deny')).body).toMatchObject({ status: 'denied' });
    const second = await decide(service, 'regulator-health', id, 'approve');
    expect([second.status, second.body.error.code]).toEqual([409, 'request_closed']);
    const denied = await fetchResult(service, 'regulator-cndp', id);
    expect([denied.status, denied.body.error.code]).toEqual([409, 'request_closed']);
    expect(JSON.stringify(denied.body)).not.toContain('KZ700913');
  });

  it('refuses a second approval after an approval', async () => {
    const id = await ask(service, 'M12');
    expect((await decide(service, 'regulator-health', id, 'approve')).status).toBe(200);
    const twice = await decide(service, 'regulator-health', id, 'approve');
    expect([twice.status, twice.body.error.code]).toEqual([409, 'request_closed']);
  });

  it('when the request expires, then deciding and fetching answer request_expired, and the expiry is audited', async () => {
    const id = await ask(service, 'Z1');
    const approvedLater = await ask(service, 'Z2');
    expect((await decide(service, 'regulator-health', approvedLater, 'approve')).status).toBe(200);
    const realNow = service.regulators.now;
    service.regulators.now = () => realNow() + 3600_000;
    try {
      expect(await service.expireRequests()).toBeGreaterThanOrEqual(1);
      expect(
        auditRecords(service).some((r) => r.act === 'expire' && r.requestId === id && r.outcome === 'expired'),
      ).toBe(true);
      const late = await decide(service, 'regulator-health', id, 'approve');
      expect([late.status, late.body.error.code]).toEqual([410, 'request_expired']);
      const lateFetch = await fetchResult(service, 'regulator-cndp', approvedLater);
      expect([lateFetch.status, lateFetch.body.error.code]).toEqual([410, 'request_expired']);
    } finally {
      service.regulators.now = realNow;
    }
  });

  it('when a translation in the sample configuration is under dual control (tax → finance, CNDP-D-97-2020), then a second CNDP person can decide it', async () => {
    const token = await tokenOf(service, 'tax', 'TF77');
    const asked = await request(service.app)
      .post('/v1/translate')
      .set('Authorization', bearer('regulator-cndp'))
      .send({ fromSector: 'tax', token, toSector: 'finance', legalBasis: 'CNDP-D-97-2020', ...act });
    expect(asked.status).toBe(202);
    const id = asked.body.requestId as string;
    // The health inspectorate is out of tax's scope; the other CNDP investigator is not.
    const pending = await request(service.app)
      .get('/v1/requests?state=pending')
      .set('Authorization', bearer('regulator-cndp-b'));
    expect(pending.body.requests.find((r: { requestId: string }) => r.requestId === id)).toMatchObject({
      canDecide: true,
      requester: { person: 'Amina Benali (investigator)' },
    });
    expect((await decide(service, 'regulator-health', id, 'approve')).status).toBe(403);
    expect((await decide(service, 'regulator-cndp-b', id, 'approve')).status).toBe(200);
    const released = await request(service.app)
      .get(`/v1/requests/${id}`)
      .set('Authorization', bearer('regulator-cndp'));
    expect(released.body).toMatchObject({
      status: 'released',
      fromSector: 'tax',
      toSector: 'finance',
      token: await tokenOf(service, 'finance', 'TF77'),
    });
  });

  it('refuses malformed and unknown request ids', async () => {
    for (const id of ['..%2F..%2Fetc', 'short', 'A'.repeat(23)]) {
      const res = await fetchResult(service, 'regulator-cndp', id);
      expect([res.status, res.body.error.code]).toEqual([400, 'invalid_request']);
    }
    const unknown = await fetchResult(service, 'regulator-cndp', 'A'.repeat(22));
    expect([unknown.status, unknown.body.error.code]).toEqual([404, 'not_found']);
  });
});
