/**
 * The life of a dual-control request, written once (SPEC "Legal bases and dual control"): a table
 * state × event → state that every request store applies through applyEvent(), for reverse and
 * translate alike.
 *
 *   pending  → approved | denied | expired        approved → released | expired
 *
 * A decision or a release must not take effect unless its audit record is durable, so each is two
 * steps: the event claims the request (`approving`, `denying`, `releasing`: states nobody else can
 * act on), the record is written, then `confirm` completes it or `abort` puts it back. Outside this
 * module the claimed states read as the state they came from (publicState).
 */
import { randomBytes } from 'node:crypto';
import { SectokenError } from '../errors.js';
import type { PublicState } from './states.js';

export { PUBLIC_STATES, type PublicState, REQUEST_ID } from './states.js';

export const REQUEST_STATES = [
  'pending',
  'approving',
  'denying',
  'approved',
  'releasing',
  'released',
  'denied',
  'expired',
] as const;
export type RequestState = (typeof REQUEST_STATES)[number];
export const REQUEST_EVENTS = ['approve', 'deny', 'release', 'confirm', 'abort', 'expire'] as const;
export type RequestEvent = (typeof REQUEST_EVENTS)[number];

export const TRANSITIONS: Readonly<Record<RequestState, Readonly<Partial<Record<RequestEvent, RequestState>>>>> = {
  pending: { approve: 'approving', deny: 'denying', expire: 'expired' },
  approving: { confirm: 'approved', abort: 'pending', expire: 'expired' },
  denying: { confirm: 'denied', abort: 'pending', expire: 'expired' },
  approved: { release: 'releasing', expire: 'expired' },
  releasing: { confirm: 'released', abort: 'approved', expire: 'expired' },
  released: {},
  denied: {},
  expired: {},
};

const PUBLIC: Readonly<Record<RequestState, PublicState>> = {
  pending: 'pending',
  approving: 'pending',
  denying: 'pending',
  approved: 'approved',
  releasing: 'approved',
  released: 'released',
  denied: 'denied',
  expired: 'expired',
};
export const publicState = (state: RequestState): PublicState => PUBLIC[state];
/** Released, denied or expired: no event leads out of it. */
export const isFinal = (state: RequestState): boolean => Object.keys(TRANSITIONS[state]).length === 0;

/** A claim left by an instance that died mid-act is expired this long after the request's time. */
export const CLAIM_GRACE_MS = 60_000;
/** Closed requests are kept this long past expiry, to answer "closed" or "expired" clearly. */
export const TOMBSTONE_MS = 3600_000;

export interface Actor {
  client: string;
  person: string;
  organisation: string;
}

/** A reverse or translate waiting for, or past, a second regulator's decision. */
export interface ActRequest {
  id: string;
  act: 'reverse' | 'translate';
  sector: string;
  /** The target sector of a translate; null for a reverse. */
  toSector: string | null;
  /** The source token, canonical. */
  token: string;
  legalBasis: string;
  caseId: string;
  purpose: string;
  requester: Actor;
  createdAt: number;
  expiresAt: number;
  state: RequestState;
  decidedBy: Actor | null;
}

/** 128 random bits, base64url: unguessable, and safe in a path. */
export const newRequestId = (): string => randomBytes(16).toString('base64url');

const CLAIMED: ReadonlySet<RequestState> = new Set(['approving', 'denying', 'releasing']);

/**
 * The request after `event` at `now`, or the refusal a caller gets. Time matters too: nothing is
 * decided or released once the request's time is over, and only then does it expire.
 */
export function applyEvent(request: ActRequest, event: RequestEvent, now: number, by?: Actor): ActRequest {
  const next = TRANSITIONS[request.state][event];
  const overdue = now >= request.expiresAt;
  if (event === 'expire') {
    const due = CLAIMED.has(request.state) ? now >= request.expiresAt + CLAIM_GRACE_MS : overdue;
    if (next === undefined || !due) throw closed(request.state);
    return { ...request, state: next };
  }
  if (next === undefined) throw closed(request.state);
  if ((event === 'approve' || event === 'deny' || event === 'release') && overdue) throw expired();
  const decidedBy =
    event === 'approve' || event === 'deny'
      ? (by ?? null)
      : event === 'abort' && request.state !== 'releasing'
        ? null
        : request.decidedBy;
  return { ...request, state: next, decidedBy };
}

const expired = (): SectokenError => new SectokenError('request_expired', 'the request has expired');

function closed(state: RequestState): SectokenError {
  const why: Record<RequestState, string> = {
    pending: 'it is still pending',
    approving: 'it is being decided right now',
    denying: 'it is being decided right now',
    approved: 'it was already approved',
    releasing: 'its result is being handed out right now',
    released: 'its result was already handed out',
    denied: 'it was denied',
    expired: 'it has expired',
  };
  if (state === 'expired') return expired();
  return new SectokenError('request_closed', `the request is closed: ${why[state]}`);
}
