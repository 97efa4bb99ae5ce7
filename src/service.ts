/**
 * Assembles a running service from settings: configuration, keyring, tokenizer, clients, audit
 * log, dual-control requests, app. Every refusal to start is a typed error with a one-line reason
 * (ConfigError, KeyringError). reloadKeys() swaps in a re-read keyring (SIGHUP after a rotation).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Express } from 'express';
import { clientDirectory } from './access/apiKeys.js';
import { checkpointSigner } from './audit/checkpoint.js';
import { openAuditLog, type AuditLog } from './audit/log.js';
import { PACKAGE_ROOT, type Settings } from './config/env.js';
import { ConfigError, loadConfigFile, type Config } from './config/schema.js';
import { createApp } from './http/app.js';
import type { Readiness } from './http/routes/health.js';
import { loadKeyring } from './keys/store.js';
import type { Logger } from './log.js';
import type { RegulatorDeps } from './regulators/deps.js';
import { memoryRequestStore } from './regulators/requests.js';
import { expireOverdue } from './regulators/reverse.js';
import { createTokenizer, type Tokenizer } from './tokens/tokenizer.js';

export interface Service {
  app: Express;
  config: Config;
  tokenizer: () => Tokenizer;
  audit: AuditLog;
  regulators: RegulatorDeps;
  development: boolean;
  notices: string[];
  /** Re-reads the keyring (after `sectoken keys rotate`) and swaps the tokenizer in. */
  reloadKeys(): void;
  /** Closes pending dual-control requests past their time, each with an audit record. */
  expireRequests(): Promise<number>;
  close(): Promise<void>;
}

export const VERSION: string = (JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string }).version;

export function createService(settings: Settings, logger: Logger): Service {
  const config = loadConfigFile(settings.configPath);
  if (settings.production && config.development) {
    throw new ConfigError(`${settings.configPath} is a development configuration (its API keys are public): production needs "development": false`);
  }
  const sectorIds = Object.keys(config.sectors);
  const { keyring, notices } = loadKeyring(settings, sectorIds);
  let tokenizer = createTokenizer(config, keyring);
  const currentTokenizer = (): Tokenizer => tokenizer;

  const audit = openAuditLog({
    dir: settings.auditDir,
    instance: settings.instanceId,
    macKey: keyring.auditMac,
    onFailure: (err) => logger.error({ err: { code: (err as NodeJS.ErrnoException).code, message: (err as Error).message } }, 'audit log failed: audited acts are refused until restart'),
  });
  const regulators: RegulatorDeps = { tokenizer: currentTokenizer, config, audit, requests: memoryRequestStore(), now: Date.now };
  const readiness = (): Readiness => {
    const auditState = audit.writable() ? 'ok' : 'unavailable';
    return { status: auditState === 'ok' ? 'ready' : 'not_ready', checks: { keys: 'ok', audit: auditState, redis: 'disabled' } };
  };
  const app = createApp({
    config,
    tokenizer: currentTokenizer,
    clients: clientDirectory(config.clients),
    logger,
    readiness,
    regulators,
    audit: { dir: settings.auditDir, log: audit, macKey: keyring.auditMac, signer: checkpointSigner(keyring.auditSigning), logger },
    version: VERSION,
  });
  return {
    app,
    config,
    tokenizer: currentTokenizer,
    audit,
    regulators,
    development: keyring.development,
    notices,
    reloadKeys() {
      tokenizer = createTokenizer(config, loadKeyring(settings, sectorIds).keyring);
    },
    expireRequests: () => expireOverdue(regulators),
    close: () => audit.close(),
  };
}
