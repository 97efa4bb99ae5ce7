/**
 * What an approver sees of a dual-control request (src/acts/requests/readRequests.ts): the token, in
 * canonical form, for whoever may decide it and for its requester, so that it can be checked
 * against the case file; null for a regulator in scope who may not decide it; the national ID
 * never. And the list of the requests a regulator decided (GET /v1/requests?decidedBy=me).
 */
import request from 'supertest';
import { bearer, devConfig, startTestService } from '../helpers/service.js';
import { act, tokenOf } from './helpers.js';

/** The sample, plus a dual-control basis whose approver must come from another organisation. */
const config = (() => {
  const base = devConfig() as { legalBases: object[] };
  return {
    ...base,
    rateLimits: { defaults: {}, clients: {} },
    legalBases: [
      ...base.legalBases,
      {
        id: 'OTHER-ORG-2026',
        title: 'Another organisation approves',
        reference: 'test',
        acts: ['reverse'],
        sectors: ['health', 'tax'],
        sectorPairs: [],
        dualControl: true,
        approverFromOtherOrganisation: true,
      },
    ],
  };
})();
const service = startTestService({ config });
const NATIONAL_ID = 'QW271828';

const get = (client: string, path: string) => request(service.app).get(path).set('Authorization', bearer(client));
const post = (client: string, path: string, body: object) =>
  request(service.app).post(path).set('Authorization', bearer(client)).send(body);

async function ask(sector: string, token: string, legalBasis: string): Promise<string> {
  const res = await post('regulator-cndp', '/v1/reverse', { sector, token, legalBasis, ...act });
  expect(res.status).toBe(202);
  return res.body.requestId as string;
}

/** The request as `client` sees it in its list (undefined if absent) and on its own page. */
async function seenBy(
  client: string,
  id: string,
  query = '',
): Promise<{ listed: Record<string, unknown> | undefined; bodies: string }> {
  const list = await get(client, `/v1/requests${query}`);
  expect(list.status).toBe(200);
  const listed = (list.body.requests as Record<string, unknown>[]).find((r) => r.requestId === id);
  return { listed, bodies: list.text };
}

describe('the token in the facts an approver reads', () => {
  let healthToken: string;
  let taxToken: string;
  beforeAll(async () => {
    healthToken = await tokenOf(service, 'health', NATIONAL_ID);
    taxToken = await tokenOf(service, 'tax', NATIONAL_ID);
  });
  afterAll(() => service.close());

  it('when another person in scope may decide, then the list and the request show the token in canonical form, and no national ID', async () => {
    const id = await ask('tax', taxToken.toLowerCase(), 'CNDP-D-97-2020');
    const one = await get('regulator-cndp-b', `/v1/requests/${id}`);
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({ requestId: id, sourceToken: taxToken, canDecide: true });
    const { listed, bodies } = await seenBy('regulator-cndp-b', id, '?state=pending');
    expect(listed).toMatchObject({ sourceToken: taxToken, canDecide: true });
    // The requester sees the token it sent, canonical.
    expect((await seenBy('regulator-cndp', id)).listed).toMatchObject({ sourceToken: taxToken, mine: true });
    for (const text of [one.text, bodies]) expect(text).not.toContain(NATIONAL_ID);
    // Out of scope: neither listed nor readable.
    expect((await seenBy('regulator-health', id)).listed).toBeUndefined();
    expect((await get('regulator-health', `/v1/requests/${id}`)).status).toBe(403);
  });

  it('when a regulator in scope may not decide (the basis demands another organisation), then the token is null; the one who may sees it', async () => {
    const id = await ask('health', healthToken, 'OTHER-ORG-2026');
    const sameOrganisation = await get('regulator-cndp-b', `/v1/requests/${id}`);
    expect(sameOrganisation.status).toBe(200);
    expect(sameOrganisation.body).toMatchObject({ sourceToken: null, canDecide: false, caseId: act.caseId });
    expect((await seenBy('regulator-cndp-b', id)).listed).toMatchObject({ sourceToken: null });
    expect(sameOrganisation.text).not.toContain(healthToken);

    const otherOrganisation = await get('regulator-health', `/v1/requests/${id}`);
    expect(otherOrganisation.body).toMatchObject({ sourceToken: healthToken, canDecide: true });
    expect(otherOrganisation.text).not.toContain(NATIONAL_ID);
  });

  it('when a regulator decides, then ?decidedBy=me lists the request (with its token and state), for that regulator only, before and after release, never with the national ID', async () => {
    const approved = await ask('health', healthToken, 'CNDP-D-97-2020');
    const denied = await ask('health', healthToken, 'CNDP-D-97-2020');
    expect((await seenBy('regulator-health', approved, '?decidedBy=me')).listed).toBeUndefined();
    expect((await post('regulator-health', `/v1/requests/${approved}/approve`, {})).status).toBe(200);
    expect((await post('regulator-health', `/v1/requests/${denied}/deny`, {})).status).toBe(200);

    const decided = await get('regulator-health', '/v1/requests?decidedBy=me');
    expect(decided.status).toBe(200);
    const ids = (decided.body.requests as { requestId: string }[]).map((r) => r.requestId);
    expect(ids).toEqual(expect.arrayContaining([approved, denied]));
    expect(
      decided.body.requests.every((r: { decidedBy: { client: string } }) => r.decidedBy.client === 'regulator-health'),
    ).toBe(true);
    expect(decided.body.requests.find((r: { requestId: string }) => r.requestId === approved)).toMatchObject({
      state: 'approved',
      sourceToken: healthToken,
      canDecide: false,
    });
    expect(decided.body.requests.find((r: { requestId: string }) => r.requestId === denied)).toMatchObject({
      state: 'denied',
    });
    // Filters combine.
    expect((await seenBy('regulator-health', denied, '?decidedBy=me&state=approved')).listed).toBeUndefined();
    // Nobody else decided them.
    for (const other of ['regulator-cndp', 'regulator-cndp-b'])
      expect((await seenBy(other, approved, '?decidedBy=me')).listed).toBeUndefined();

    // The requester collects the national ID once; the approver's list still holds the request, without it.
    const released = await get('regulator-cndp', `/v1/requests/${approved}`);
    expect(released.body.nationalId).toBe(NATIONAL_ID);
    const after = await seenBy('regulator-health', approved, '?decidedBy=me');
    expect(after.listed).toMatchObject({ state: 'released', sourceToken: healthToken });
    expect(after.bodies).not.toContain(NATIONAL_ID);
  });

  it('when decidedBy is not "me", then 400 invalid_request', async () => {
    for (const query of ['?decidedBy=regulator-health', '?decidedBy=', '?decidedBy=ME']) {
      const res = await get('regulator-health', `/v1/requests${query}`);
      expect([query, res.status, res.body.error?.code]).toEqual([query, 400, 'invalid_request']);
    }
  });
});
