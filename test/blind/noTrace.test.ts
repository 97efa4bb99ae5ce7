/**
 * What a blind run leaves on the server: a `sectoken serve` process with Redis (this file's
 * prefix) and rate limits, 60 people blinded and finalized by the client library in this process.
 * Then the server's log lines, its audit files, every Redis key under the prefix (names and
 * values) and a heap snapshot of the server process hold none of their national IDs and none of
 * their tokens: the service saw random group elements only.
 */
import { randomInt } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { blindTokens } from '../../src/client/blind.js';
import { devKeyring } from '../helpers/devKeyring.js';
import { startServer, stopServer } from '../helpers/cli.js';
import { devConfig } from '../helpers/service.js';
import { dumpKeys, keysUnder, sharedRedis, waitFor, type SharedTestRedis } from '../redis/helpers.js';
import { blindConfig } from './fixture.js';

const letters = (): string => String.fromCharCode(65 + randomInt(26), 65 + randomInt(26));
const PEOPLE = Array.from({ length: 60 }, () => letters() + String(randomInt(1e6)).padStart(6, '0'));

let shared: SharedTestRedis;
const dir = mkdtempSync(join(tmpdir(), 'sectoken-blind-trace-'));
const auditDir = join(dir, 'audit');
const snapshots = join(dir, 'snapshots');
mkdirSync(snapshots);

beforeAll(async () => {
  shared = await sharedRedis();
});
afterAll(async () => {
  await shared.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

it('when a backend onboards people blindly, then logs, audit, Redis and the heap hold neither their national IDs nor their tokens', async () => {
  const configPath = join(dir, 'config.json');
  writeFileSync(configPath, JSON.stringify(blindConfig((devConfig() as { rateLimits: unknown }).rateLimits as never)));
  const keyringPath = devKeyring(join(dir, 'dev-keyring.json'), configPath);
  const server = await startServer({
    SECTOKEN_CONFIG: configPath,
    SECTOKEN_KEYRING: keyringPath,
    SECTOKEN_AUDIT_DIR: auditDir,
    REDIS_URL: shared.url,
    SECTOKEN_REDIS_PREFIX: shared.prefix,
    LOG_LEVEL: 'trace',
    NODE_OPTIONS: `--heapsnapshot-signal=SIGUSR2 --diagnostic-dir=${snapshots}`,
  });
  let heap = '';
  try {
    const options = { url: server.url, apiKey: 'stk_dev_registry-backend', sector: 'civil', batchSize: 25 };
    const results = await blindTokens(options, PEOPLE);
    const tokens = results.map((r) => (r as { token: string }).token);
    expect(tokens.every((t) => typeof t === 'string' && t.length === 22)).toBe(true);

    server.child.kill('SIGUSR2');
    await waitFor(
      () => {
        try {
          const file = readdirSync(snapshots).find((f) => f.endsWith('.heapsnapshot'));
          if (!file) return false;
          heap = readFileSync(join(snapshots, file), 'utf8');
          return heap.trimEnd().endsWith('}');
        } catch {
          return false;
        }
      },
      'the heap snapshot',
      60_000,
      200,
    );
    const redis = JSON.stringify(await dumpKeys(shared.client, shared.prefix));
    const audit = readdirSync(auditDir)
      .map((f) => readFileSync(join(auditDir, f), 'utf8'))
      .join('\n');
    const logs = server.output();

    // What each place must show, so that an empty one passes nothing: the run is in them.
    expect(logs).toContain('/v1/blind/evaluate');
    expect((await keysUnder(shared.client, shared.prefix)).length).toBeGreaterThan(0);
    expect(redis).toContain('registry-backend');
    expect(heap).toContain('registry-backend');
    for (const [place, text] of Object.entries({ logs, audit, redis, heap })) {
      const found = [...PEOPLE, ...tokens].filter((secret) => text.includes(secret));
      expect({ place, found }).toEqual({ place, found: [] });
    }
  } finally {
    await stopServer(server.child);
  }
}, 120_000);
