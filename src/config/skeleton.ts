/**
 * The production configuration skeleton that `sectoken config init` writes: the sample's sectors,
 * legal bases, limits, rate-limit defaults and cache settings, with no clients (their keys are made
 * by `sectoken clients add`, never copied from the sample, whose keys are published) and
 * `development: false`. Made from the sample so that the two never drift apart.
 */
import { DEV_CONFIG_PATH } from './env.js';
import { readConfigJson } from './schema.js';

type Raw = Record<string, unknown> & { rateLimits?: { defaults?: unknown } };

export function productionSkeleton(keyringFingerprint: string | undefined): Record<string, unknown> {
  const sample = readConfigJson(DEV_CONFIG_PATH) as Raw;
  return {
    $comment:
      'PRODUCTION configuration made by `sectoken config init`: set its sectors and legal bases to your deployment before `sectoken keys init`; clients are made by `sectoken clients add` only.',
    development: false,
    ...(keyringFingerprint ? { keyringFingerprint } : {}),
    sectors: sample.sectors,
    clients: [],
    limits: sample.limits,
    legalBases: sample.legalBases,
    rateLimits: { defaults: sample.rateLimits?.defaults ?? {}, clients: {} },
    cache: sample.cache,
  };
}
