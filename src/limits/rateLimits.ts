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
  consume(clientId: string, sector: string, operation: Operation, points: number): Promise<Taken>;
}

/** Points taken by consume. */
export interface Taken {
  /** Gives them back to the windows they were taken from, unless a window has passed since (no credit in the next one). */
  giveBack(): Promise<void>;
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
    const name = `${scope}:${op}:${index}`;
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
    async consume(clientId, sector, operation, points) {
      const { windows, scope } = windowsOf(clientId, operation);
      const key = `${clientId}:${sector}`;
      const taken: Array<{ limiter: RateLimiterAbstract; endsAt: number }> = [];
      for (const [index, w] of windows.entries()) {
        const limiter = limiterFor(scope, operation, index, w.points, w.perSeconds);
        try {
          const res = await limiter.consume(key, points);
          taken.push({ limiter, endsAt: Date.now() + res.msBeforeNext });
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
      return {
        async giveBack() {
          for (const t of taken) if (Date.now() < t.endsAt) await t.limiter.reward(key, points);
        },
      };
    },
  };
}
