/**
 * Assembles a running service from settings: configuration, keyring, tokenizer, clients, audit
 * log, Redis (optional), cache, limits, dual-control requests, metrics, app. Every refusal to start
 * is a typed error with a one-line reason (ConfigError, KeyringError, AuditStartError).
 *
 * What the configuration and the keyring make (tokenizer, clients, use cases' deps, the express
 * app) is one value, swapped whole by reload() (SIGHUP): a request is served by one configuration
 * and keyring from start to end, and a reload that fails changes nothing. What outlives a reload
 * is what a configuration does not make: the audit log, Redis, the rate limits' counters (which
 * read the windows in force at each call), dual-control requests, metrics.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import express, { type Express } from 'express';
import { clientDirectory } from './access/apiKeys.js';
import { hasPublishedKey } from './access/devKeys.js';
import type { RegulatorDeps } from './acts/deps.js';
import { createDerivationQueue } from './acts/tokens/derivationQueue.js';
import { expireOverdue } from './acts/requests/expire.js';
import type { TokenDeps } from './acts/tokens/tokenize.js';
import { auditReader } from './audit/reader/auditReader.js';
import { checkpointSigner } from './audit/chain/checkpoint.js';
import { auditDiskLow } from './audit/writer/disk.js';
import { openAuditLog, type AuditLog } from './audit/writer/log.js';
import { refusalRecorder, type RefusalRecorder } from './audit/writer/refusals.js';
import { DEV_CONFIG_PATH, PACKAGE_ROOT, type Settings } from './config/env.js';
import { keyringTerms } from './config/keyringTerms.js';
import { ConfigError, loadConfigFile, type Config } from './config/schema.js';
import { createTokenizer, type Tokenizer } from './derivation/tokenizer.js';
import { createApp } from './http/app.js';
import type { Readiness } from './http/routes/health.js';
import { loggingChanges } from './http/readinessChanges.js';
import type { KekLocation } from './keys/kek.js';
import { KeyringError, type Keyring } from './keys/keyring.js';
import { loadKeyring } from './keys/store.js';
import { createRateLimits } from './limits/rateLimits.js';
import type { Logger } from './log.js';
import { createMetrics, type Metrics } from './metrics.js';
import { memoryRequestStore } from './dualControl/requestStore.js';
import { connectRedis, type SharedRedis } from './store/redis.js';
import { redisAddress, warnIfUnreachableAtStart } from './store/redisStart.js';
import { redisRequestStore } from './store/redisRequests.js';
import { createTokenCache } from './store/tokenCache.js';

export interface Service {
  /** Hands each request to the configuration in force (reload() swaps it). */
  app: Express;
  /** The configuration in force. */
  readonly config: Config;
  tokenizer: () => Tokenizer;
  audit: AuditLog;
  /** Refusals of unauthenticated callers, aggregated per source and interval (src/audit/writer/refusals.ts). */
  refusals: RefusalRecorder;
  /** The regulators' use cases' deps under the configuration in force. */
  readonly regulators: RegulatorDeps;
  /** The services' use cases' deps under the configuration in force. */
  readonly tokens: TokenDeps;
  metrics: Metrics;
  redis: SharedRedis | undefined;
  development: boolean;
  notices: string[];
  /**
   * Re-reads the configuration and the keyring and swaps both in together (SIGHUP), returning
   * what the keyring load said; throws ConfigError or KeyringError and changes nothing when
   * either is refused.
   */
  reload(): string[];
  /** Closes pending dual-control requests past their time, each with an audit record. */
  expireRequests(): Promise<number>;
  close(): Promise<void>;
}

export const VERSION: string = (
  JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string }
).version;

/** How production clients are made, in every refusal that concerns them. */
const MAKE_CLIENTS = 'production needs a configuration of its own, with clients created by `sectoken clients add`';

/**
 * The configuration file, refused in production when it is the development sample or when a
 * client holds a published development API key.
 */
