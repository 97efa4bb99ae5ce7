/**
 * Says once, at start, that Redis cannot be reached (SPEC "Redis": reported, not required): the
 * address without its credentials and the reason, so an operator sees a mistyped REDIS_URL at once
 * instead of a service that quietly runs on in-process limits.
 */
import type { RedisSettings, SharedRedis } from './redis.js';

/** Where Redis was looked for, without user name, password or query (REDIS_URL may carry them). */
export function redisAddress(settings: Pick<RedisSettings, 'url' | 'clusterNodes'>): string {
  if (settings.clusterNodes) return `cluster ${settings.clusterNodes.join(',')}`;
  try {
    const url = new URL(settings.url ?? '');
    return `${url.protocol}//${url.host}${url.pathname}`;
  } catch {
    return '(REDIS_URL is not a URL)';
  }
}

/** Calls warn with the reason of the first connection error, unless Redis was ready first. */
export function warnIfUnreachableAtStart(redis: SharedRedis, warn: (reason: string) => void): void {
  const { client } = redis;
  const onError = (err: NodeJS.ErrnoException): void => {
    client.off('ready', onReady);
    // An AggregateError (every address of a name refused) has an empty message but a code.
    warn(err.message || err.code || err.name);
  };
  const onReady = (): void => {
    client.off('error', onError);
  };
  client.once('error', onError);
  client.once('ready', onReady);
}
