/**
 * The request's state machine, walked exhaustively: every state × event, in both stores (in
 * process, and sealed in a real Redis), at a time inside the request's life and past it. Each
 * store must do exactly what the table says, and refuse everything else with the caller's code.
 */
import { randomBytes } from 'node:crypto';
import { SectokenError } from '../../src/errors.js';
import {
  CLAIM_GRACE_MS,
  REQUEST_EVENTS,
  REQUEST_STATES,
  TRANSITIONS,
  newRequestId,
  publicState,
  type ActRequest,
  type RequestEvent,
  type RequestState,
} from '../../src/dualControl/requestLife.js';
import { memoryRequestStore, type RequestStore } from '../../src/dualControl/requestStore.js';
import { connectRedis, type SharedRedis } from '../../src/store/redis.js';
import { redisRequestStore } from '../../src/store/redisRequests.js';
import { redisSettings, sharedRedis, waitFor, type SharedTestRedis } from '../redis/helpers.js';

const T0 = 1_900_000_000_000;
const TTL = 60_000;
const requester = { client: 'reg-a', person: 'A', organisation: 'O1' };
const approver = { client: 'reg-b', person: 'B', organisation: 'O2' };

const requestIn = (state: RequestState): ActRequest => ({
  id: newRequestId(),
  act: 'reverse',
  sector: 'permits',
  toSector: null,
  token: '12345678901',
  legalBasis: 'BASIS-DUAL',
  caseId: 'C-1',
  purpose: 'p',
  requester,
  createdAt: T0,
  expiresAt: T0 + TTL,
  state,
  decidedBy: state === 'pending' ? null : approver,
});

/** What the table and the time rules say `event` on `state` at `now` gives: a state or an error code. */
function expected(state: RequestState, event: RequestEvent, now: number): string {
  const next = TRANSITIONS[state][event];
  if (next === undefined) return state === 'expired' ? 'request_expired' : 'request_closed';
  const overdue = now >= T0 + TTL;
  if (event === 'expire') {
    const claimed = state === 'approving' || state === 'denying' || state === 'releasing';
    const due = claimed ? now >= T0 + TTL + CLAIM_GRACE_MS : overdue;
    return due ? next : 'request_closed';
  }
  if ((event === 'approve' || event === 'deny' || event === 'release') && overdue) return 'request_expired';
  return next;
}

async function outcome(
  store: RequestStore,
  state: RequestState,
  event: RequestEvent,
  now: number,
): Promise<{ got: string; stored: RequestState | undefined }> {
  const request = requestIn(state);
  await store.create(request);
  let got: string;
  try {
    got = (await store.apply(request.id, event, now, approver)).state;
  } catch (err) {
    got = err instanceof SectokenError ? err.code : String(err);
  }
  return { got, stored: (await store.get(request.id))?.state };
}

const TIMES = { inTime: T0 + 1000, overdue: T0 + TTL + 1, pastGrace: T0 + TTL + CLAIM_GRACE_MS + 1 };

function walk(name: string, makeStore: () => RequestStore) {
  describe(`${name}: every state × event × time`, () => {
    it('does what the table says and nothing else', async () => {
      const store = makeStore();
      const wrong: string[] = [];
      let cases = 0;
      for (const state of REQUEST_STATES) {
        for (const event of REQUEST_EVENTS) {
          for (const [when, now] of Object.entries(TIMES)) {
            const want = expected(state, event, now);
            const { got, stored } = await outcome(store, state, event, now);
            const storedWant = (REQUEST_STATES as readonly string[]).includes(want) ? want : state;
            if (got !== want || stored !== storedWant)
              wrong.push(
                `${state} --${event}@${when}--> got ${got} (stored ${stored}), expected ${want} (stored ${storedWant})`,
              );
            cases += 1;
          }
        }
      }
      expect(wrong).toEqual([]);
      expect(cases).toBe(REQUEST_STATES.length * REQUEST_EVENTS.length * 3);
    });

    it('records the decider on a decision and forgets it when the claim is undone', async () => {
      const store = makeStore();
      const request = requestIn('pending');
      await store.create(request);
      expect((await store.apply(request.id, 'approve', TIMES.inTime, approver)).decidedBy).toEqual(approver);
      expect((await store.apply(request.id, 'abort', TIMES.inTime)).decidedBy).toBeNull();
      expect((await store.get(request.id))?.state).toBe('pending');
    });

    it('refuses an unknown request with not_found', async () => {
      await expect(makeStore().apply(newRequestId(), 'approve', TIMES.inTime, approver)).rejects.toMatchObject({
        code: 'not_found',
      });
    });
  });
}

it("shows the claimed states as the state they came from, and the spec's five states as themselves", () => {
  expect(REQUEST_STATES.map((s) => `${s}:${publicState(s)}`)).toEqual([
    'pending:pending',
    'approving:pending',
    'denying:pending',
    'approved:approved',
    'releasing:approved',
    'released:released',
    'denied:denied',
    'expired:expired',
  ]);
});

walk('in-process store', memoryRequestStore);

describe('Redis store', () => {
  let shared: SharedTestRedis;
  let redis: SharedRedis;
  const root = new Uint8Array(randomBytes(32));
  beforeAll(async () => {
    shared = await sharedRedis();
    redis = connectRedis(redisSettings({ url: shared.url }, shared.prefix))!;
    await waitFor(() => redis.state() === 'ok', 'Redis');
  });
  afterAll(async () => {
    await redis.close();
    await shared.cleanup();
  });
  walk('Redis store', () => redisRequestStore(redis, root));
});
