import type { AuditLog } from '../audit/writer/log.js';
import type { Config } from '../config/schema.js';
import type { Tokenizer } from '../derivation/tokenizer.js';
import type { RateLimits } from '../limits/rateLimits.js';
import type { RequestStore } from '../dualControl/requestStore.js';

/** What the regulators' use cases work with. The tokenizer is read per call: SIGHUP may swap it. */
export interface RegulatorDeps {
  tokenizer: () => Tokenizer;
  config: Pick<Config, 'sectors' | 'legalBases' | 'limits'>;
  audit: AuditLog;
  requests: RequestStore;
  limits: RateLimits;
  now: () => number;
}

export interface ActContext {
  caseId: string;
  purpose: string;
  legalBasis?: string | undefined;
}
