/**
 * The regulators' use cases with the service's parts in process (src/acts/deps.ts): the sample
 * configuration without limits, a fresh keyring, an audit log that keeps its records in an array
 * (and can be made to fail), and a request store that can be made to fail one event.
 */
import type { RegulatorDeps } from '../../src/acts/deps.js';
import type { AuditEntry } from '../../src/audit/chain/record.js';
import type { AuditLog } from '../../src/audit/writer/log.js';
import { parseConfig } from '../../src/config/schema.js';
import type { ActRequest, RequestEvent } from '../../src/dualControl/requestLife.js';
import type { RequestStore } from '../../src/dualControl/requestStore.js';
import { createTokenizer } from '../../src/derivation/tokenizer.js';
import { generateKeyring } from '../../src/keys/keyring.js';
import { createRateLimits } from '../../src/limits/rateLimits.js';
import { devConfig } from '../helpers/service.js';

export const T0 = 1_900_000_000_000;
const config = parseConfig({ ...devConfig(), rateLimits: { defaults: {}, clients: {} } }, 'sample');
const tokenizer = createTokenizer(config, generateKeyring(Object.keys(config.sectors), false));
/** AB123456's health token under this file's keyring. */
export const healthToken = tokenizer.tokenize('health', 'AB123456').token;

/** An audit log whose records are `records`; `refuse(entry)` makes an append fail with what it returns. */
export function recordingAudit(refuse: (entry: AuditEntry) => Error | undefined = () => undefined) {
  const records: AuditEntry[] = [];
  const audit = {
    append: async (entry: AuditEntry) => {
      const refusal = refuse(entry);
      if (refusal) throw refusal;
      records.push(entry);
      return { id: `a${records.length}` };
    },
    writable: () => true,
  } as unknown as AuditLog;
  return { audit, records };
}

/** `store`, but applying `event` fails with `error` (another instance won, or the store went away). */
export const failingOn = (store: RequestStore, event: RequestEvent, error: Error | undefined): RequestStore =>
  error
    ? {
        ...store,
        apply: (id, applied, now, by) =>
          applied === event ? Promise.reject(error) : store.apply(id, applied, now, by),
      }
    : store;

/** The deps of the regulators' acts at time T0. */
export const regulatorDeps = (audit: AuditLog, requests: RequestStore): RegulatorDeps => ({
  tokenizer: () => tokenizer,
  config,
  audit,
  requests,
  limits: createRateLimits(config, undefined, () => undefined),
  now: () => T0,
});

/** A reverse of AB123456's health token asked by Amina at T0 - 120 s, in `state`. */
export const reverseRequest = (
  id: string,
  fields: Pick<ActRequest, 'state' | 'expiresAt' | 'decidedBy'>,
): ActRequest => ({
  id,
  act: 'reverse',
  sector: 'health',
  toSector: null,
  token: healthToken,
  legalBasis: 'CNDP-D-97-2020',
  caseId: 'C-1',
  purpose: 'p',
  requester: { client: 'reg-a', person: 'Amina', organisation: "Amina's office" },
  createdAt: T0 - 120_000,
  ...fields,
});