export function loadServiceConfig(settings: Settings): Config {
  const config = loadConfigFile(settings.configPath);
  if (settings.production && config.development) {
    // The tracked sample is called so; any other file says what marks it (it may hold no published key).
    const what =
      resolve(settings.configPath) === resolve(DEV_CONFIG_PATH)
        ? 'is the development sample (its API keys are published)'
        : 'is marked "development": true (a development configuration)';
    throw new ConfigError(`${settings.configPath} ${what}: ${MAKE_CLIENTS}`);
  }
  const published = settings.production ? config.clients.find(hasPublishedKey) : undefined;
  if (published) {
    throw new ConfigError(
      `client "${published.id}" in ${settings.configPath} has a published development API key (stk_dev_…): ${MAKE_CLIENTS}`,
    );
  }
  return config;
}

const hasRedis = (settings: Settings): boolean => Boolean(settings.redis.url || settings.redis.clusterNodes?.length);

/**
 * Workers without Redis each keep their own limits, quotas and dual-control requests, so each
 * would grant the full quota and no worker could see another's requests. Production refuses
 * that; development refuses it only where dual control is configured, and otherwise returns a
 * warning to say.
 */
export function checkWorkers(settings: Settings, config: Config): string | undefined {
  if (settings.workers <= 1 || hasRedis(settings)) return undefined;
  const fix = 'set REDIS_URL (or REDIS_CLUSTER_NODES) or SECTOKEN_WORKERS=1';
  if (settings.production) {
    throw new ConfigError(
      `SECTOKEN_WORKERS=${settings.workers} without Redis would multiply every rate limit and quota by ${settings.workers}: ${fix}`,
    );
  }
  const dualControl =
    Object.values(config.sectors).some((s) => s.dualControl) || config.legalBases.some((b) => b.dualControl);
  if (dualControl) {
    throw new ConfigError(
      `SECTOKEN_WORKERS=${settings.workers} without Redis cannot share dual-control requests between workers, and this configuration demands dual control: ${fix}`,
    );
  }
  return `SECTOKEN_WORKERS=${settings.workers} without Redis: each worker grants the full rate limits and quotas (production refuses this; ${fix})`;
}

/** A configuration and its keyring, each checked as at start. */
export interface Configured {
  config: Config;
  keyring: Keyring;
  /** The keyring's identity (src/keys/fingerprint.ts): the same through rotations and new sectors. */
  fingerprint: string;
  /** What loading the keyring created or changed, to be said loudly. */
  notices: string[];
  /** Where the KEK that opened it lives (a file or a PKCS#11 token): /readyz says it. */
  kek: KekLocation;
  /** Why several workers without Redis are risky, when they are allowed (checkWorkers). */
  unshared: string | undefined;
}

/**
 * Reads the configuration and the keyring and checks them as a start does. With `running`, it is
 * a reload: it creates no key material and refuses a keyring other than the running one, whose
 * keys the audit chain, the checkpoints, the sealed requests and the token cache are bound to.
 */
export function loadConfigured(settings: Settings, running?: Pick<Configured, 'fingerprint'>): Configured {
  const config = loadServiceConfig(settings);
  const unshared = checkWorkers(settings, config);
  // A reload never makes key material: a keyring gone missing stays missing.
  if (running && !existsSync(settings.keyringPath))
    throw new KeyringError(`${settings.keyringPath} is missing: a reload never makes keys; put it back, or restart`);
  const { keyring, fingerprint, notices, kek } = loadKeyring(settings, keyringTerms(settings, config));
  if (running && fingerprint !== running.fingerprint) {
    throw new KeyringError(
      `${settings.keyringPath} is another keyring (fingerprint ${fingerprint}) than the one this process started with (${running.fingerprint}): a reload takes rotations and new sectors, a new keyring needs a restart`,
    );
  }
  return { config, keyring, fingerprint, notices, kek: kek.location, unshared };
}

