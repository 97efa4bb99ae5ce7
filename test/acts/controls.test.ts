/**
 * The controls around re-identification, on the edge configuration (test/fixtures/edgeConfig.ts),
 * through HTTP: dual control for translations, people rather than keys, informed approval, only GET
 * collects, no free text from non-regulators in the audit, canonical tokens in every record.
 */
import request from 'supertest';
import type { AuditRecord } from '../../src/audit/chain/record.js';
import { edgeConfig, SERVICE_OF, type EdgeSector } from '../fixtures/edgeConfig.js';
import { bearer, startTestService, type TestService } from '../helpers/service.js';
import { act, auditRecords, lastRecord } from './helpers.js';

const service: TestService = startTestService({ config: edgeConfig() });
const post = (client: string, path: string, body: object = {}) =>
  request(service.app).post(path).set('Authorization', bearer(client)).send(body);
const get = (client: string, path: string) => request(service.app).get(path).set('Authorization', bearer(client));

async function tokenOf(sector: EdgeSector, nationalId: string): Promise<string> {
  const res = await post(SERVICE_OF[sector], '/v1/tokens', { sector, nationalId });
  expect(res.status).toBe(200);
  return res.body.token as string;
}

async function askTranslate(
  client: string,
  fromSector: EdgeSector,
  toSector: EdgeSector,
  legalBasis: string,
  nationalId: string,
): Promise<string> {
  const res = await post(client, '/v1/translate', {
    fromSector,
    token: await tokenOf(fromSector, nationalId),
    toSector,
    legalBasis,
    ...act,
  });
  expect([res.status, res.body.status]).toEqual([202, 'pending']);
  expect(JSON.stringify(res.body)).not.toMatch(new RegExp(nationalId));
  return res.body.requestId as string;
}

async function askReverse(client: string, sector: EdgeSector, legalBasis: string, nationalId: string): Promise<string> {
  const res = await post(client, '/v1/reverse', {
    sector,
    token: await tokenOf(sector, nationalId),
    legalBasis,
    ...act,
  });
  expect([res.status, res.body.status]).toEqual([202, 'pending']);
  return res.body.requestId as string;
}

const recordsOf = (requestId: string): AuditRecord[] => auditRecords(service).filter((r) => r.requestId === requestId);

