/**
 * Starts the real service for tests: a temporary directory with a copy of the development
 * configuration (or a given one), a freshly generated production-style keyring sealed under a
 * random KEK, and a logger whose lines are captured in memory for leak checks.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { Settings } from '../../src/config/env.js';
import { PACKAGE_ROOT } from '../../src/config/env.js';
import { generateKeyring } from '../../src/keys/keyring.js';
import { newKek } from '../../src/keys/seal.js';
import { saveKeyring } from '../../src/keys/store.js';
import { createLogger } from '../../src/log.js';
import { createService, type Service } from '../../src/service.js';

export const DEV_CONFIG_PATH = join(PACKAGE_ROOT, 'config', 'sectoken.dev.json');
export const devConfig = (): Record<string, unknown> =>
  JSON.parse(readFileSync(DEV_CONFIG_PATH, 'utf8')) as Record<string, unknown>;

/** The first legal basis of config/sectoken.dev.json as a regulator is shown it (GET /v1/legal-bases). */
export const SAMPLE_CNDP_BASIS = {
  id: 'CNDP-D-97-2020',
  title: 'CNDP deliberation D-97-2020: investigations of the data-protection authority',
  reference: 'CNDP, délibération n° D-97-2020; loi n° 09-08, art. 27 et 28',
  acts: ['reverse', 'translate'],
  sectors: ['health', 'tax', 'finance'],
  sectorPairs: [
    ['tax', 'finance'],
    ['finance', 'tax'],
    ['health', 'social'],
  ],
  dualControl: true,
  approverFromOtherOrganisation: false,
};

/** The published development API key of a client of config/sectoken.dev.json. */
export const devKey = (clientId: string): string => `stk_dev_${clientId}`;
export const bearer = (clientId: string): string => `Bearer ${devKey(clientId)}`;

export interface TestService extends Service {
  dir: string;
  settings: Settings;
  /** Every log line written so far, raw. */
  logs(): string;
}

/** `kek`: the keyring already at `dir`/keyring.json is sealed under it and is kept (a restart, or records sealed before the start). */
export function startTestService(
  options: { config?: Record<string, unknown>; dir?: string; settings?: Partial<Settings>; kek?: string } = {},
): TestService {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'sectoken-test-'));
  const configPath = join(dir, 'config.json');
  // The sample's rate limits would stop the many acts of a test; tests of limits give their own.
  const config = options.config ?? { ...devConfig(), rateLimits: { defaults: {}, clients: {} } };
  writeFileSync(configPath, JSON.stringify(config));
  const kek = options.kek ?? newKek();
  const settings: Settings = {
    production: false,
    defaultKeyPaths: false,
    port: 0,
    host: '127.0.0.1',
    configPath,
    keyringPath: join(dir, 'keyring.json'),
    kek,
    kekFile: undefined,
    pkcs11: undefined,
    requireHsm: false,
    logLevel: 'trace',
    auditDir: join(dir, 'audit'),
    auditMinFreeMb: 1,
    instanceId: 'test-instance',
    workers: 1,
    redis: { url: undefined, clusterNodes: undefined, prefix: 'sectoken-test:', commandTimeoutMs: 50 },
    ...options.settings,
  };
  const sectors = Object.keys(config.sectors as object);
  if (options.kek === undefined)
    saveKeyring(settings.keyringPath, generateKeyring(sectors, false), new Uint8Array(Buffer.from(kek, 'hex')));
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString('utf8'));
      done();
    },
  });
  const logger = createLogger('trace', sink);
  const service = createService(settings, logger);
  // Assigned, not spread: the service's configuration-dependent members are getters (a reload swaps them).
  return Object.assign(service, { dir, settings, logs: () => lines.join('') });
}

/** The app on a real socket (loopback, a free port): its URL, and how to close it. */
export async function listening(app: Service['app']): Promise<{ url: string; close: () => Promise<void> }> {
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
