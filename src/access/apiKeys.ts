/**
 * API keys: 256 random bits, shown once, stored only as SHA-256 (a fast hash is enough for keys
 * this long: nothing can be guessed). Lookup is by hash, then confirmed in constant time.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { ClientConfig, Role } from '../config/schema.js';

export interface Principal {
  id: string;
  role: Role;
  sectors: ReadonlySet<string>;
  /** The accountable person and their organisation (regulators); null for backends. */
  person: string | null;
  organisation: string | null;
}

export const newApiKey = (): string => 'stk_' + randomBytes(32).toString('base64url');
export const hashApiKey = (apiKey: string): string => createHash('sha256').update(apiKey, 'utf8').digest('hex');

/** Bearer credentials are printable ASCII (RFC 6750 b64token); anything else is refused unread. */
const BEARER = /^Bearer ([\x21-\x7e]{1,512})$/i; // the scheme name is case-insensitive (RFC 7235 §2.1)

/** Bound of the cache of authenticated keys (src/access/apiKeys.ts clientDirectory). */
const PRINCIPAL_CACHE_MAX = 1024;

export interface ClientDirectory {
  authenticate(authorization: string | undefined): Principal | undefined;
}

export function clientDirectory(clients: readonly ClientConfig[]): ClientDirectory {
  const byHash = new Map<string, { hash: Buffer; principal: Principal }>();
  for (const client of clients) {
    byHash.set(client.apiKeySha256, {
      hash: Buffer.from(client.apiKeySha256, 'hex'),
      principal: {
        id: client.id,
        role: client.role,
        sectors: new Set(client.sectors),
        person: client.person ?? null,
        organisation: client.organisation ?? null,
      },
    });
  }
  // Keys that authenticated, most recent last: a SHA-256 per request is most of what auth costs.
  // Only successful keys enter, so it holds at most one entry per client and never grows with
  // what callers send; a Map compares contents only on a full hash match, which nobody without
  // the key can aim at.
  const known = new Map<string, Principal>();
  const knownMax = Math.max(16, Math.min(byHash.size, PRINCIPAL_CACHE_MAX));
  return {
    authenticate(authorization) {
      const match = authorization === undefined ? null : BEARER.exec(authorization);
      if (!match) return undefined;
      const key = match[1]!;
      const hit = known.get(key);
      if (hit) {
        known.delete(key);
        known.set(key, hit);
        return hit;
      }
      const presented = createHash('sha256').update(key, 'utf8').digest();
      const entry = byHash.get(presented.toString('hex'));
      // The map is keyed by a hash of a 256-bit secret, which leaks nothing through timing;
      // the byte comparison is still made constant-time.
      if (!entry || !timingSafeEqual(entry.hash, presented)) return undefined;
      const oldest = known.size >= knownMax ? known.keys().next().value : undefined;
      if (oldest !== undefined) known.delete(oldest);
      known.set(key, entry.principal);
      return entry.principal;
    },
  };
}