describe('translate under dual control', () => {
  it.each([
    ['the basis demands it', 'ledger', 'revenue', 'BASIS-DUAL'],
    ['the target sector demands it', 'revenue', 'clinic', 'BASIS-CLINIC'],
    ['the source sector demands it', 'clinic', 'benefits', 'BASIS-CLINIC'],
  ] as const)(
    'when %s, then the translation waits for a second person and its token is collected once',
    async (_why, from, to, basis) => {
      const requestId = await askTranslate('reg-a1', from, to, basis, 'TR77');
      expect(lastRecord(service)).toMatchObject({
        act: 'translate-request',
        client: 'reg-a1',
        person: 'Alice Amrani',
        organisation: 'Authority A',
        sector: from,
        toSector: to,
        outcome: 'pending',
        requestId,
      });

      const early = await get('reg-a1', `/v1/requests/${requestId}`);
      expect([early.status, early.body.state, early.body.token]).toEqual([200, 'pending', undefined]);

      const approved = await post('reg-b', `/v1/requests/${requestId}/approve`);
      expect([approved.status, approved.body.status]).toEqual([200, 'approved']);
      expect(lastRecord(service)).toMatchObject({
        act: 'approve',
        client: 'reg-b',
        person: 'Badr Chraibi',
        organisation: 'Authority B',
        toSector: to,
        outcome: 'ok',
      });

      const released = await get('reg-a1', `/v1/requests/${requestId}`);
      expect(released.status).toBe(200);
      expect(released.body).toEqual({
        requestId,
        state: 'released',
        status: 'released',
        fromSector: from,
        toSector: to,
        token: await tokenOf(to, 'TR77'),
        keyVersion: 1,
        schemeVersion: 1,
        auditId: expect.any(String),
      });
      expect(lastRecord(service)).toMatchObject({
        act: 'release',
        client: 'reg-a1',
        toSector: to,
        outcome: 'ok',
        id: released.body.auditId,
      });
      // The log is no linkage table: the target token is in no record.
      expect(JSON.stringify(auditRecords(service))).not.toContain(released.body.token);

      const again = await get('reg-a1', `/v1/requests/${requestId}`);
      expect([again.status, again.body.state, again.body.token]).toEqual([200, 'released', undefined]);
      const alias = await get('reg-a1', `/v1/reverse/requests/${requestId}`);
      expect([alias.status, alias.body.error?.code]).toEqual([409, 'request_closed']);
      expect(recordsOf(requestId).map((r) => `${r.act}:${r.outcome}`)).toEqual([
        'translate-request:pending',
        'approve:ok',
        'release:ok',
        'release:request_closed',
      ]);
    },
  );

  it('when the pair is not under dual control, then the token is answered at once', async () => {
    const res = await post('reg-a1', '/v1/translate', {
      fromSector: 'revenue',
      token: await tokenOf('revenue', 'TR78'),
      toSector: 'ledger',
      legalBasis: 'BASIS-PLAIN',
      ...act,
    });
    expect([res.status, res.body.token]).toEqual([200, await tokenOf('ledger', 'TR78')]);
  });

  it('when a translation is denied, then its requester never gets the token, and the approver must be in scope of both sectors', async () => {
    const requestId = await askTranslate('reg-a1', 'revenue', 'clinic', 'BASIS-CLINIC', 'TR79');
    // reg-narrow has revenue but not clinic.
    const narrow = await post('reg-narrow', `/v1/requests/${requestId}/approve`);
    expect([narrow.status, narrow.body.error?.code]).toEqual([403, 'forbidden']);
    expect(lastRecord(service)).toMatchObject({
      act: 'approve',
      client: 'reg-narrow',
      outcome: 'forbidden',
      requestId,
    });
    expect((await post('reg-b', `/v1/requests/${requestId}/deny`)).body.status).toBe('denied');
    const view = await get('reg-a1', `/v1/requests/${requestId}`);
    expect([view.body.state, view.body.token, view.body.decidedBy]).toEqual([
      'denied',
      undefined,
      { client: 'reg-b', person: 'Badr Chraibi', organisation: 'Authority B' },
    ]);
  });
});

describe('dual control binds people, not keys', () => {
  it('when the same person approves with another key, then it is refused and recorded with the person', async () => {
    const requestId = await askReverse('reg-a1', 'permits', 'BASIS-DUAL', 'P100');
    const self = await post('reg-a1-laptop', `/v1/requests/${requestId}/approve`);
    expect([self.status, self.body.error?.code]).toEqual([403, 'forbidden']);
    expect(lastRecord(service)).toMatchObject({
      act: 'approve',
      client: 'reg-a1-laptop',
      person: 'Alice Amrani',
      outcome: 'forbidden',
    });
    // Another person of the same organisation may, where the basis does not ask for another organisation.
    expect((await post('reg-a2', `/v1/requests/${requestId}/approve`)).status).toBe(200);
  });

  it('when the basis demands an approver from another organisation, then a colleague is refused and another authority may approve', async () => {
    const requestId = await askReverse('reg-a1', 'permits', 'BASIS-CROSS-ORG', 'P101');
    const colleague = await post('reg-a2', `/v1/requests/${requestId}/approve`);
    expect([colleague.status, colleague.body.error?.code]).toEqual([403, 'forbidden']);
    expect(colleague.body.error.message).toMatch(/another organisation/);
    expect((await get('reg-a2', `/v1/requests/${requestId}`)).body.canDecide).toBe(false);
    expect((await get('reg-b', `/v1/requests/${requestId}`)).body.canDecide).toBe(true);
    expect((await post('reg-b', `/v1/requests/${requestId}/approve`)).status).toBe(200);
    const released = await get('reg-a1', `/v1/requests/${requestId}`);
    expect(released.body).toMatchObject({ status: 'released', nationalId: 'P101' });
  });

  it('when the requester collects with another key of the same person, then it is refused: the collecting client is the requesting one', async () => {
    const requestId = await askReverse('reg-a1', 'permits', 'BASIS-DUAL', 'P102');
    expect((await post('reg-b', `/v1/requests/${requestId}/approve`)).status).toBe(200);
    const other = await get('reg-a1-laptop', `/v1/reverse/requests/${requestId}`);
    expect([other.status, other.body.error?.code]).toEqual([403, 'forbidden']);
    expect((await get('reg-a1', `/v1/requests/${requestId}`)).body.nationalId).toBe('P102');
  });
});

