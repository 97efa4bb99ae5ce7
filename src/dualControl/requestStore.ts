/**
 * Where dual-control requests live. Every store applies the one table of src/dualControl/requestLife.ts
 * atomically (a compare-and-set), so two approvals or two releases racing never both win. The
 * in-process store is the default; src/store/redisRequests.ts shares requests across instances.
 */
import { SectokenError } from '../errors.js';
import { applyEvent, TOMBSTONE_MS, type ActRequest, type Actor, type RequestEvent } from './requestLife.js';

export interface RequestStore {
  create(request: ActRequest): Promise<void>;
  /** The request, undefined if unknown; throws request_tampered if its stored record fails its check. */
  get(id: string): Promise<ActRequest | undefined>;
  /** Applies `event` to the stored request atomically and returns it; throws the refusal, or not_found. */
  apply(id: string, event: RequestEvent, now: number, by?: Actor): Promise<ActRequest>;
  /** Every request not yet purged, for listing and for the sweeper. */
  live(now: number): Promise<ActRequest[]>;
}

export const noSuchRequest = (): SectokenError => new SectokenError('not_found', 'no such request');

export function memoryRequestStore(): RequestStore {
  const requests = new Map<string, ActRequest>();
  const prune = (now: number): void => {
    for (const [id, r] of requests) if (r.expiresAt + TOMBSTONE_MS < now) requests.delete(id);
  };
  return {
    async create(request) {
      prune(request.createdAt);
      requests.set(request.id, { ...request });
    },
    async get(id) {
      const r = requests.get(id);
      return r && { ...r };
    },
    async apply(id, event, now, by) {
      const r = requests.get(id);
      if (!r) throw noSuchRequest();
      const next = applyEvent(r, event, now, by);
      requests.set(id, next);
      return { ...next };
    },
    async live(now) {
      prune(now);
      return [...requests.values()].map((r) => ({ ...r }));
    },
  };
}
