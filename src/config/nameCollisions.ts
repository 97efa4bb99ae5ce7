/**
 * Two spellings of one name in the configuration (SPEC "Legal bases and dual control"): clients
 * whose `person` (or `organisation`) differ as typed but agree in canonical form. Each would pass
 * for the other in dual control, or for a stranger in the audit log, so the configuration is
 * refused and both clients are named.
 */
import { canonicalName } from './canonicalName.js';

export interface NamedClient {
  id: string;
  person?: string | undefined;
  organisation?: string | undefined;
}

/** The first client of each colliding pair, the second, and where the second sits in the list. */
export interface Collision {
  first: string;
  second: string;
  index: number;
}

export function spellingCollisions(clients: readonly NamedClient[], field: 'person' | 'organisation'): Collision[] {
  const firstSpelling = new Map<string, { id: string; typed: string }>();
  const collisions: Collision[] = [];
  clients.forEach((client, index) => {
    const typed = client[field];
    if (typed === undefined) return;
    const canonical = canonicalName(typed);
    const seen = firstSpelling.get(canonical);
    if (!seen) firstSpelling.set(canonical, { id: client.id, typed });
    else if (seen.typed !== typed) collisions.push({ first: seen.id, second: client.id, index });
  });
  return collisions;
}