describe('informed approval', () => {
  it('when a regulator lists pending requests, then it sees those it could decide or made, with the facts (the token among them) and never an identity', async () => {
    const clinicId = await askReverse('reg-a1', 'clinic', 'BASIS-CLINIC', 'C555');
    const permitsId = await askReverse('reg-a1', 'permits', 'BASIS-DUAL', 'C556');

    const forB = await get('reg-b', '/v1/requests?state=pending');
    expect(forB.status).toBe(200);
    const clinic = (forB.body.requests as Record<string, unknown>[]).find((r) => r.requestId === clinicId);
    expect(clinic).toEqual({
      requestId: clinicId,
      act: 'reverse',
      sector: 'clinic',
      toSector: null,
      // The token the act is about, for the approver to check against the case file (test/acts/requestFacts.test.ts).
      sourceToken: await tokenOf('clinic', 'C555'),
      legalBasis: { id: 'BASIS-CLINIC', title: 'Edge basis BASIS-CLINIC', reference: 'Test law BASIS-CLINIC' },
      caseId: act.caseId,
      purpose: act.purpose,
      requester: { client: 'reg-a1', person: 'Alice Amrani', organisation: 'Authority A' },
      state: 'pending',
      createdAt: expect.any(String),
      expiresAt: expect.any(String),
      decidedBy: null,
      mine: false,
      canDecide: true,
    });
    expect(JSON.stringify(forB.body)).not.toMatch(/C555|C556/);

    // Out of clinic's scope: the clinic request is not listed, nor readable; the permits one is.
    const narrow = await get('reg-narrow', '/v1/requests?state=pending');
    const ids = (narrow.body.requests as { requestId: string }[]).map((r) => r.requestId);
    expect(ids).toContain(permitsId);
    expect(ids).not.toContain(clinicId);
    expect((await get('reg-narrow', `/v1/requests/${clinicId}`)).status).toBe(403);

    // The requester sees its own, marked mine and not decidable by itself.
    const own = (await get('reg-a1', '/v1/requests')).body.requests.find(
      (r: { requestId: string }) => r.requestId === clinicId,
    );
    expect([own.mine, own.canDecide]).toEqual([true, false]);
    // Filters by state; a state that is none is invalid_request.
    expect(
      (await get('reg-b', '/v1/requests?state=released')).body.requests.every(
        (r: { state: string }) => r.state === 'released',
      ),
    ).toBe(true);
    expect((await get('reg-b', '/v1/requests?state=open')).status).toBe(400);
  });
});

describe('only GET collects', () => {
  it('when the requester sends HEAD (or anything but GET) to an approved request, then 405 and the result is still there to collect once', async () => {
    const requestId = await askReverse('reg-a1', 'permits', 'BASIS-DUAL', 'H404');
    expect((await post('reg-b', `/v1/requests/${requestId}/approve`)).status).toBe(200);
    for (const path of [`/v1/requests/${requestId}`, `/v1/reverse/requests/${requestId}`]) {
      const head = await request(service.app).head(path).set('Authorization', bearer('reg-a1'));
      expect([head.status, head.headers.allow]).toEqual([405, 'GET']);
      const del = await request(service.app).delete(path).set('Authorization', bearer('reg-a1'));
      expect([del.status, del.body.error.code]).toEqual([405, 'method_not_allowed']);
    }
    expect(recordsOf(requestId).some((r) => r.act === 'release')).toBe(false);
    const collected = await get('reg-a1', `/v1/requests/${requestId}`);
    expect(collected.body).toMatchObject({ status: 'released', nationalId: 'H404' });
  });
});

