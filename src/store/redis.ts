/**
 * The shared Redis (SPEC "Redis"): one server (REDIS_URL) or a Cluster (REDIS_CLUSTER_NODES).
 * Commands time out after REDIS_COMMAND_TIMEOUT_MS and fail at once while disconnected (no offline
 * queue), so a slow or absent Redis never holds a request; ioredis reconnects by itself.
 */
import { Cluster, Redis } from 'ioredis';

export type RedisClient = Redis | Cluster;
const PROBE_INTERVAL_MS = 500;
/**
 * Whether the shared limits can be asked is measured on Redis, not on the event loop: a probe on a
 * connection of its own, with a timeout far above a busy loop's lag, and only several consecutive
 * misses (about 2 s of silence) count as unreachable. One late PING under load switches nothing.
 */
const LIMITS_PROBE_INTERVAL_MS = 250;
const PATIENT_TIMEOUT_MS = 500;
const LIMITS_MISSES = 3;
export type RedisState = 'ok' | 'degraded' | 'disabled';

export interface RedisSettings {
  url: string | undefined;
  clusterNodes: string[] | undefined;
  prefix: string;
  commandTimeoutMs: number;
}

export interface SharedRedis {
  client: RedisClient;
  /**
   * The same Redis on a connection of its own whose commands may wait longer (500 ms): for the few
   * commands that fail closed rather than go on without Redis (the limits of reverse, translate and
   * refusals), so that a busy event loop does not refuse them.
   */
  patient: RedisClient;
  prefix: string;
  state(): RedisState;
  /** False only after several consecutive missed probes: then the limits stop asking Redis (src/limits/). */
  reachable(): boolean;
  close(): Promise<void>;
}

export function connectRedis(
  settings: RedisSettings,
  hooks: { onStateChange?: (state: RedisState) => void; onError?: () => void } = {},
): SharedRedis | undefined {
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
  const connect = (commandTimeout: number): RedisClient =>
    settings.clusterNodes
      ? new Cluster(
          settings.clusterNodes.map((node) => {
            const [host, port] = node.split(':');
            return { host: host ?? '', port: Number(port) };
          }),
          {
            enableOfflineQueue: false,
            enableAutoPipelining: true,
            clusterRetryStrategy: (times: number) => Math.min(50 * times, 1000),
            redisOptions: { ...common, commandTimeout },
          },
        )
      : new Redis(settings.url ?? '', { ...common, commandTimeout });
  const client = connect(settings.commandTimeoutMs);
  const patient = connect(Math.max(PATIENT_TIMEOUT_MS, settings.commandTimeoutMs));
  patient.on('error', () => undefined);
  let misses = 0;
  let closed = false;
  let limitsTimer: NodeJS.Timeout | undefined;
  // One probe at a time: the next is sent a while after the last one's answer or timeout.
  const probeForLimits = (): void => {
    patient
      .ping()
      .then(
        () => (misses = 0),
        () => (misses += 1),
      )
      .finally(() => {
        if (closed) return;
        limitsTimer = setTimeout(probeForLimits, LIMITS_PROBE_INTERVAL_MS);
        limitsTimer.unref();
      });
  };
  probeForLimits();

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
    patient,
    prefix: settings.prefix,
    state: () => state,
    reachable: () => misses < LIMITS_MISSES,
    async close() {
      closed = true;
      clearInterval(probe);
      clearTimeout(limitsTimer);
      patient.disconnect();
      client.disconnect();
    },
  };
}
