/**
 * What regulators see of dual-control requests, in process (src/acts/requests/readRequests.ts):
 * the list (whose, in which scope, filtered, newest first), each request's facts (the token for
 * its requester and whoever may decide it, the state at the exact instant of expiry, whether the
 * caller may decide it now), and the requester's collection of a result. The in-process store and
 * a recording audit log (test/acts/inProcess.ts) at T0.
 */
import type { Principal } from '../../src/access/apiKeys.js';
import { collect, listRequests, readRequest, type RequestView } from '../../src/acts/requests/readRequests.js';
import type { ActRequest } from '../../src/dualControl/requestLife.js';
import { memoryRequestStore } from '../../src/dualControl/requestStore.js';
import { healthToken, recordingAudit, regulatorDeps, reverseRequest, T0 } from './inProcess.js';

const regulator = (id: string, person: string, sectors: string[], organisation = `${person}'s office`): Principal => ({
  id,
  role: 'regulator',
  sectors: new Set(sectors),
  person,
  organisation,
});
/** The requester of reverseRequest()'s requests. */
const amina = regulator('reg-a', 'Amina', ['health', 'tax']);
const youssef = regulator('reg-b', 'Youssef', ['health', 'tax']);
/** In scope of health only. */
const karim = regulator('reg-c', 'Karim', ['health']);
/** Another client of the same person as the requester: in scope, yet no second pair of eyes. */
const aminaElsewhere = regulator('reg-a2', 'Amina', ['health', 'tax']);

const pending = (id: string, fields: Partial<ActRequest> = {}): ActRequest => ({
  ...reverseRequest(id, { state: 'pending', expiresAt: T0 + 60_000, decidedBy: null }),
  ...fields,
});
const youssefActor = { client: 'reg-b', person: 'Youssef', organisation: "Youssef's office" };

async function setup(requests: ActRequest[]) {
  const { audit, records } = recordingAudit();
  const store = memoryRequestStore();
  for (const r of requests) await store.create(r);
  return { deps: regulatorDeps(audit, store), records };
}

const ids = (views: RequestView[]): string[] => views.map((v) => v.requestId);

