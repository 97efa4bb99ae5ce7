/**
 * The edges of a dual-control request's life (src/dualControl/requestLife.ts) and of the in-process
 * store (src/dualControl/requestStore.ts) that the exhaustive walk of test/acts/requestLife.test.ts
 * does not pin: the exact instants of expiry, who is recorded as decider through claim, confirm
 * and abort, what each refusal says, which states are final, request ids, and the store's copies
 * and tombstones.
 */
import {
  applyEvent,
  CLAIM_GRACE_MS,
  isFinal,
  newRequestId,
  publicState,
  REQUEST_ID,
  REQUEST_STATES,
  TOMBSTONE_MS,
  type ActRequest,
  type RequestState,
} from '../../src/dualControl/requestLife.js';
import { memoryRequestStore, noSuchRequest } from '../../src/dualControl/requestStore.js';

const T0 = 1_900_000_000_000;
const TTL = 60_000;
const A = { client: 'reg-a', person: 'A', organisation: 'O1' };
const B = { client: 'reg-b', person: 'B', organisation: 'O2' };

const requestIn = (state: RequestState, decidedBy: ActRequest['decidedBy'] = null): ActRequest => ({
  id: newRequestId(),
  act: 'reverse',
  sector: 'permits',
  toSector: null,
  token: '12345678901',
  legalBasis: 'BASIS',
  caseId: 'C-1',
  purpose: 'p',
  requester: A,
  createdAt: T0,
  expiresAt: T0 + TTL,
  state,
  decidedBy,
});

function refusal(run: () => unknown): { code: string | undefined; message: string } | undefined {
  try {
    run();
    return undefined;
  } catch (err) {
    return { code: (err as { code?: string }).code, message: (err as Error).message };
  }
}

describe('request life: time', () => {
  const end = T0 + TTL;
  it('decides and releases up to the last millisecond before expiresAt, and not at it', () => {
    expect(applyEvent(requestIn('pending'), 'approve', end - 1, B).state).toBe('approving');
    expect(applyEvent(requestIn('pending'), 'deny', end - 1, B).state).toBe('denying');
    expect(applyEvent(requestIn('approved', B), 'release', end - 1).state).toBe('releasing');
    for (const [state, event] of [
      ['pending', 'approve'],
      ['pending', 'deny'],
      ['approved', 'release'],
    ] as const) {
      expect(refusal(() => applyEvent(requestIn(state), event, end, B))).toEqual({
        code: 'request_expired',
        message: 'the request has expired',
      });
    }
  });

  it("confirms and aborts a claim past the request's time (the record was already written)", () => {
    expect(applyEvent(requestIn('approving', B), 'confirm', end + 5).state).toBe('approved');
    expect(applyEvent(requestIn('releasing', B), 'abort', end + 5).state).toBe('approved');
  });

  it('expires an unclaimed request at expiresAt exactly, a claimed one CLAIM_GRACE_MS later exactly', () => {
    expect(CLAIM_GRACE_MS).toBe(60_000);
    for (const state of ['pending', 'approved'] as const) {
      expect(refusal(() => applyEvent(requestIn(state), 'expire', end - 1))?.code).toBe('request_closed');
      expect(applyEvent(requestIn(state), 'expire', end).state).toBe('expired');
    }
    for (const state of ['approving', 'denying', 'releasing'] as const) {
      expect(refusal(() => applyEvent(requestIn(state), 'expire', end + CLAIM_GRACE_MS - 1))?.code).toBe(
        'request_closed',
      );
      expect(applyEvent(requestIn(state), 'expire', end + CLAIM_GRACE_MS).state).toBe('expired');
    }
  });
});

describe('request life: the decider', () => {
  it('is recorded on approve and deny (or null if none is given), kept through confirm and release', () => {
    expect(applyEvent(requestIn('pending'), 'approve', T0, B).decidedBy).toEqual(B);
    expect(applyEvent(requestIn('pending'), 'deny', T0, B).decidedBy).toEqual(B);
    expect(applyEvent(requestIn('pending'), 'approve', T0).decidedBy).toBeNull();
    expect(applyEvent(requestIn('approving', B), 'confirm', T0).decidedBy).toEqual(B);
    expect(applyEvent(requestIn('denying', B), 'confirm', T0).decidedBy).toEqual(B);
    expect(applyEvent(requestIn('approved', B), 'release', T0, A).decidedBy).toEqual(B);
    expect(applyEvent(requestIn('releasing', B), 'confirm', T0).decidedBy).toEqual(B);
  });

  it("is forgotten when a decision's claim is undone, and kept when a release's is", () => {
    expect(applyEvent(requestIn('approving', B), 'abort', T0).decidedBy).toBeNull();
    expect(applyEvent(requestIn('denying', B), 'abort', T0).decidedBy).toBeNull();
    expect(applyEvent(requestIn('releasing', B), 'abort', T0).decidedBy).toEqual(B);
  });

  it('changes a copy, never the request it was given', () => {
    const r = requestIn('pending');
    const next = applyEvent(r, 'approve', T0, B);
    expect([r.state, r.decidedBy, next.state]).toEqual(['pending', null, 'approving']);
    expect({ ...next, state: r.state, decidedBy: null }).toEqual(r);
  });
});

