/**
 * Assembles a running service from settings: configuration, keyring, tokenizer, clients, app.
 * Every refusal to start is a typed error with a one-line reason (ConfigError, KeyringError).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Express } from 'express';
import { clientDirectory } from './access/apiKeys.js';
import { PACKAGE_ROOT, type Settings } from './config/env.js';
import { ConfigError, loadConfigFile, type Config } from './config/schema.js';
import { createApp } from './http/app.js';
import type { Readiness } from './http/routes/health.js';
import { loadKeyring } from './keys/store.js';
import type { Logger } from './log.js';
import { createTokenizer, type Tokenizer } from './tokens/tokenizer.js';

export interface Service {
  app: Express;
  config: Config;
  tokenizer: Tokenizer;
  development: boolean;
  notices: string[];
}

export const VERSION: string = (JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string }).version;

export function createService(settings: Settings, logger: Logger): Service {
  const config = loadConfigFile(settings.configPath);
  if (settings.production && config.development) {
    throw new ConfigError(`${settings.configPath} is a development configuration (its API keys are public): production needs "development": false`);
  }
  const { keyring, notices } = loadKeyring(settings, Object.keys(config.sectors));
  const tokenizer = createTokenizer(config, keyring);
  const readiness = (): Readiness => ({ status: 'ready', checks: { keys: 'ok', audit: 'disabled', redis: 'disabled' } });
  const app = createApp({ config, tokenizer, clients: clientDirectory(config.clients), logger, readiness, version: VERSION });
  return { app, config, tokenizer, development: keyring.development, notices };
}