describe('listRequests', () => {
  it("shows a request's facts: the basis by its title and reference, the times in ISO form, and the token to one who may decide it", async () => {
    const { deps } = await setup([pending('r1')]);
    const { requests } = await listRequests(deps, youssef, {});
    expect(requests).toEqual([
      {
        requestId: 'r1',
        act: 'reverse',
        sector: 'health',
        toSector: null,
        sourceToken: healthToken,
        legalBasis: {
          id: 'CNDP-D-97-2020',
          title: 'CNDP deliberation D-97-2020: investigations of the data-protection authority',
          reference: 'CNDP, délibération n° D-97-2020; loi n° 09-08, art. 27 et 28',
        },
        caseId: 'C-1',
        purpose: 'p',
        requester: { client: 'reg-a', person: 'Amina', organisation: "Amina's office" },
        state: 'pending',
        createdAt: new Date(T0 - 120_000).toISOString(),
        expiresAt: new Date(T0 + 60_000).toISOString(),
        decidedBy: null,
        mine: false,
        canDecide: true,
      },
    ]);
  });

  it('shows its requester the token, not a decision; one in scope who may not decide it, neither', async () => {
    const { deps } = await setup([pending('r1')]);
    expect((await listRequests(deps, amina, {})).requests[0]).toMatchObject({
      sourceToken: healthToken,
      mine: true,
      canDecide: false,
    });
    expect((await listRequests(deps, aminaElsewhere, {})).requests[0]).toMatchObject({
      sourceToken: null,
      mine: false,
      canDecide: false,
    });
  });

  it('lists the requests the caller made, whatever their sectors, and those in scope of all their sectors, newest first', async () => {
    const { deps } = await setup([
      pending('old', { createdAt: T0 - 300_000 }),
      pending('tax', { sector: 'tax', createdAt: T0 - 200_000 }),
      pending('translate', { act: 'translate', toSector: 'tax', createdAt: T0 - 100_000 }),
      pending('new', { createdAt: T0 - 50_000 }),
      pending('same', { createdAt: T0 - 50_000 }),
    ]);
    expect(ids((await listRequests(deps, youssef, {})).requests)).toEqual(['new', 'same', 'translate', 'tax', 'old']);
    // Karim is in scope of health only: neither the tax request nor the translation into tax.
    expect(ids((await listRequests(deps, karim, {})).requests)).toEqual(['new', 'same', 'old']);
    // Amina made them all: she sees them all, out of scope or not.
    const aminaHealthOnly = { ...amina, sectors: new Set(['health']) };
    expect(ids((await listRequests(deps, aminaHealthOnly, {})).requests)).toEqual([
      'new',
      'same',
      'translate',
      'tax',
      'old',
    ]);
  });

  it('shows a request expired from the exact instant its time is over, unless it was closed before', async () => {
    const { deps } = await setup([
      pending('at', { expiresAt: T0, createdAt: T0 - 50_000 }),
      pending('before', { expiresAt: T0 + 1, createdAt: T0 - 100_000 }),
      pending('denied', { state: 'denied', expiresAt: T0 - 1, decidedBy: youssefActor, createdAt: T0 - 200_000 }),
    ]);
    const { requests } = await listRequests(deps, youssef, {});
    expect(requests.map((v) => [v.requestId, v.state, v.canDecide])).toEqual([
      ['at', 'expired', false],
      ['before', 'pending', true],
      ['denied', 'denied', false],
    ]);
  });

  it('shows a request being decided as pending, which nobody may decide meanwhile', async () => {
    const { deps } = await setup([pending('r1', { state: 'approving', decidedBy: youssefActor })]);
    expect((await listRequests(deps, youssef, {})).requests[0]).toMatchObject({ state: 'pending', canDecide: false });
  });

  it('filters by public state, and by the caller as decider', async () => {
    const { deps } = await setup([
      pending('open', { createdAt: T0 - 10_000 }),
      pending('gone', { expiresAt: T0 - 1, createdAt: T0 - 20_000 }),
      pending('approved', { state: 'approved', decidedBy: youssefActor, createdAt: T0 - 30_000 }),
      pending('denied', { state: 'denied', decidedBy: { ...youssefActor, client: 'reg-d' }, createdAt: T0 - 40_000 }),
    ]);
    expect(ids((await listRequests(deps, youssef, { state: 'expired' })).requests)).toEqual(['gone']);
    expect(ids((await listRequests(deps, youssef, { state: 'pending' })).requests)).toEqual(['open']);
    expect(ids((await listRequests(deps, youssef, { decidedBy: 'me' })).requests)).toEqual(['approved']);
    expect(ids((await listRequests(deps, youssef, { decidedBy: 'me', state: 'denied' })).requests)).toEqual([]);
    expect(ids((await listRequests(deps, youssef, {})).requests)).toEqual(['open', 'gone', 'approved', 'denied']);
  });

  it('shows a basis no longer configured by its id, without title or reference', async () => {
    const { deps } = await setup([pending('r1', { legalBasis: 'GONE-2020' })]);
    expect((await listRequests(deps, youssef, {})).requests[0]!.legalBasis).toEqual({
      id: 'GONE-2020',
      title: '',
      reference: '',
    });
  });

  it('is for regulators only', async () => {
    const { deps } = await setup([]);
    const backend: Principal = { ...youssef, role: 'service' };
    await expect(listRequests(deps, backend, {})).rejects.toMatchObject({ code: 'forbidden' });
  });
});

