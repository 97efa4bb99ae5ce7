/**
 * Dual-control requests in Redis, shared by every instance (SPEC "Redis"). Each request is a hash
 * whose state is in clear for the atomic compare-and-set (a Lua script), and whose content (sector,
 * token, requester, case …) is sealed with XChaCha20-Poly1305 under a key derived from the
 * keyring, so Redis holds nothing readable about whom a request concerns. All keys share the hash
 * tag {req}, so on a Redis Cluster the script's keys live in one slot.
 */
import { randomBytes } from 'node:crypto';
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { SectokenError } from '../errors.js';
import { requestStateKey } from '../keys/derive.js';
import { TOMBSTONE_MS, type RequestState, type RequestStore, type ReverseRequest } from '../regulators/requests.js';
import type { SharedRedis } from './redis.js';

// KEYS[1] request hash, KEYS[2] pending index; ARGV from, to, decidedBy (may be empty), id.
const TRANSITION = `
if redis.call('HGET', KEYS[1], 'state') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'state', ARGV[2])
if ARGV[3] ~= '' then redis.call('HSET', KEYS[1], 'decidedBy', ARGV[3]) end
if ARGV[1] == 'pending' then redis.call('ZREM', KEYS[2], ARGV[4]) end
return 1`;

const unavailable = (cause: unknown): SectokenError =>
  new SectokenError('dual_control_unavailable', 'dual-control requests are kept in Redis, which cannot be reached now; try again later', { cause });

export function redisRequestStore(redis: SharedRedis, root: Uint8Array): RequestStore {
  const key = requestStateKey(root);
  const hashKey = (id: string): string => `${redis.prefix}{req}:${id}`;
  const pendingKey = `${redis.prefix}{req}:pending`;

  const seal = (id: string, r: ReverseRequest): string => {
    const nonce = randomBytes(24);
    const content = JSON.stringify({ sector: r.sector, token: r.token, requester: r.requester, legalBasis: r.legalBasis, caseId: r.caseId, purpose: r.purpose, createdAt: r.createdAt });
    const box = xchacha20poly1305(key, nonce, new TextEncoder().encode(id)).encrypt(new TextEncoder().encode(content));
    return Buffer.concat([nonce, box]).toString('base64url');
  };
  const open = (id: string, fields: Record<string, string>): ReverseRequest | undefined => {
    if (!fields.data) return undefined;
    const raw = Buffer.from(fields.data, 'base64url');
    const content = JSON.parse(new TextDecoder().decode(xchacha20poly1305(key, raw.subarray(0, 24), new TextEncoder().encode(id)).decrypt(raw.subarray(24)))) as Omit<ReverseRequest, 'id' | 'state' | 'decidedBy' | 'expiresAt'>;
    return { id, ...content, expiresAt: Number(fields.expiresAt), state: fields.state as RequestState, decidedBy: fields.decidedBy || null };
  };
  const guarded = async <T>(work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (err) {
      throw unavailable(err);
    }
  };

  const store: RequestStore = {
    create: (r) =>
      guarded(async () => {
        await redis.client
          .multi()
          .hset(hashKey(r.id), { state: r.state, decidedBy: r.decidedBy ?? '', expiresAt: String(r.expiresAt), data: seal(r.id, r) })
          .pexpireat(hashKey(r.id), r.expiresAt + TOMBSTONE_MS)
          .zadd(pendingKey, r.expiresAt, r.id)
          .exec();
      }),
    get: (id) => guarded(async () => open(id, await redis.client.hgetall(hashKey(id)))),
    transition: (id, from, to, decidedBy) =>
      guarded(async () => {
        const changed = await redis.client.eval(TRANSITION, 2, hashKey(id), pendingKey, from, to, decidedBy ?? '', id);
        return changed === 1 ? store.get(id) : undefined;
      }),
    overdue: (now) =>
      guarded(async () => {
        const ids = await redis.client.zrangebyscore(pendingKey, '-inf', now);
        const found = await Promise.all(ids.map((id) => store.get(id)));
        return found.filter((r): r is ReverseRequest => r !== undefined && r.state === 'pending');
      }),
  };
  return store;
}
