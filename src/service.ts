/**
 * Assembles a running service from settings: configuration, keyring, tokenizer, clients, audit
 * log, Redis (optional), cache, limits, dual-control requests, metrics, app. Every refusal to start
 * is a typed error with a one-line reason (ConfigError, KeyringError, AuditStartError). reloadKeys() swaps in a
 * re-read keyring (SIGHUP after a rotation).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Express } from 'express';
import { clientDirectory } from './access/apiKeys.js';
import { checkpointSigner } from './audit/checkpoint.js';
import { auditDiskLow } from './audit/disk.js';
import { openAuditLog, type AuditLog } from './audit/log.js';
import { refusalRecorder, type RefusalRecorder } from './audit/refusals.js';
import { PACKAGE_ROOT, type Settings } from './config/env.js';
import { ConfigError, loadConfigFile, type Config } from './config/schema.js';
import { createApp } from './http/app.js';
import type { Readiness } from './http/routes/health.js';
import { loadKeyring } from './keys/store.js';
import { createRateLimits } from './limits/rateLimits.js';
import type { Logger } from './log.js';
import { createMetrics, type Metrics } from './metrics.js';
import type { RegulatorDeps } from './regulators/deps.js';
import { memoryRequestStore, unavailableRequestStore } from './regulators/requests.js';
import { expireOverdue } from './regulators/reverse.js';
import { connectRedis, type SharedRedis } from './store/redis.js';
import { redisRequestStore } from './store/requests.js';
import { createTokenCache } from './store/tokenCache.js';
import type { TokenDeps } from './tokens/tokenize.js';
import { createTokenizer, type Tokenizer } from './tokens/tokenizer.js';

export interface Service {
  app: Express;
  config: Config;
  tokenizer: () => Tokenizer;
  audit: AuditLog;
  /** Refusals of unauthenticated callers, aggregated per source and interval (src/audit/refusals.ts). */
  refusals: RefusalRecorder;
  regulators: RegulatorDeps;
  tokens: TokenDeps;
  metrics: Metrics;
  redis: SharedRedis | undefined;
  development: boolean;
  notices: string[];
  /** Re-reads the keyring (after `sectoken keys rotate`) and swaps the tokenizer in. */
  reloadKeys(): void;
  /** Closes pending dual-control requests past their time, each with an audit record. */
  expireRequests(): Promise<number>;
  close(): Promise<void>;
}

export const VERSION: string = (JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string }).version;

/** The configuration file, refused in production when it is the development sample. */
export function loadServiceConfig(settings: Settings): Config {
  const config = loadConfigFile(settings.configPath);
  if (settings.production && config.development) {
    throw new ConfigError(`${settings.configPath} is a development configuration (its API keys are public): production needs "development": false`);
  }
  return config;
}

export function createService(settings: Settings, logger: Logger): Service {
  const config = loadServiceConfig(settings);
  const sectorIds = Object.keys(config.sectors);
  const { keyring, notices } = loadKeyring(settings, sectorIds);
  let tokenizer = createTokenizer(config, keyring);
  const currentTokenizer = (): Tokenizer => tokenizer;
  const metrics = createMetrics(Boolean(settings.redis.url || settings.redis.clusterNodes));

  const redis = connectRedis(settings.redis, {
    onStateChange: (state) => {
      metrics.redisUp?.set(state === 'ok' ? 1 : 0);
      logger.warn({ redis: state }, state === 'ok' ? 'Redis connected' : 'Redis unreachable: going on without it');
    },
    onError: () => metrics.redisErrors.inc(),
  });
  metrics.redisUp?.set(0);

  const rawAudit = openAuditLog({
    dir: settings.auditDir,
    instance: settings.instanceId,
    macKey: keyring.auditMac,
    onFailure: (err) => logger.error({ err: { code: (err as NodeJS.ErrnoException).code, message: (err as Error).message } }, 'audit log failed: audited acts are refused until restart'),
  });
  const audit: AuditLog = {
    ...rawAudit,
    append: (entry) =>
      rawAudit.append(entry).then(
        (record) => {
          metrics.auditRecords.inc();
          return record;
        },
        (err: unknown) => {
          metrics.auditFailures.inc();
          throw err;
        },
      ),
  };
  const limits = createRateLimits(config, redis, (operation) => metrics.rateLimited.inc({ operation }));
  const tokens: TokenDeps = { tokenizer: currentTokenizer, cache: createTokenCache(config, keyring.cacheIndex, redis, metrics), metrics, limits };
  const regulators: RegulatorDeps = {
    tokenizer: currentTokenizer,
    config,
    audit,
    requests: redis ? redisRequestStore(redis, keyring.root) : settings.workers > 1 ? unavailableRequestStore() : memoryRequestStore(),
    limits,
    now: Date.now,
  };
  const refusals = refusalRecorder(audit);
  const readiness = (): Readiness => {
    // writable() also notices a deleted, replaced or cut file; a low disk is reported before it fills.
    const auditState = !rawAudit.writable() ? 'unavailable' : auditDiskLow(settings.auditDir, settings.auditMinFreeMb) ? 'disk_low' : 'ok';
    // Redis is reported, not required: tokenization goes on without it.
    return { status: auditState === 'ok' ? 'ready' : 'not_ready', checks: { keys: 'ok', audit: auditState, redis: redis ? redis.state() : 'disabled' } };
  };
  const app = createApp({
    config,
    tokens,
    metrics,
    clients: clientDirectory(config.clients),
    logger,
    readiness,
    regulators,
    audit: { dir: settings.auditDir, log: audit, macKey: keyring.auditMac, signer: checkpointSigner(keyring.auditSigning), logger, refusals },
    version: VERSION,
  });
  return {
    app,
    config,
    tokenizer: currentTokenizer,
    audit,
    refusals,
    regulators,
    tokens,
    metrics,
    redis,
    development: keyring.development,
    notices,
    reloadKeys() {
      tokenizer = createTokenizer(config, loadKeyring(settings, sectorIds).keyring);
    },
    expireRequests: () => expireOverdue(regulators),
    async close() {
      await refusals.close();
      await rawAudit.close();
      await redis?.close();
    },
  };
}
