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
  /** Counts `points` acts; throws rate_limited (with Retry-After) when a window is exhausted. */
  consume(clientId: string, sector: string, operation: Operation, points: number): Promise<void>;
}

export function createRateLimits(config: Pick<Config, 'rateLimits'>, redis: SharedRedis | undefined, onLimited: (op: Operation) => void): RateLimits {
  const limiters = new Map<string, RateLimiterAbstract>();
  const limiterFor = (scope: string, op: Operation, index: number, points: number, duration: number): RateLimiterAbstract => {
    const name = `${scope}:${op}:${index}`;
    let limiter = limiters.get(name);
    if (!limiter) {
      const keyPrefix = `rl:${scope}:${op}:${points}:${duration}`;
      const memory = new RateLimiterMemory({ points, duration, keyPrefix });
      limiter = redis
        ? new RateLimiterRedis({
            storeClient: redis.client,
            points,
            duration,
            keyPrefix: `${redis.prefix}${keyPrefix}`,
            insuranceLimiter: memory,
            rejectIfRedisNotReady: true,
          })
        : memory;
      limiters.set(name, limiter);
    }
    return limiter;
  };

  return {
    async consume(clientId, sector, operation, points) {
      const own = config.rateLimits.clients[clientId]?.[operation];
      const windows = own ?? config.rateLimits.defaults[operation] ?? [];
      const scope = own ? `c-${clientId}` : 'default';
      for (const [index, w] of windows.entries()) {
        try {
          await limiterFor(scope, operation, index, w.points, w.perSeconds).consume(`${clientId}:${sector}`, points);
        } catch (err) {
          if (err instanceof RateLimiterRes) {
            onLimited(operation);
            throw new SectokenError('rate_limited', `too many ${operation} acts for this client and sector; retry later`, {
              retryAfter: Math.max(1, Math.ceil(err.msBeforeNext / 1000)),
            });
          }
          throw err;
        }
      }
    },
  };
}
