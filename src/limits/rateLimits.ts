/**
 * Rate limits and quotas per client, sector and operation (SPEC "Bad input and abuse"), with
 * rate-limiter-flexible: in process without Redis; shared through Redis otherwise. Each consume is
 * atomic (in process, or one Redis script), so concurrent requests never pass a window together.
 * While Redis cannot be asked (a failed command, or several missed probes: src/store/redis.ts),
 * nothing falls back to fresh counters: `identities` draws on the conservative outage budget of
 * this instance (src/limits/outageBudget.ts), and reverse, translate and the refusal budget fail
 * closed with 503 limits_unavailable. Redis keys hold client ids, sector ids and operation names only.
 */
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { OPERATIONS, type Config, type Operation, type OperationLimits } from '../config/schema.js';
import { SectokenError } from '../errors.js';
import type { SharedRedis } from '../store/redis.js';
import { outageBudget, type Window } from './outageBudget.js';

export type { Window } from './outageBudget.js';

export interface RateLimits {
  /**
   * Counts `points` acts; throws rate_limited (with Retry-After) when a window is exhausted, and
   * limits_unavailable when the shared limits cannot be asked for an operation that fails closed.
   * `identities` counts one point per national ID or token, whether single, batched or upgraded;
   * `refusal` is counted per client across sectors: pass REFUSAL_SECTOR.
   */
  consume(clientId: string, sector: string, operation: Operation, points: number): Promise<Taken>;
  /** The client's windows of `operation` (its own, or the defaults): what GET /v1/me publishes. */
  windows(clientId: string, operation: Operation): readonly Window[];
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

const limitsUnavailable = (cause: unknown): SectokenError =>
  new SectokenError(
    'limits_unavailable',
    'the shared rate limits (Redis) cannot be reached now, and this act is not done without them; try again later',
    { cause },
  );

export function createRateLimits(
  config: Pick<Config, 'rateLimits'>,
  redis: SharedRedis | undefined,
  onLimited: (op: Operation) => void,
): RateLimits {
  const limiters = new Map<string, RateLimiterAbstract>();
  const limiterFor = (name: string, operation: Operation, w: Window): RateLimiterAbstract => {
    let limiter = limiters.get(name);
    if (!limiter) {
      const keyPrefix = `rl:${name}`;
      // Identities go on without Redis, so they never wait long for it; the others fail closed, so they may.
      const storeClient = operation === 'identities' ? redis?.client : redis?.patient;
      limiter = redis
        ? new RateLimiterRedis({
            storeClient,
            points: w.points,
            duration: w.perSeconds,
            keyPrefix: `${redis.prefix}${keyPrefix}`,
            rejectIfRedisNotReady: true,
          })
        : new RateLimiterMemory({ points: w.points, duration: w.perSeconds, keyPrefix });
      limiters.set(name, limiter);
    }
    return limiter;
  };
  const outage = outageBudget();
  const nameOf = (scope: string, operation: Operation, w: Window): string =>
    `${scope}:${operation}:${w.points}:${w.perSeconds}`;

  const windowsOf = (clientId: string, operation: Operation) => {
    const own = config.rateLimits.clients[clientId]?.[operation];
    return { windows: own ?? config.rateLimits.defaults[operation] ?? [], scope: own ? `c-${clientId}` : 'default' };
  };
  // Every limiter is made now, at start: RateLimiterRedis defines its Lua command on the shared
  // client, and an auto-pipeline begun before that definition lacks it, which misaligns the
  // pipeline's answers and crashes the process under a burst (ioredis issue #1931).
  const scopes: [string, OperationLimits][] = [
    ['default', config.rateLimits.defaults],
    ...Object.entries(config.rateLimits.clients).map(([id, own]): [string, OperationLimits] => [`c-${id}`, own]),
  ];
  for (const [scope, operations] of scopes) {
    for (const operation of OPERATIONS)
      for (const w of operations[operation] ?? []) limiterFor(nameOf(scope, operation, w), operation, w);
  }
  const refused = (operation: Operation, msBeforeNext: number): SectokenError => {
    onLimited(operation);
    return new SectokenError('rate_limited', `${REFUSED_BECAUSE[operation]}; retry later`, {
      retryAfter: Math.max(1, Math.ceil(msBeforeNext / 1000)),
    });
  };

  return {
    windows: (clientId, operation) => windowsOf(clientId, operation).windows,
    async consume(clientId, sector, operation, points) {
      const { windows, scope } = windowsOf(clientId, operation);
      // More than a window holds could never pass: retrying would not help (SPEC "Bad input and abuse").
      const smallest = windows.reduce<Window | undefined>(
        (least, w) => (least && least.points <= w.points ? least : w),
        undefined,
      );
      if (smallest && points > smallest.points) {
        throw new SectokenError(
          'batch_too_large',
          `${points} national IDs or tokens in one request can never fit this client's window of ${smallest.points} per ${smallest.perSeconds} s: send at most ${smallest.points} per request (GET /v1/me: limits.batchSize)`,
        );
      }
      const key = `${clientId}:${sector}`;
      const taken: { limiter: RateLimiterAbstract; endsAt: number }[] = [];
      for (const w of windows) {
        const name = nameOf(scope, operation, w);
        const limiter = limiterFor(name, operation, w);
        let failure: unknown;
        if (!redis || redis.reachable()) {
          try {
            const res = await limiter.consume(key, points);
            if (operation === 'identities') outage.note(`${name}:${key}`, w, res.consumedPoints, res.msBeforeNext);
            taken.push({ limiter, endsAt: Date.now() + res.msBeforeNext });
            continue;
          } catch (err) {
            if (!(err instanceof RateLimiterRes)) failure = err;
            else {
              if (operation === 'identities') outage.note(`${name}:${key}`, w, err.consumedPoints, err.msBeforeNext);
              throw refused(operation, err.msBeforeNext);
            }
          }
        }
        // Redis cannot be asked: tokenization goes on within the outage budget; the rest fails closed.
        if (operation !== 'identities') throw limitsUnavailable(failure);
        const wait = outage.take(`${name}:${key}`, w, points);
        if (wait !== undefined) throw refused(operation, wait * 1000);
      }
      return {
        async giveBack() {
          for (const t of taken) if (Date.now() < t.endsAt) await t.limiter.reward(key, points);
        },
      };
    },
  };
}
