/**
 * Pending dual-control reverse requests (SPEC "HTTP API"). The store's one write primitive is an
 * atomic compare-and-set of the state, so two approvals or two fetches racing can never both win;
 * the in-process store is the default, a Redis store shares them across instances.
 */
import { randomBytes } from 'node:crypto';
import { SectokenError } from '../errors.js';

export type RequestState = 'pending' | 'approved' | 'denied' | 'released' | 'expired';

export interface ReverseRequest {
  id: string;
  sector: string;
  token: string;
  requester: string;
  legalBasis: string;
  caseId: string;
  purpose: string;
  createdAt: number;
  expiresAt: number;
  state: RequestState;
  decidedBy: string | null;
}

export interface RequestStore {
  create(request: ReverseRequest): Promise<void>;
  get(id: string): Promise<ReverseRequest | undefined>;
  /** Moves from `from` to `to` if the request is in `from`; returns the updated request, or undefined. */
  transition(id: string, from: RequestState, to: RequestState, decidedBy?: string): Promise<ReverseRequest | undefined>;
  /** Pending requests past their expiry, at `now`. */
  overdue(now: number): Promise<ReverseRequest[]>;
}

/** 128 random bits, base64url: unguessable, and safe in a path. */
export const newRequestId = (): string => randomBytes(16).toString('base64url');
export const REQUEST_ID = /^[A-Za-z0-9_-]{22}$/;
/** Closed requests are kept this long past expiry, to answer "closed" or "expired" clearly. */
export const TOMBSTONE_MS = 3600_000;

export function memoryRequestStore(now: () => number = Date.now): RequestStore {
  const requests = new Map<string, ReverseRequest>();
  const prune = (): void => {
    for (const [id, r] of requests) if (r.expiresAt + TOMBSTONE_MS < now()) requests.delete(id);
  };
  return {
    async create(request) {
      prune();
      requests.set(request.id, { ...request });
    },
    async get(id) {
      const r = requests.get(id);
      return r && { ...r };
    },
    async transition(id, from, to, decidedBy) {
      const r = requests.get(id);
      if (!r || r.state !== from) return undefined;
      r.state = to;
      if (decidedBy !== undefined) r.decidedBy = decidedBy;
      return { ...r };
    },
    async overdue(at) {
      return [...requests.values()].filter((r) => r.state === 'pending' && r.expiresAt <= at).map((r) => ({ ...r }));
    },
  };
}

/** Several workers without Redis would each hold their own requests: refuse rather than split them. */
export function unavailableRequestStore(): RequestStore {
  const refuse = async (): Promise<never> => {
    throw new SectokenError('dual_control_unavailable', 'dual control across several workers needs Redis (REDIS_URL)');
  };
  return { create: refuse, get: refuse, transition: refuse, overdue: async () => [] };
}
