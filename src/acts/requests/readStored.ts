/**
 * Reads a request before its act is audited. A request whose stored record fails its integrity
 * check (or a store that cannot be reached) is not thrown yet: the act throws it, inside audited(),
 * so that the refusal is recorded like any other.
 */
import type { ActRequest } from '../../dualControl/requestLife.js';
import type { RegulatorDeps } from '../deps.js';

export interface Stored {
  /** The request as read, for the audit record; undefined if unknown or unreadable. */
  request: ActRequest | undefined;
  /** The request, or the error its reading met. */
  read(): ActRequest | undefined;
}

export async function readStored(deps: Pick<RegulatorDeps, 'requests'>, requestId: string): Promise<Stored> {
  try {
    const request = await deps.requests.get(requestId);
    return { request, read: () => request };
  } catch (err) {
    return {
      request: undefined,
      read: () => {
        throw err;
      },
    };
  }
}