describe('what reaches the audit log', () => {
  it('when a legal basis is not an id, then invalid_request and nothing is recorded', async () => {
    const before = auditRecords(service).length;
    const res = await post('reg-a1', '/v1/reverse', {
      sector: 'permits',
      token: await tokenOf('permits', 'Q1'),
      legalBasis: 'Mohamed Alami, born 1980',
      ...act,
    });
    expect([res.status, res.body.error.code]).toEqual([400, 'invalid_request']);
    expect(auditRecords(service).length).toBe(before);
  });

  it('when a service client is refused, then its basis is recorded as unknown and its case and purpose not at all', async () => {
    const res = await post('svc-permits', '/v1/reverse', {
      sector: 'permits',
      token: await tokenOf('permits', 'Q2'),
      legalBasis: 'AB123456',
      caseId: 'Mohamed Alami',
      purpose: 'find Mohamed Alami, AB123456',
    });
    expect([res.status, res.body.error.code]).toEqual([403, 'forbidden']);
    expect(lastRecord(service)).toMatchObject({
      act: 'reverse',
      client: 'svc-permits',
      person: null,
      legalBasis: '(unknown)',
      caseId: null,
      purpose: null,
      outcome: 'forbidden',
    });
    expect(JSON.stringify(lastRecord(service))).not.toMatch(/AB123456|Alami/);
  });

  it('when a regulator names a basis that is not configured, then it is recorded as unknown, with its case and purpose', async () => {
    const res = await post('reg-a1', '/v1/reverse', {
      sector: 'permits',
      token: await tokenOf('permits', 'Q3'),
      legalBasis: 'AB123456',
      ...act,
    });
    expect([res.status, res.body.error.code]).toEqual([403, 'forbidden']);
    expect(lastRecord(service)).toMatchObject({ legalBasis: '(unknown)', caseId: act.caseId, purpose: act.purpose });
  });

  it('when a token is sent in lower case, then every record of its request holds the canonical form', async () => {
    const token = await tokenOf('revenue', 'Q4');
    const res = await post('reg-a1', '/v1/translate', {
      fromSector: 'revenue',
      token: token.toLowerCase(),
      toSector: 'clinic',
      legalBasis: 'BASIS-CLINIC',
      ...act,
    });
    expect(res.status).toBe(202);
    const requestId = res.body.requestId as string;
    expect((await post('reg-b', `/v1/requests/${requestId}/approve`)).status).toBe(200);
    expect((await get('reg-a1', `/v1/requests/${requestId}`)).body.token).toBe(await tokenOf('clinic', 'Q4'));
    const records = recordsOf(requestId);
    expect(records.map((r) => r.act)).toEqual(['translate-request', 'approve', 'release']);
    for (const record of records) expect(record.token).toBe(token);
  });

  it('when a token of the 8-character sector has the shape of a national ID, then translate records it as malformed', async () => {
    const res = await post('reg-a1', '/v1/translate', {
      fromSector: 'revenue',
      token: 'AB123456',
      toSector: 'ledger',
      legalBasis: 'BASIS-PLAIN',
      ...act,
    });
    expect(res.status).toBe(400);
    expect(lastRecord(service)).toMatchObject({ act: 'translate', token: '(malformed)', outcome: 'invalid_token' });
    const reverse = await post('reg-a1', '/v1/reverse', {
      sector: 'revenue',
      token: 'ab123456',
      legalBasis: 'BASIS-PLAIN',
      ...act,
    });
    expect(reverse.status).toBe(400);
    expect(lastRecord(service)).toMatchObject({ act: 'reverse', token: '(malformed)' });
  });
});

