/**
 * Workers share their limits or are refused (issue 9 item 15), on the real `sectoken serve`:
 * without Redis, production refuses more than one worker and defaults to one; development warns,
 * and refuses where dual control is configured; with Redis, two workers share one budget.
 */
import { request as httpRequest } from 'node:http';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, startServer, stopServer } from '../helpers/cli.js';
import { devConfig } from '../helpers/service.js';
import { sharedRedis, type SharedTestRedis } from '../redis/helpers.js';
import { devKeyring } from '../helpers/devKeyring.js';

const dir = mkdtempSync(join(tmpdir(), 'sectoken-workers-'));
const kek = runCli(['keys', 'new-kek']).stdout.trim();
const configPath = join(dir, 'config.json');
/** Production: its own configuration (no dual control, an identity budget of 5 a minute), keyring and client. */
writeFileSync(
  configPath,
  JSON.stringify({
    ...devConfig(),
    development: false,
    clients: [],
    rateLimits: { defaults: { identities: [{ points: 5, perSeconds: 60 }] }, clients: {} },
  }),
);
const prod: Record<string, string> = {
  NODE_ENV: 'production',
  SECTOKEN_CONFIG: configPath,
  SECTOKEN_KEYRING: join(dir, 'keyring.json'),
  SECTOKEN_KEK: kek,
  SECTOKEN_AUDIT_DIR: join(dir, 'audit'),
};
let apiKey = '';

const oneLine = (stderr: string): string => {
  const lines = stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  return lines[0]!;
};

/** POST /v1/tokens on a new connection each time, so that the primary hands calls to every worker. */
function tokenize(url: string, nationalId: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const body = JSON.stringify({ sector: 'tax', nationalId });
    const req = httpRequest(
      `${url}/v1/tokens`,
      {
        method: 'POST',
        agent: false,
        headers: {
          Authorization: `Bearer ${apiKey}`,
          'Content-Type': 'application/json',
          'Content-Length': Buffer.byteLength(body),
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode!));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

beforeAll(() => {
  expect(runCli(['keys', 'init'], prod).status).toBe(0);
  const added = runCli(['clients', 'add', '--id', 'tax-office', '--role', 'service', '--sectors', 'tax'], prod);
  expect(added.status).toBe(0);
  apiKey = added.stdout.trim();
});

describe('workers without Redis', () => {
  it('when production is asked for 2 workers without Redis, then it refuses in one line naming REDIS_URL and SECTOKEN_WORKERS=1', () => {
    const r = runCli(['serve'], { ...prod, SECTOKEN_WORKERS: '2' });
    expect(r.status).toBe(1);
    expect(oneLine(r.stderr)).toMatch(
      /SECTOKEN_WORKERS=2 without Redis would multiply every rate limit and quota by 2: set REDIS_URL .* or SECTOKEN_WORKERS=1$/,
    );
  });

  it('when production runs without SECTOKEN_WORKERS and without Redis, then it is one instance, not one worker per core', async () => {
    expect(availableParallelism()).toBeGreaterThan(1); // otherwise this would prove nothing
    const server = await startServer({ ...prod, SECTOKEN_INSTANCE_ID: 'solo' });
    try {
      expect(await tokenize(server.url, 'AB123456')).toBe(200);
      expect(server.output()).toMatch(/"instance":"solo"/);
      expect(server.output()).not.toMatch(/primary started|"instance":"solo-w/);
    } finally {
      await stopServer(server.child);
    }
  });

  it('when development is asked for 2 workers without Redis and the configuration demands dual control, then it refuses at start', () => {
    const r = runCli(['serve'], {
      SECTOKEN_KEYRING: join(dir, 'dev-keyring.json'),
      SECTOKEN_AUDIT_DIR: join(dir, 'dev-audit'),
      SECTOKEN_WORKERS: '2',
    });
    expect(r.status).toBe(1);
    expect(oneLine(r.stderr)).toMatch(
      /SECTOKEN_WORKERS=2 without Redis cannot share dual-control requests .*: set REDIS_URL .* or SECTOKEN_WORKERS=1$/,
    );
  });

  it('when development is asked for 2 workers without Redis and no dual control, then it starts and warns that each worker grants the full quotas', async () => {
    const noDual = join(dir, 'dev-nodual.json');
    const sample = devConfig() as {
      sectors: Record<string, { dualControl?: boolean }>;
      legalBases: { dualControl: boolean }[];
    };
    for (const s of Object.values(sample.sectors)) s.dualControl = false;
    for (const b of sample.legalBases) b.dualControl = false;
    writeFileSync(noDual, JSON.stringify(sample));
    const server = await startServer({
      SECTOKEN_CONFIG: noDual,
      SECTOKEN_KEYRING: devKeyring(join(dir, 'dev-keyring.json'), noDual),
      SECTOKEN_AUDIT_DIR: join(dir, 'dev-audit'),
      SECTOKEN_WORKERS: '2',
    });
    try {
      expect(server.output()).toMatch(
        /SECTOKEN_WORKERS=2 without Redis: each worker grants the full rate limits and quotas/,
      );
    } finally {
      await stopServer(server.child);
    }
  });
});

describe('workers with Redis', () => {
  let shared: SharedTestRedis;
  beforeAll(async () => {
    shared = await sharedRedis();
  });
  afterAll(async () => {
    await shared?.cleanup();
  });

  it('when production runs 2 workers on one Redis, then they share the identity budget: 5 of 12 calls pass', async () => {
    const server = await startServer({
      ...prod,
      SECTOKEN_WORKERS: '2',
      REDIS_URL: shared.url,
      SECTOKEN_REDIS_PREFIX: shared.prefix,
      SECTOKEN_INSTANCE_ID: 'pair',
    });
    try {
      // Both workers are up (each says where it listens) before the calls are counted.
      const deadline = Date.now() + 15_000;
      while (!(
        server.output().includes('"instance":"pair-w1"') &&
        server.output().includes('"instance":"pair-w2"') &&
        (server.output().match(/Redis connected/g) ?? []).length >= 2
      )) {
        if (Date.now() > deadline) throw new Error(`workers did not start:\n${server.output()}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      const statuses: number[] = [];
      for (let k = 0; k < 12; k++) statuses.push(await tokenize(server.url, `WK${String(100000 + k)}`));
      expect(statuses.filter((s) => s === 200)).toHaveLength(5);
      expect(statuses.filter((s) => s === 429)).toHaveLength(7);
    } finally {
      await stopServer(server.child);
    }
  });
});
