/**
 * Dual-control requests in Redis, shared by every instance (SPEC "Redis"). Each request is one
 * value sealed with XChaCha20-Poly1305 under a key derived from the keyring, its id as associated
 * data: Redis holds nothing readable about whom a request concerns, and whoever can write to Redis
 * cannot approve, re-open, extend or move a request (any change fails the seal: request_tampered).
 * A transition reads, applies the table of src/dualControl/requestLife.ts, and writes back only if
 * the value is still the one it read (a Lua compare-and-set). All keys share the hash tag {req}, so
 * on a Redis Cluster the script's keys live in one slot.
 *
 * A sealed value stays valid, so a Redis writer who kept an earlier one could put it back (an
 * approved request after its release). Each instance remembers the requests it has seen closed and
 * refuses such a value as tampered; on an instance that never saw the close, the second release is
 * still recorded in the audit, where two releases of one request id show.
 */
import { randomBytes } from 'node:crypto';
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { SectokenError } from '../errors.js';
import { requestStateKey } from '../keys/derive.js';
import { applyEvent, isFinal, TOMBSTONE_MS, type ActRequest } from '../dualControl/requestLife.js';
import { noSuchRequest, type RequestStore } from '../dualControl/requestStore.js';
import type { SharedRedis } from './redis.js';

// KEYS[1] the request, ARGV[1] the value read, ARGV[2] the new value. KEEPTTL: a transition never extends a request.
const COMPARE_AND_SET = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'KEEPTTL')
return 1`;

/** A compare-and-set lost to a concurrent writer is retried on the fresh value this many times. */
const MAX_ATTEMPTS = 5;
const utf8 = new TextEncoder();

const unavailable = (cause: unknown): SectokenError =>
  new SectokenError(
    'dual_control_unavailable',
    'dual-control requests are kept in Redis, which cannot be reached now; try again later',
    { cause },
  );
const tampered = (): SectokenError =>
  new SectokenError('request_tampered', 'the stored request fails its integrity check and cannot be acted on');

export function redisRequestStore(redis: SharedRedis, root: Uint8Array): RequestStore {
  const key = requestStateKey(root);
  const requestKey = (id: string): string => `${redis.prefix}{req}:${id}`;
  // Every live request by its purge time, for listing and sweeping.
  const indexKey = `${redis.prefix}{req}:live`;
  const aad = (id: string): Uint8Array => utf8.encode(`sectoken/request/1\n${id}`);
  // Requests seen closed by this instance, until they are purged: a re-opened one is a replay.
  const closed = new Map<string, number>();
  const remember = (r: ActRequest): ActRequest => {
    if (isFinal(r.state)) closed.set(r.id, r.expiresAt + TOMBSTONE_MS);
    else if (closed.has(r.id)) throw tampered();
    return r;
  };
  const forgetPurged = (now: number): void => {
    for (const [id, purgeAt] of closed) if (purgeAt < now) closed.delete(id);
  };

  const seal = (r: ActRequest): string => {
    const nonce = randomBytes(24);
    const box = xchacha20poly1305(key, nonce, aad(r.id)).encrypt(utf8.encode(JSON.stringify(r)));
    return Buffer.concat([nonce, box]).toString('base64url');
  };
  const open = (id: string, value: string): ActRequest => {
    try {
      const raw = Buffer.from(value, 'base64url');
      const plain = xchacha20poly1305(key, raw.subarray(0, 24), aad(id)).decrypt(raw.subarray(24));
      const request = JSON.parse(new TextDecoder().decode(plain)) as ActRequest;
      if (request.id !== id) throw new Error('id mismatch');
      return request;
    } catch {
      throw tampered();
    }
  };
  const openChecked = (id: string, value: string): ActRequest => remember(open(id, value));
  const guarded = async <T>(work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (err) {
      if (err instanceof SectokenError) throw err;
      // A request key replaced by another type (a hash with a forged state) is tampering, not an outage.
      if (err instanceof Error && err.message.startsWith('WRONGTYPE')) throw tampered();
      throw unavailable(err);
    }
  };

  return {
    create: (r) =>
      guarded(async () => {
        forgetPurged(r.createdAt);
        await redis.client
          .multi()
          .set(requestKey(r.id), seal(r), 'PXAT', r.expiresAt + TOMBSTONE_MS, 'NX')
          .zadd(indexKey, r.expiresAt + TOMBSTONE_MS, r.id)
          .exec();
      }),
    get: (id) =>
      guarded(async () => {
        const value = await redis.client.get(requestKey(id));
        return value === null ? undefined : openChecked(id, value);
      }),
    apply: (id, event, now, by) =>
      guarded(async () => {
        for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
          const value = await redis.client.get(requestKey(id));
          if (value === null) throw noSuchRequest();
          const next = applyEvent(openChecked(id, value), event, now, by);
          if ((await redis.client.eval(COMPARE_AND_SET, 1, requestKey(id), value, seal(next))) === 1)
            return remember(next);
        }
        throw unavailable(new Error('request changed under every attempt'));
      }),
    live: (now) =>
      guarded(async () => {
        await redis.client.zremrangebyscore(indexKey, '-inf', now);
        const ids = await redis.client.zrangebyscore(indexKey, now, '+inf');
        if (ids.length === 0) return [];
        const values = await redis.client.mget(ids.map(requestKey));
        const found: ActRequest[] = [];
        ids.forEach((id, i) => {
          const value = values[i];
          if (typeof value !== 'string') return;
          try {
            found.push(openChecked(id, value));
          } catch {
            // A tampered request is refused when someone acts on it; a list just leaves it out.
          }
        });
        return found;
      }),
  };
}