describe('expiry', () => {
  it("when a decision comes after the request's time, then 410, the expiry is recorded once, and nothing can be collected", async () => {
    const requestId = await askReverse('reg-a1', 'permits', 'BASIS-DUAL', 'E1');
    const realNow = service.regulators.now;
    service.regulators.now = () => realNow() + 61_000;
    try {
      const late = await post('reg-b', `/v1/requests/${requestId}/approve`);
      expect([late.status, late.body.error.code]).toEqual([410, 'request_expired']);
      const collect = await get('reg-a1', `/v1/reverse/requests/${requestId}`);
      expect([collect.status, collect.body.error.code]).toEqual([410, 'request_expired']);
    } finally {
      service.regulators.now = realNow;
    }
    expect(recordsOf(requestId).map((r) => `${r.act}:${r.outcome}`)).toEqual([
      'reverse-request:pending',
      'expire:expired',
      'approve:request_expired',
      'release:request_expired',
    ]);
  });

  it('when an approved request is not collected in time, then the sweep expires it and it cannot be collected', async () => {
    const requestId = await askReverse('reg-a1', 'permits', 'BASIS-DUAL', 'E2');
    expect((await post('reg-b', `/v1/requests/${requestId}/approve`)).status).toBe(200);
    const realNow = service.regulators.now;
    service.regulators.now = () => realNow() + 61_000;
    try {
      expect(await service.expireRequests()).toBeGreaterThanOrEqual(1);
    } finally {
      service.regulators.now = realNow;
    }
    const collect = await get('reg-a1', `/v1/requests/${requestId}`);
    expect([collect.status, collect.body.state]).toEqual([200, 'expired']);
    expect(recordsOf(requestId).map((r) => `${r.act}:${r.outcome}`)).toEqual([
      'reverse-request:pending',
      'approve:ok',
      'expire:expired',
    ]);
  });
});

describe('refused acts count against a budget of their own', () => {
  const limited = startTestService({
    config: { ...edgeConfig(), rateLimits: { defaults: { refusal: [{ points: 3, perSeconds: 60 }] }, clients: {} } },
  });

  it('when a client is refused more often than its budget allows, then it gets 429 with Retry-After and the log stops growing', async () => {
    const token = (
      await request(limited.app)
        .post('/v1/tokens')
        .set('Authorization', bearer('svc-permits'))
        .send({ sector: 'permits', nationalId: 'R1' })
    ).body.token as string;
    const tryReverse = () =>
      request(limited.app)
        .post('/v1/reverse')
        .set('Authorization', bearer('svc-permits'))
        .send({ sector: 'permits', token, legalBasis: 'BASIS-PLAIN', ...act });
    for (let i = 0; i < 3; i++) expect((await tryReverse()).status).toBe(403);
    const recorded = auditRecords(limited).length;
    for (let i = 0; i < 5; i++) {
      const res = await tryReverse();
      expect([res.status, res.body.error.code]).toEqual([429, 'rate_limited']);
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    }
    expect(auditRecords(limited).length).toBe(recorded);
    // Another client's budget is its own.
    const other = await request(limited.app)
      .post('/v1/reverse')
      .set('Authorization', bearer('reg-a1'))
      .send({ sector: 'permits', token, legalBasis: 'BASIS-PLAIN', ...act });
    expect(other.body.nationalId).toBe('R1');
  });

  it('when acts succeed, then they do not use the refusal budget', async () => {
    const token = (
      await request(limited.app)
        .post('/v1/tokens')
        .set('Authorization', bearer('svc-permits'))
        .send({ sector: 'permits', nationalId: 'R2' })
    ).body.token as string;
    for (let i = 0; i < 6; i++) {
      const res = await request(limited.app)
        .post('/v1/reverse')
        .set('Authorization', bearer('reg-b'))
        .send({ sector: 'permits', token, legalBasis: 'BASIS-PLAIN', ...act });
      expect(res.status).toBe(200);
    }
  });
});
