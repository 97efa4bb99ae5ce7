/**
 * The shared Redis (SPEC "Redis"): one server (REDIS_URL) or a Cluster (REDIS_CLUSTER_NODES).
 * Commands time out after REDIS_COMMAND_TIMEOUT_MS and fail at once while disconnected (no offline
 * queue), so a slow or absent Redis never holds a request; ioredis reconnects by itself.
 */
import { Cluster, Redis } from 'ioredis';

export type RedisClient = Redis | Cluster;
const PROBE_INTERVAL_MS = 500;
export type RedisState = 'ok' | 'degraded' | 'disabled';

export interface RedisSettings {
  url: string | undefined;
  clusterNodes: string[] | undefined;
  prefix: string;
  commandTimeoutMs: number;
}

export interface SharedRedis {
  client: RedisClient;
  prefix: string;
  state(): RedisState;
  close(): Promise<void>;
}

export function connectRedis(settings: RedisSettings, hooks: { onStateChange?: (state: RedisState) => void; onError?: () => void } = {}): SharedRedis | undefined {
  if (!settings.url && !settings.clusterNodes) return undefined;
  const common = {
    enableOfflineQueue: false,
    commandTimeout: settings.commandTimeoutMs,
    connectTimeout: Math.max(200, settings.commandTimeoutMs * 4),
    maxRetriesPerRequest: 0,
    enableAutoPipelining: true,
    // Reconnect for ever, backing off to 1 s: Redis coming back is picked up without a restart.
    retryStrategy: (times: number) => Math.min(50 * times, 1000),
  };
  const client: RedisClient = settings.clusterNodes
    ? new Cluster(
        settings.clusterNodes.map((node) => {
          const [host, port] = node.split(':');
          return { host: host!, port: Number(port) };
        }),
        { enableOfflineQueue: false, enableAutoPipelining: true, clusterRetryStrategy: (times: number) => Math.min(50 * times, 1000), redisOptions: common },
      )
    : new Redis(settings.url!, common);

  let state: RedisState = 'degraded';
  const set = (next: RedisState): void => {
    if (next !== state) {
      state = next;
      hooks.onStateChange?.(next);
    }
  };
  client.on('ready', () => set('ok'));
  client.on('close', () => set('degraded'));
  client.on('end', () => set('degraded'));
  // Without a listener ioredis prints every connection error; they are counted instead.
  client.on('error', () => hooks.onError?.());
  // A hung Redis keeps its connection open: a PING under the command timeout tells it apart,
  // and while degraded the cache and limits do not wait on it at all.
  const probe = setInterval(() => {
    client.ping().then(
      () => set('ok'),
      () => {
        hooks.onError?.();
        set('degraded');
      },
    );
  }, PROBE_INTERVAL_MS);
  probe.unref();
  return {
    client,
    prefix: settings.prefix,
    state: () => state,
    async close() {
      clearInterval(probe);
      client.disconnect();
    },
  };
}
