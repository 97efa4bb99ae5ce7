/**
 * The published development API keys (SPEC "Operations"): the sample configuration's clients use
 * `stk_dev_<client id>`, printed in the README. Production refuses any client holding one, so a
 * copy of the sample with `"development": false` cannot serve under keys anyone can read.
 */
import type { ClientConfig } from '../config/schema.js';
import { hashApiKey } from './apiKeys.js';

/** The clients of config/sectoken.dev.json (a test keeps this list and the file in step). */
export const SAMPLE_CLIENT_IDS = [
  'hospital-backend',
  'tax-backend',
  'welfare-backend',
  'bank-backend',
  'regulator-cndp',
  'regulator-health',
  'auditor',
  'operator',
  'regulator-cndp-b',
  'registry-backend',
] as const;

export const devApiKey = (clientId: string): string => `stk_dev_${clientId}`;

const PUBLISHED = new Set(SAMPLE_CLIENT_IDS.map((id) => hashApiKey(devApiKey(id))));

/** Whether the client's key is `stk_dev_<its own id>` or one of the sample's published keys. */
export const hasPublishedKey = (client: Pick<ClientConfig, 'id' | 'apiKeySha256'>): boolean =>
  PUBLISHED.has(client.apiKeySha256) || client.apiKeySha256 === hashApiKey(devApiKey(client.id));