export function createService(settings: Settings, logger: Logger): Service {
  const started = loadConfigured(settings); // checkWorkers: the primary says the warning once
  const { keyring, fingerprint: keyringFingerprint, notices } = started;
  const metrics = createMetrics(Boolean(settings.redis.url || settings.redis.clusterNodes));

  const rawAudit = openAuditLog({
    dir: settings.auditDir,
    instance: settings.instanceId,
    macKey: keyring.auditMac,
    onFailure: (err) =>
      logger.error(
        { err: { code: (err as NodeJS.ErrnoException).code, message: (err as Error).message } },
        'audit log failed: audited acts are refused until restart',
      ),
  });
  const redis = connectRedis(settings.redis, {
    onStateChange: (state) => {
      metrics.redisUp?.set(state === 'ok' ? 1 : 0);
      // Connecting is good news (info); losing Redis is worth a warning.
      if (state === 'ok') logger.info({ redis: state }, 'Redis connected');
      else logger.warn({ redis: state }, 'Redis unreachable: going on without it');
    },
    onError: () => metrics.redisErrors.inc(),
  });
  metrics.redisUp?.set(0);
  if (redis)
    warnIfUnreachableAtStart(redis, (reason) =>
      logger.warn({ redis: redisAddress(settings.redis), reason }, 'Redis unreachable at start: going on without it'),
    );

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
  // The counters outlive a reload (a SIGHUP hands out no fresh quota); the windows are the ones in force.
  // The windows in force: the started configuration's until a reload takes another.
  const inForce = { rateLimits: started.config.rateLimits };
  const limits = createRateLimits(inForce, redis, (operation) => metrics.rateLimited.inc({ operation }));
  // Several workers without Redis are refused at start where dual control is configured.
  const requests = redis ? redisRequestStore(redis, keyring.root) : memoryRequestStore();
  const queue = createDerivationQueue();
  const refusals = refusalRecorder(audit);
  // Reads of the whole log (queries, charts, verification) run off the event loop.
  const reader = auditReader(PACKAGE_ROOT);
  const auditDeps = {
    dir: settings.auditDir,
    log: audit,
    macKey: keyring.auditMac,
    signer: checkpointSigner(keyring.auditSigning),
    logger,
    refusals,
    issued: { last: undefined },
    reader,
  };
  const readiness = loggingChanges((): Readiness => {
    // writable() also notices a deleted, replaced or cut file; a low disk is reported before it fills.
    const auditState = !rawAudit.writable()
      ? 'unavailable'
      : auditDiskLow(settings.auditDir, settings.auditMinFreeMb)
        ? 'disk_low'
        : 'ok';
    // Redis is reported, not required: tokenization goes on without it.
    return {
      status: auditState === 'ok' ? 'ready' : 'not_ready',
      keyringFingerprint,
      kek: started.kek,
      checks: { keys: 'ok', audit: auditState, redis: redis ? redis.state() : 'disabled' },
    };
  }, logger);

  /** Everything one configuration and keyring make, down to the app that serves them. */
  const assemble = ({ config, keyring }: Configured) => {
    const tokenizer = createTokenizer(config, keyring);
    const tokens: TokenDeps = {
      tokenizer: () => tokenizer,
      cache: createTokenCache(config, keyring.cacheIndex, redis, metrics),
      metrics,
      limits,
      queue,
    };
    const regulators: RegulatorDeps = { tokenizer: () => tokenizer, config, audit, requests, limits, now: Date.now };
    const app = createApp({
      config,
      tokens,
      metrics,
      clients: clientDirectory(config.clients),
      logger,
      readiness,
      regulators,
      audit: auditDeps,
      version: VERSION,
    });
    return { config, tokenizer, tokens, regulators, app };
  };
  let current = assemble(started);
  // The one entry point: each request goes to the app of the configuration in force when it arrives.
  const front = express();
  front.disable('x-powered-by');
  front.use((req, res, next) => current.app(req, res, next));

  return {
    app: front,
    get config() {
      return current.config;
    },
    tokenizer: () => current.tokenizer,
    audit,
    refusals,
    get regulators() {
      return current.regulators;
    },
    get tokens() {
      return current.tokens;
    },
    metrics,
    redis,
    development: keyring.development,
    notices,
    reload() {
      const next = loadConfigured(settings, started);
      current = assemble(next); // one assignment: all of it, or (on a throw above) none
      inForce.rateLimits = next.config.rateLimits;
      return next.notices;
    },
    expireRequests: () => expireOverdue(current.regulators),
    async close() {
      await reader.close();
      await refusals.close();
      await rawAudit.close();
      await redis?.close();
    },
  };
}
