/**
 * The claim → record → confirm or undo protocol (src/acts/requests/recordedClaim.ts) of a decision (src/acts/requests/decide.ts) and of a
 * release (src/acts/requests/release.ts), with the service's parts in process and an audit log that can be
 * made to fail: when the record of a claimed act cannot be written, the claim is undone and the
 * caller gets audit_unavailable; when the act was refused before it claimed anything (a claim by
 * someone else in flight), nobody's claim is undone; an unknown request is not_found; only the
 * requester collects a result; a confirm that fails after the record leaves the answer standing
 * and the claim held. The same cases run on the in-process store (claimUndo.test.ts) and on Redis
 * (test/redis/claimUndo.test.ts).
 */
import type { Principal } from '../../src/access/apiKeys.js';
import { decide } from '../../src/acts/requests/decide.js';
import { readStored } from '../../src/acts/requests/readStored.js';
import { release } from '../../src/acts/requests/release.js';
import { SectokenError } from '../../src/errors.js';
import { newRequestId, type ActRequest, type RequestState } from '../../src/dualControl/requestLife.js';
import type { RequestStore } from '../../src/dualControl/requestStore.js';
import { failingOn, recordingAudit, regulatorDeps, reverseRequest, T0 } from './inProcess.js';

const regulator = (id: string, person: string): Principal => ({
  id,
  role: 'regulator',
  sectors: new Set(['health', 'tax']),
  person,
  organisation: `${person}'s office`,
});
const amina = regulator('reg-a', 'Amina');
const youssef = regulator('reg-b', 'Youssef');

/** Runs the cases against the store `makeStore` gives (a fresh one per case). */
export function claimUndoCases(makeStore: () => RequestStore): void {
  function setup(failOk = false, failConfirm = false) {
    const { audit, records } = recordingAudit((entry) =>
      failOk && entry.outcome === 'ok' ? new SectokenError('audit_unavailable', 'the disk is full') : undefined,
    );
    const store = makeStore();
    const requests = failingOn(store, 'confirm', failConfirm ? new Error('the store went away') : undefined);
    const deps = regulatorDeps(audit, requests);
    const put = async (state: RequestState, decidedBy: ActRequest['decidedBy'] = null): Promise<string> => {
      const id = newRequestId();
      await requests.create(reverseRequest(id, { state, decidedBy, expiresAt: T0 + 60_000 }));
      return id;
    };
    const stateOf = async (id: string) => {
      const r = await store.get(id);
      return [r?.state, r?.decidedBy?.person ?? null];
    };
    return { deps, records, put, stateOf };
  }

  const codeOf = async (run: Promise<unknown>): Promise<string | undefined> =>
    run.then(
      () => undefined,
      (err: unknown) => (err as SectokenError).code,
    );

  describe('a decision', () => {
    it('takes effect once recorded', async () => {
      const { deps, put, stateOf } = setup();
      const id = await put('pending');
      expect(await decide(deps, youssef, id, 'approve')).toEqual({ requestId: id, status: 'approved', auditId: 'a1' });
      expect(await stateOf(id)).toEqual(['approved', 'Youssef']);
    });

    it('whose record cannot be written is undone: the request is pending again, with no decider', async () => {
      const { deps, put, stateOf } = setup(true);
      for (const decision of ['approve', 'deny'] as const) {
        const id = await put('pending');
        expect(await codeOf(decide(deps, youssef, id, decision))).toBe('audit_unavailable');
        expect(await stateOf(id)).toEqual(['pending', null]);
      }
    });

    it('whose confirm fails after the record is answered, and its claim holds until expiry', async () => {
      const { deps, put, stateOf, records } = setup(false, true);
      const id = await put('pending');
      expect(await decide(deps, youssef, id, 'approve')).toMatchObject({ status: 'approved' });
      expect(records.map((r) => r.outcome)).toEqual(['ok']);
      expect(await stateOf(id)).toEqual(['approving', 'Youssef']);
    });

    it('refused because another decision is in flight leaves that claim alone', async () => {
      const { deps, put, stateOf, records } = setup();
      const id = await put('approving', { client: 'reg-c', person: 'Karim', organisation: 'CNDP' });
      expect(await codeOf(decide(deps, youssef, id, 'deny'))).toBe('request_closed');
      expect(await stateOf(id)).toEqual(['approving', 'Karim']);
      expect(records.map((r) => r.outcome)).toEqual(['request_closed']);
    });

    it('on an unknown request is not_found, and recorded so', async () => {
      const { deps, records } = setup();
      expect(await codeOf(decide(deps, youssef, newRequestId(), 'approve'))).toBe('not_found');
      expect(records.map((r) => r.outcome)).toEqual(['not_found']);
    });
  });

  describe('a release', () => {
    it('hands out the national ID once recorded', async () => {
      const { deps, put, stateOf } = setup();
      const id = await put('approved', { client: 'reg-b', person: 'Youssef', organisation: 'x' });
      expect(await release(deps, amina, id, await readStored(deps, id))).toEqual({
        requestId: id,
        state: 'released',
        status: 'released',
        auditId: 'a1',
        nationalId: 'AB123456',
      });
      expect(await stateOf(id)).toEqual(['released', 'Youssef']);
    });

    it('whose record cannot be written is undone: approved again, the decider kept, nothing answered', async () => {
      const { deps, put, stateOf } = setup(true);
      const id = await put('approved', { client: 'reg-b', person: 'Youssef', organisation: 'x' });
      expect(await codeOf(release(deps, amina, id, await readStored(deps, id)))).toBe('audit_unavailable');
      expect(await stateOf(id)).toEqual(['approved', 'Youssef']);
    });

    it('whose confirm fails after the record is answered, and is not handed out twice', async () => {
      const { deps, put, stateOf, records } = setup(false, true);
      const id = await put('approved', { client: 'reg-b', person: 'Youssef', organisation: 'x' });
      expect(await release(deps, amina, id, await readStored(deps, id))).toMatchObject({ nationalId: 'AB123456' });
      expect(records.map((r) => r.outcome)).toEqual(['ok']);
      expect(await stateOf(id)).toEqual(['releasing', 'Youssef']);
      expect(await codeOf(release(deps, amina, id, await readStored(deps, id)))).toBe('request_closed');
    });

    it('refused because another collection is in flight leaves that claim alone', async () => {
      const { deps, put, stateOf } = setup();
      const id = await put('releasing', { client: 'reg-b', person: 'Youssef', organisation: 'x' });
      expect(await codeOf(release(deps, amina, id, await readStored(deps, id)))).toBe('request_closed');
      expect(await stateOf(id)).toEqual(['releasing', 'Youssef']);
    });

    it('is for the requester only, and says so', async () => {
      const { deps, put, stateOf } = setup();
      const id = await put('approved', { client: 'reg-b', person: 'Youssef', organisation: 'x' });
      await expect(release(deps, youssef, id, await readStored(deps, id))).rejects.toMatchObject({
        code: 'forbidden',
        message: 'only the requester collects the result',
      });
      expect(await stateOf(id)).toEqual(['approved', 'Youssef']);
    });

    it('of an unknown request is not_found', async () => {
      const { deps } = setup();
      const id = newRequestId();
      expect(await codeOf(release(deps, amina, id, await readStored(deps, id)))).toBe('not_found');
    });
  });
}
