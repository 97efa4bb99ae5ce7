/**
 * Closing requests past their time (src/acts/requests/expire.ts), by the sweeper and by whoever acts
 * on one late: the exact instant, requests already final, and the races the store's compare-and-set
 * settles (another instance closed it, or decided it, first: no second record), while a store that
 * fails otherwise is not taken for a lost race.
 */
import { expireOverdue, refuseIfOverdue } from '../../src/acts/requests/expire.js';
import { newRequestId, type ActRequest, type RequestState } from '../../src/dualControl/requestLife.js';
import { memoryRequestStore } from '../../src/dualControl/requestStore.js';
import { SectokenError } from '../../src/errors.js';
import { failingOn, recordingAudit, regulatorDeps, reverseRequest, T0 } from './inProcess.js';

/** The service's parts in process; `failExpire` makes the store's `expire` throw it instead. */
function setup(failExpire?: Error) {
  const { audit, records } = recordingAudit();
  const store = memoryRequestStore();
  const deps = regulatorDeps(audit, failingOn(store, 'expire', failExpire));
  const put = async (expiresAt: number, state: RequestState = 'pending'): Promise<ActRequest> => {
    const decidedBy = state === 'pending' ? null : { client: 'reg-b', person: 'Youssef', organisation: 'x' };
    const request = reverseRequest(newRequestId(), { state, expiresAt, decidedBy });
    await store.create(request);
    return request;
  };
  const stateOf = async (id: string) => (await store.get(id))?.state;
  return { deps, records, put, stateOf };
}

const codeOf = (run: Promise<unknown>): Promise<string | undefined> =>
  run.then(
    () => undefined,
    (err: unknown) => (err instanceof SectokenError ? err.code : String(err)),
  );

describe('the sweeper', () => {
  it('closes what is due at this instant, leaves what is due a millisecond later, and records each it closed once', async () => {
    const { deps, records, put, stateOf } = setup();
    const due = await put(T0);
    const later = await put(T0 + 1);
    expect(await expireOverdue(deps)).toBe(1);
    expect([await stateOf(due.id), await stateOf(later.id)]).toEqual(['expired', 'pending']);
    expect(records.map((r) => [r.act, r.outcome, r.requestId])).toEqual([['expire', 'expired', due.id]]);
    expect(await expireOverdue(deps)).toBe(0);
    expect(records).toHaveLength(1);
  });

  it.each(['request_closed', 'request_expired', 'not_found'] as const)(
    'when another instance got there first (%s), closes nothing and records nothing',
    async (code) => {
      const { deps, records, put } = setup(new SectokenError(code, 'lost the race'));
      await put(T0 - 1);
      expect(await expireOverdue(deps)).toBe(0);
      expect(records).toEqual([]);
    },
  );

  it('when the store fails otherwise, says so instead of counting it a lost race', async () => {
    const { deps, records, put } = setup(new Error('the store went away'));
    await put(T0 - 1);
    expect(await codeOf(expireOverdue(deps))).toBe('Error: the store went away');
    const refused = setup(new SectokenError('dual_control_unavailable', 'Redis is down'));
    await refused.put(T0 - 1);
    expect(await codeOf(expireOverdue(refused.deps))).toBe('dual_control_unavailable');
    expect([records, refused.records]).toEqual([[], []]);
  });
});

describe('acting on a request late', () => {
  it('is refused as request_expired from its expiry instant on, closing it with one record; a millisecond before, it goes on', async () => {
    const { deps, records, put, stateOf } = setup();
    const early = await put(T0 + 1);
    await expect(refuseIfOverdue(deps, early)).resolves.toBeUndefined();
    const due = await put(T0);
    expect(await codeOf(refuseIfOverdue(deps, due))).toBe('request_expired');
    expect(await stateOf(due.id)).toBe('expired');
    expect(records.map((r) => r.outcome)).toEqual(['expired']);
  });

  it('is refused as request_expired even when another instance closed it first, with no second record', async () => {
    const { deps, records, put } = setup(new SectokenError('request_closed', 'lost the race'));
    await expect(refuseIfOverdue(deps, await put(T0 - 1))).rejects.toMatchObject({
      code: 'request_expired',
      message: 'the request has expired',
    });
    expect(records).toEqual([]);
  });

  it('of a request already final goes on to the act (which refuses it by its state), whatever its time', async () => {
    const { deps, records, put, stateOf } = setup();
    const released = await put(T0 - 1, 'released');
    await expect(refuseIfOverdue(deps, released)).resolves.toBeUndefined();
    expect(await stateOf(released.id)).toBe('released');
    expect(records).toEqual([]);
  });
});
