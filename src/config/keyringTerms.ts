/**
 * What a configuration expects of its keyring (SPEC "Keys"), for src/keys/store.ts loadKeyring:
 * start and reload both build it from the configuration they serve.
 */
import type { KeyringTerms } from '../keys/store.js';
import type { Settings } from './env.js';
import type { Config } from './schema.js';

export function keyringTerms(settings: Settings, config: Config): KeyringTerms {
  return {
    sectorIds: Object.keys(config.sectors),
    fingerprint: config.keyringFingerprint,
    developmentConfig: config.development,
    // Development keys are made for the sample at its default paths only, and never for a pinned configuration.
    mayCreate: settings.defaultKeyPaths && config.development && config.keyringFingerprint === undefined,
    configPath: settings.configPath,
  };
}
