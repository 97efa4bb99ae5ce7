/**
 * Prometheus metrics (prom-client). Labels are closed sets (route patterns, status codes, sector
 * ids, policies, tiers, operations): never an identifier, a token or a client secret.
 * `registry` is what GET /metrics serves (to the operator role only). The cache hit and miss
 * counters live in `internal`, never served: they move when a person already looked up is looked
 * up again, so whoever watched them would learn who was tokenized (SPEC "Bad input and abuse").
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface Metrics {
  /** Served by GET /metrics. */
  registry: Registry;
  /** Kept in process for tests and the benchmark; never served. */
  internal: Registry;
  requests: Counter<'route' | 'method' | 'status'>;
  latency: Histogram<'route' | 'method'>;
  tokensIssued: Counter<'sector' | 'policy'>;
  cacheHits: Counter<'tier'>;
  cacheMisses: Counter<'tier'>;
  /** Redis cache values that failed their MAC (swapped or forged), treated as misses. */
  cacheRejected: Counter;
  redisErrors: Counter;
  /** Registered only when Redis is configured, so that its absence reads as absence, not as down. */
  redisUp: Gauge | undefined;
  rateLimited: Counter<'operation'>;
  auditRecords: Counter;
  auditFailures: Counter;
}

export function createMetrics(withRedis: boolean): Metrics {
  const registry = new Registry();
  // prom-client's names already start with process_ (or nodejs_): one prefix, not two.
  collectDefaultMetrics({ register: registry, prefix: 'sectoken_' });
  const registers = [registry];
  const internal = new Registry();
  return {
    registry,
    internal,
    requests: new Counter({
      name: 'sectoken_http_requests_total',
      help: 'HTTP requests by route pattern, method and status',
      labelNames: ['route', 'method', 'status'],
      registers,
    }),
    latency: new Histogram({
      name: 'sectoken_http_request_duration_seconds',
      help: 'HTTP request latency by route pattern',
      labelNames: ['route', 'method'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
      registers,
    }),
    tokensIssued: new Counter({
      name: 'sectoken_tokens_issued_total',
      help: 'Tokens issued by sector and policy',
      labelNames: ['sector', 'policy'],
      registers,
    }),
    cacheHits: new Counter({
      name: 'sectoken_cache_hits_total',
      help: 'Token cache hits by tier (lru, redis)',
      labelNames: ['tier'],
      registers: [internal],
    }),
    cacheMisses: new Counter({
      name: 'sectoken_cache_misses_total',
      help: 'Token cache misses by tier (lru, redis)',
      labelNames: ['tier'],
      registers: [internal],
    }),
    cacheRejected: new Counter({
      name: 'sectoken_cache_rejected_total',
      help: 'Redis cache values that failed their MAC (swapped or forged), treated as misses',
      registers,
    }),
    redisErrors: new Counter({
      name: 'sectoken_redis_errors_total',
      help: 'Failed or timed-out Redis commands and connection errors',
      registers,
    }),
    redisUp: withRedis
      ? new Gauge({
          name: 'sectoken_redis_up',
          help: '1 when Redis answers, 0 when degraded; absent without Redis',
          registers,
        })
      : undefined,
    rateLimited: new Counter({
      name: 'sectoken_rate_limited_total',
      help: 'Requests refused by a rate limit or quota, by operation',
      labelNames: ['operation'],
      registers,
    }),
    auditRecords: new Counter({ name: 'sectoken_audit_records_total', help: 'Audit records made durable', registers }),
    auditFailures: new Counter({
      name: 'sectoken_audit_failures_total',
      help: 'Audited acts refused because the audit log failed',
      registers,
    }),
  };
}