describe('readRequest', () => {
  it("shows one in scope the request's facts, and refuses one out of scope", async () => {
    const { deps } = await setup([pending('r1', { sector: 'tax' })]);
    expect(await readRequest(deps, youssef, 'r1')).toMatchObject({
      requestId: 'r1',
      sourceToken: healthToken,
      canDecide: true,
    });
    await expect(readRequest(deps, karim, 'r1')).rejects.toMatchObject({ code: 'forbidden' });
  });

  it('gives its requester the result of an approved request, once, recorded', async () => {
    const { deps, records } = await setup([pending('r1', { state: 'approved', decidedBy: youssefActor })]);
    expect(await readRequest(deps, amina, 'r1')).toMatchObject({
      requestId: 'r1',
      state: 'released',
      nationalId: 'AB123456',
    });
    expect(records.map((r) => [r.act, r.outcome])).toEqual([['release', 'ok']]);
    expect(await readRequest(deps, amina, 'r1')).toMatchObject({ requestId: 'r1', state: 'released', mine: true });
  });

  it('shows its requester an approved request whose time is over as expired, from the exact instant', async () => {
    const { deps, records } = await setup([
      pending('r1', { state: 'approved', decidedBy: youssefActor, expiresAt: T0 }),
    ]);
    expect(await readRequest(deps, amina, 'r1')).toMatchObject({ requestId: 'r1', state: 'expired', mine: true });
    expect(records).toEqual([]);
  });

  it('shows its requester a pending request, and another an approved one', async () => {
    const { deps } = await setup([pending('p'), pending('a', { state: 'approved', decidedBy: youssefActor })]);
    expect(await readRequest(deps, amina, 'p')).toMatchObject({ state: 'pending', mine: true });
    expect(await readRequest(deps, youssef, 'a')).toMatchObject({ state: 'approved', mine: false });
  });

  it('shows its requester their own request although their scope no longer covers its sector', async () => {
    const { deps } = await setup([pending('r1')]);
    const aminaNowTaxOnly = regulator('reg-a', 'Amina', ['tax']);
    expect(await readRequest(deps, aminaNowTaxOnly, 'r1')).toMatchObject({
      requestId: 'r1',
      state: 'pending',
      mine: true,
    });
    await expect(readRequest(deps, regulator('reg-d', 'Driss', ['tax']), 'r1')).rejects.toMatchObject({
      code: 'forbidden',
    });
  });

  it('refuses an unknown request as not_found, recorded; and any caller but a regulator', async () => {
    const { deps, records } = await setup([]);
    await expect(readRequest(deps, youssef, 'nope')).rejects.toMatchObject({ code: 'not_found' });
    expect(records.map((r) => [r.act, r.requestId, r.outcome])).toEqual([['release', 'nope', 'not_found']]);
    await expect(readRequest(deps, { ...youssef, role: 'auditor' }, 'nope')).rejects.toMatchObject({
      code: 'forbidden',
    });
  });
});

describe('collect', () => {
  it('tells its requester a pending request is pending, with its expiry', async () => {
    const { deps, records } = await setup([pending('r1')]);
    expect(await collect(deps, amina, 'r1')).toEqual({
      status: 'pending',
      requestId: 'r1',
      expiresAt: new Date(T0 + 60_000).toISOString(),
    });
    expect(records).toEqual([]);
  });

  it('refuses a pending request once its time is over (the exact instant), closing it', async () => {
    const { deps, records } = await setup([pending('r1', { expiresAt: T0 })]);
    await expect(collect(deps, amina, 'r1')).rejects.toMatchObject({ code: 'request_expired' });
    expect(records.map((r) => r.outcome)).toEqual(['expired', 'request_expired']);
  });

  it("refuses another's pending request: only the requester collects", async () => {
    const { deps } = await setup([pending('r1')]);
    await expect(collect(deps, youssef, 'r1')).rejects.toMatchObject({
      code: 'forbidden',
      message: 'only the requester collects the result',
    });
  });

  it('gives its requester the result of an approved request; an unknown request is not_found', async () => {
    const { deps } = await setup([pending('r1', { state: 'approved', decidedBy: youssefActor })]);
    expect(await collect(deps, amina, 'r1')).toMatchObject({ state: 'released', nationalId: 'AB123456' });
    await expect(collect(deps, amina, 'nope')).rejects.toMatchObject({ code: 'not_found' });
  });
});
