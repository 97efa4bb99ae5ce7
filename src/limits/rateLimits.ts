/**
 * Rate limits and quotas per client, sector and operation (SPEC "Bad input and abuse"), with
 * rate-limiter-flexible: in process without Redis; shared through Redis with an in-memory
 * insurance limiter that takes over while Redis is down or slow. Redis keys hold client ids,
 * sector ids and operation names only.
 */
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Config, Operation } from '../config/schema.js';
import { SectokenError } from '../errors.js';
import type { SharedRedis } from '../store/redis.js';

export interface RateLimits {
  /**
   * Counts `points` acts; throws rate_limited (with Retry-After) when a window is exhausted.
   * `identities` counts one point per national ID or token, whether single, batched or upgraded;
   * `refusal` is counted per client across sectors: pass REFUSAL_SECTOR.
   */
  consume(clientId: string, sector: string, operation: Operation, points: number): Promise<void>;
  /** Seconds until the client may act again if a window of `operation` is used up; undefined if not. Consumes nothing. */
  exhausted(clientId: string, sector: string, operation: Operation): Promise<number | undefined>;
}

/** The sector of `refusal`: refused acts are counted per client, whatever the sector. */
export const REFUSAL_SECTOR = '*';

const REFUSED_BECAUSE: Readonly<Record<Operation, string>> = {
  identities: 'too many national IDs or tokens for this client and sector in this window',
  reverse: 'too many reversals for this client and sector in this window',
  translate: 'too many translations for this client and sector in this window',
  refusal: 'too many refused requests from this client in this window',
};

export function createRateLimits(config: Pick<Config, 'rateLimits'>, redis: SharedRedis | undefined, onLimited: (op: Operation) => void): RateLimits {
  const limiters = new Map<string, { shared: RateLimiterAbstract | undefined; memory: RateLimiterAbstract }>();
  const limiterFor = (scope: string, op: Operation, index: number, points: number, duration: number): RateLimiterAbstract => {
    // A reload may change a window: the new one gets its own limiter, an unchanged one keeps its count.
    const name = `${scope}:${op}:${index}:${points}:${duration}`;
    let pair = limiters.get(name);
    if (!pair) {
      const keyPrefix = `rl:${scope}:${op}:${points}:${duration}`;
      const memory = new RateLimiterMemory({ points, duration, keyPrefix });
      const shared = redis
        ? new RateLimiterRedis({
            storeClient: redis.client,
            points,
            duration,
            keyPrefix: `${redis.prefix}${keyPrefix}`,
            insuranceLimiter: memory,
            rejectIfRedisNotReady: true,
          })
        : undefined;
      pair = { shared, memory };
      limiters.set(name, pair);
    }
    // While Redis is known to be degraded, the in-process limiter answers without waiting on it.
    return pair.shared && redis?.state() === 'ok' ? pair.shared : pair.memory;
  };

  const windowsOf = (clientId: string, operation: Operation) => {
    const own = config.rateLimits.clients[clientId]?.[operation];
    return { windows: own ?? config.rateLimits.defaults[operation] ?? [], scope: own ? `c-${clientId}` : 'default' };
  };

  return {
    async exhausted(clientId, sector, operation) {
      const { windows, scope } = windowsOf(clientId, operation);
      for (const [index, w] of windows.entries()) {
        const used = await limiterFor(scope, operation, index, w.points, w.perSeconds).get(`${clientId}:${sector}`);
        if (used && used.consumedPoints >= w.points) return Math.max(1, Math.ceil(used.msBeforeNext / 1000));
      }
      return undefined;
    },
    async consume(clientId, sector, operation, points) {
      const { windows, scope } = windowsOf(clientId, operation);
      for (const [index, w] of windows.entries()) {
        try {
          await limiterFor(scope, operation, index, w.points, w.perSeconds).consume(`${clientId}:${sector}`, points);
        } catch (err) {
          if (err instanceof RateLimiterRes) {
            onLimited(operation);
            throw new SectokenError('rate_limited', `${REFUSED_BECAUSE[operation]}; retry later`, {
              retryAfter: Math.max(1, Math.ceil(err.msBeforeNext / 1000)),
            });
          }
          throw err;
        }
      }
    },
  };
}
