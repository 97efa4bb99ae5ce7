/**
 * The two-tier cache of derived tokens (SPEC "Redis"): an in-process LRU, then Redis. Entries are
 * found by a blind index, HMAC-SHA256 under a key derived from the keyring's cacheIndex key, of
 * sector, key version and canonical national ID; the value is the token of that sector only. So
 * Redis never holds a national ID, a TNI or anything that maps a token back to a person, and a
 * rotation (new key version) leaves old entries unreachable until their TTL.
 * A value in Redis is `<token>.<tag>`, the tag a MAC of index and token under a key of its own:
 * whoever can write to Redis cannot make the service hand out another entry's token (or any
 * token of their choosing); a value that fails is a miss, counted in sectoken_cache_rejected_total.
 */
import { timingSafeEqual } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { Config } from '../config/schema.js';
import { hmacSha256 } from '../crypto/hmac.js';
import { cacheIndexKey, cacheValueKey } from '../keys/derive.js';
import type { Metrics } from '../metrics.js';
import type { Policy } from '../derivation/format.js';
import type { SharedRedis } from './redis.js';

/** One encoder for every index and tag: these run on each token served. */
const utf8 = new TextEncoder();

export interface TokenCache {
  /** The blind index of a person's token in a sector and key version. */
  indexOf(sector: string, keyVersion: number, canonicalNationalId: string): string;
  /** Whether tokens of this policy are shared through Redis (configured and reachable). */
  shared(policy: Policy): boolean;
  /** Whether any tier holds tokens of this policy (the LRU, or Redis as `shared`). */
  enabled(policy: Policy): boolean;
  getMany(policy: Policy, indexes: readonly string[]): Promise<Array<string | undefined>>;
  /**
   * Remembers derived tokens: in the LRU at once, in Redis in the background. The promise settles
   * (never rejects; a failed SET is counted in sectoken_redis_errors_total) once Redis has answered.
   * Whoever answers a person does not wait for it: a miss that waited for its SET would take one
   * round trip more than a hit, and so tell by its timing who had been tokenized before.
   */
  setMany(policy: Policy, entries: ReadonlyArray<readonly [string, string]>): Promise<void>;
}

export function createTokenCache(
  config: Pick<Config, 'cache'>,
  cacheIndex: Uint8Array,
  redis: SharedRedis | undefined,
  metrics: Metrics,
): TokenCache {
  const key = cacheIndexKey(cacheIndex);
  const mac = hmacSha256(key);
  key.fill(0);
  const valueKey = cacheValueKey(cacheIndex);
  const valueMac = hmacSha256(valueKey);
  valueKey.fill(0);
  // 128 bits of HMAC-SHA256 of index and token.
  const tagOf = (index: string, token: string): Buffer =>
    Buffer.from(valueMac.mac(utf8.encode(`${index}\n${token}`))).subarray(0, 16);
  const seal = (index: string, token: string): string => `${token}.${tagOf(index, token).toString('base64url')}`;
  /** The token of a Redis value, or undefined when its tag does not bind it to this index. */
  const open = (index: string, value: string): string | undefined => {
    const dot = value.lastIndexOf('.');
    if (dot <= 0) return undefined;
    const token = value.slice(0, dot);
    const given = Buffer.from(value.slice(dot + 1), 'base64url');
    const expected = tagOf(index, token);
    return given.length === expected.length && timingSafeEqual(given, expected) ? token : undefined;
  };
  const lru =
    config.cache.lruEntries > 0
      ? new LRUCache<string, string>({ max: config.cache.lruEntries, ttl: config.cache.ttlSeconds * 1000 })
      : undefined;
  const useRedis = (policy: Policy): boolean =>
    // Blind sectors' tokens are never in this service's hands to cache.
    redis !== undefined && policy !== 'blind' && config.cache.redis[policy] && redis.state() === 'ok';
  const redisKey = (index: string): string => `${redis!.prefix}tok:${index}`;

  return {
    shared: useRedis,
    enabled: (policy) => lru !== undefined || useRedis(policy),
    indexOf(sector, keyVersion, canonicalNationalId) {
      // 128 bits of HMAC-SHA256, base64url: unlinkable to the ID without the key.
      return Buffer.from(mac.mac(utf8.encode(`${sector}\n${keyVersion}\n${canonicalNationalId}`)))
        .toString('base64url')
        .slice(0, 22);
    },
    async getMany(policy, indexes) {
      const found: Array<string | undefined> = indexes.map((i) => lru?.get(i));
      const missing = found.flatMap((v, i) => (v === undefined ? [i] : []));
      if (lru) {
        metrics.cacheHits.inc({ tier: 'lru' }, indexes.length - missing.length);
        metrics.cacheMisses.inc({ tier: 'lru' }, missing.length);
      }
      if (missing.length === 0 || !useRedis(policy)) return found;
      try {
        // Separate GETs, which auto-pipelining sends together (per node on a cluster, where one
        // MGET would cross hash slots).
        const replies = await Promise.allSettled(missing.map((i) => redis!.client.get(redisKey(indexes[i]!))));
        let hits = 0;
        missing.forEach((i, k) => {
          const reply = replies[k]!;
          const value = reply.status === 'fulfilled' ? reply.value : null;
          if (reply.status === 'rejected') metrics.redisErrors.inc();
          if (typeof value !== 'string') return;
          const token = open(indexes[i]!, value);
          if (token === undefined) {
            metrics.cacheRejected.inc();
            return;
          }
          found[i] = token;
          lru?.set(indexes[i]!, token);
          hits += 1;
        });
        metrics.cacheHits.inc({ tier: 'redis' }, hits);
        metrics.cacheMisses.inc({ tier: 'redis' }, missing.length - hits);
      } catch {
        metrics.redisErrors.inc();
      }
      return found;
    },
    async setMany(policy, entries) {
      for (const [index, token] of entries) lru?.set(index, token);
      if (entries.length === 0 || !useRedis(policy)) return;
      // Promise.allSettled of async calls: nothing here rejects, so a caller may leave it running.
      const replies = await Promise.allSettled(
        entries.map(async ([index, token]) =>
          redis!.client.set(redisKey(index), seal(index, token), 'EX', config.cache.ttlSeconds),
        ),
      );
      for (const reply of replies) if (reply.status === 'rejected') metrics.redisErrors.inc();
    },
  };
}