describe('request life: refusals and states', () => {
  it('says why a closed request refuses an event', () => {
    const said: Record<RequestState, string> = {
      pending: 'it is still pending',
      approving: 'it is being decided right now',
      denying: 'it is being decided right now',
      approved: 'it was already approved',
      releasing: 'its result is being handed out right now',
      released: 'its result was already handed out',
      denied: 'it was denied',
      expired: 'it has expired',
    };
    for (const state of REQUEST_STATES) {
      // confirm is refused on every state but a claimed one; approve on every state but pending.
      const event = ['approving', 'denying', 'releasing'].includes(state) ? 'approve' : 'confirm';
      const want =
        state === 'expired'
          ? { code: 'request_expired', message: 'the request has expired' }
          : { code: 'request_closed', message: `the request is closed: ${said[state]}` };
      expect([state, refusal(() => applyEvent(requestIn(state), event, T0, B))]).toEqual([state, want]);
    }
  });

  it('released, denied and expired are final; the others are not', () => {
    expect(REQUEST_STATES.filter(isFinal)).toEqual(['released', 'denied', 'expired']);
    expect(REQUEST_STATES.map(publicState)).toEqual([
      'pending',
      'pending',
      'pending',
      'approved',
      'approved',
      'released',
      'denied',
      'expired',
    ]);
  });

  it('request ids are 22 base64url characters (128 bits) and differ', () => {
    const ids = Array.from({ length: 200 }, newRequestId);
    for (const id of ids) expect(id).toMatch(REQUEST_ID);
    expect(new Set(ids).size).toBe(ids.length);
    for (const bad of [
      'a'.repeat(21),
      'a'.repeat(23),
      `${'a'.repeat(21)}+`,
      `${'a'.repeat(21)}/`,
      `${'a'.repeat(21)}=`,
      ` ${'a'.repeat(22)}`,
      `${'a'.repeat(22)}\n`,
    ]) {
      expect([bad, REQUEST_ID.test(bad)]).toEqual([bad, false]);
    }
    expect(REQUEST_ID.test('AZaz09_-AZaz09_-AZaz09')).toBe(true);
  });
});

describe('in-process request store', () => {
  it('keeps its own copies: changing what was given or returned changes nothing stored', async () => {
    const store = memoryRequestStore();
    const r = requestIn('pending');
    await store.create(r);
    r.state = 'released';
    (await store.get(r.id))!.state = 'denied';
    (await store.live(T0))[0]!.state = 'denied';
    const applied = await store.apply(r.id, 'approve', T0, B);
    applied.state = 'released';
    expect((await store.get(r.id))?.state).toBe('approving');
  });

  it('a refused event leaves the request as it was; an unknown one is not_found', async () => {
    const store = memoryRequestStore();
    const r = requestIn('pending');
    await store.create(r);
    await expect(store.apply(r.id, 'confirm', T0)).rejects.toMatchObject({ code: 'request_closed' });
    expect(await store.get(r.id)).toEqual(r);
    expect(await store.get(newRequestId())).toBeUndefined();
    await expect(store.apply(newRequestId(), 'approve', T0, B)).rejects.toMatchObject({
      code: 'not_found',
      message: 'no such request',
    });
    expect(noSuchRequest()).toMatchObject({ code: 'not_found', message: 'no such request' });
  });

  it('keeps a request TOMBSTONE_MS past its expiry, to the millisecond, then forgets it (on live and on create)', async () => {
    expect(TOMBSTONE_MS).toBe(3_600_000);
    const store = memoryRequestStore();
    const r = requestIn('pending');
    await store.create(r);
    const last = r.expiresAt + TOMBSTONE_MS;
    expect((await store.live(last)).map((x) => x.id)).toEqual([r.id]);
    expect(await store.get(r.id)).toBeDefined();
    expect(await store.live(last + 1)).toEqual([]);
    expect(await store.get(r.id)).toBeUndefined();

    const old = requestIn('pending');
    await store.create(old);
    const later = { ...requestIn('pending'), createdAt: old.expiresAt + TOMBSTONE_MS + 1 };
    await store.create(later);
    expect(await store.get(old.id)).toBeUndefined();
    expect(await store.get(later.id)).toBeDefined();
  });
});
