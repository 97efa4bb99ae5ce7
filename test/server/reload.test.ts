/**
 * SIGHUP reloads the whole configuration and the keyring together, all or nothing, on the real
 * `sectoken serve` (one process, and two workers on Redis): a client added by `clients add` works
 * after one reload, a client taken out by `clients remove` is refused (401) after one, a sector
 * added to the configuration and the keyring tokenizes after one; an unparseable configuration,
 * or a good configuration beside a damaged keyring, changes nothing and says why in one line.
 * Each reload is awaited by polling what it changes (its log line), never by sleeping.
 */
import { request as httpRequest } from 'node:http';
import { readFileSync, writeFileSync } from 'node:fs';
import { runCli, startServer, stopServer, productionSetup } from '../helpers/cli.js';
import { sharedRedis, waitFor, type SharedTestRedis } from '../redis/helpers.js';

type Server = Awaited<ReturnType<typeof startServer>>;
type Raw = Record<string, any>;

const production = productionSetup;

function addClient(env: Record<string, string>, id: string, sectors: string): string {
  const r = runCli(['clients', 'add', '--id', id, '--role', 'service', '--sectors', sectors], env);
  expect(r.status).toBe(0);
  return r.stdout.trim();
}

/** POST /v1/tokens on a connection of its own, so that the primary of several workers deals calls to each. */
function tokenize(url: string, apiKey: string, sector: string, nationalId = 'AB123456'): Promise<number> {
  return new Promise((resolve, reject) => {
    const body = JSON.stringify({ sector, nationalId });
    const headers = {
      Authorization: `Bearer ${apiKey}`,
      'Content-Type': 'application/json',
      'Content-Length': Buffer.byteLength(body),
    };
    const req = httpRequest(`${url}/v1/tokens`, { method: 'POST', agent: false, headers }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode!));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** `n` calls, each on its own connection: their statuses, for a set of workers to agree on. */
const statuses = async (url: string, apiKey: string, sector: string, n: number): Promise<number[]> => {
  const seen: number[] = [];
  for (let i = 0; i < n; i++) seen.push(await tokenize(url, apiKey, sector));
  return seen;
};

const RELOADED = /configuration and keyring reloaded/;
const REFUSED = /reload refused: still serving with the previous configuration and keyring/;
const count = (server: Server, line: RegExp): number =>
  server
    .output()
    .split('\n')
    .filter((l) => line.test(l)).length;

/** Sends SIGHUP and waits until `lines` more lines matching `line` were written: one per instance that acted on it. */
async function hangUp(server: Server, line: RegExp, lines = 1): Promise<void> {
  const before = { reloaded: count(server, RELOADED), refused: count(server, REFUSED) };
  const target = count(server, line) + lines;
  server.child.kill('SIGHUP');
  await waitFor(
    () => count(server, line) >= target,
    `${lines} "${line.source}" line(s) after SIGHUP:\n${server.output()}`,
    30_000,
    50,
  );
  // Exactly those lines: a reload does not also refuse, nor a refusal also reload.
  const other = line === RELOADED ? { re: REFUSED, was: before.refused } : { re: RELOADED, was: before.reloaded };
  expect(count(server, other.re)).toBe(other.was);
  expect(count(server, line)).toBe(target);
}

const editConfig = (configPath: string, change: (config: Raw) => void): void => {
  const config = JSON.parse(readFileSync(configPath, 'utf8')) as Raw;
  change(config);
  writeFileSync(configPath, JSON.stringify(config, null, 2));
};

describe('SIGHUP on one process', () => {
  const { env, configPath } = production();
  const taxKey = addClient(env, 'tax-office', 'tax');
  let server: Server;
  beforeAll(async () => {
    server = await startServer(env);
  }, 30_000);
  afterAll(async () => {
    await stopServer(server.child);
  });

  it('when a client is added, then its key works after one reload; when it is removed, then it is refused (401) after one', async () => {
    const labKey = addClient(env, 'lab-results', 'health');
    expect(await tokenize(server.url, labKey, 'health')).toBe(401); // not before the reload
    await hangUp(server, RELOADED);
    expect(await tokenize(server.url, labKey, 'health')).toBe(200);

    const removed = runCli(['clients', 'remove', '--id', 'lab-results'], env);
    expect(removed.status).toBe(0);
    expect(removed.stderr).toMatch(/^removed client "lab-results" from .*: send the running service SIGHUP/);
    expect(await tokenize(server.url, labKey, 'health')).toBe(200); // until the reload (the principal is cached)
    await hangUp(server, RELOADED);
    expect(await tokenize(server.url, labKey, 'health')).toBe(401);
    expect(await tokenize(server.url, taxKey, 'tax')).toBe(200);
    expect(server.output()).not.toContain(labKey);
  }, 60_000);

  it('when a sector is added to the configuration and the keyring (keys add-sector), then it tokenizes after one reload', async () => {
    editConfig(configPath, (config) => {
      config.sectors.education = { ...config.sectors.tax, description: 'Schools' };
      config.clients.find((c: Raw) => c.id === 'tax-office').sectors.push('education');
    });
    const added = runCli(['keys', 'add-sector', '--sector', 'education'], env);
    expect(added.status).toBe(0);
    expect(await tokenize(server.url, taxKey, 'education')).toBe(404); // unknown to the running configuration until the reload
    await hangUp(server, RELOADED);
    expect(await tokenize(server.url, taxKey, 'education')).toBe(200);
  }, 60_000);

  it('when the configuration is made unparseable, then one line says why and the previous configuration still serves', async () => {
    const good = readFileSync(configPath, 'utf8');
    writeFileSync(configPath, good.replace('"clients"', '"clients" oops'));
    try {
      await hangUp(server, REFUSED);
      const line = server
        .output()
        .split('\n')
        .filter((l) => l.includes('reload refused: still serving with the previous configuration and keyring'))
        .pop()!;
      expect(line).toMatch(/"reason":"configuration .* is not valid JSON/);
      expect(await tokenize(server.url, taxKey, 'education')).toBe(200);
    } finally {
      writeFileSync(configPath, good);
    }
  }, 60_000);

  it('when a good configuration comes with a damaged keyring, then neither is taken: all or nothing', async () => {
    const keyring = readFileSync(env.SECTOKEN_KEYRING!);
    const good = readFileSync(configPath, 'utf8');
    editConfig(configPath, (config) => {
      config.clients = config.clients.filter((c: Raw) => c.id !== 'tax-office');
    });
    writeFileSync(env.SECTOKEN_KEYRING!, keyring.subarray(0, keyring.length - 40));
    try {
      await hangUp(server, REFUSED);
      expect(
        server
          .output()
          .split('\n')
          .filter((l) => l.includes('reload refused: still serving with the previous configuration and keyring'))
          .pop(),
      ).toMatch(/"reason":".*keyring/i);
      expect(await tokenize(server.url, taxKey, 'tax')).toBe(200); // the client the new configuration drops still works
    } finally {
      writeFileSync(env.SECTOKEN_KEYRING!, keyring);
      writeFileSync(configPath, good);
    }
  }, 60_000);
});

describe('SIGHUP with two workers on Redis', () => {
  const { env, configPath } = production();
  const taxKey = addClient(env, 'tax-office', 'tax');
  let shared: SharedTestRedis;
  let server: Server;
  beforeAll(async () => {
    shared = await sharedRedis();
    server = await startServer({
      ...env,
      SECTOKEN_WORKERS: '2',
      REDIS_URL: shared.url,
      SECTOKEN_REDIS_PREFIX: shared.prefix,
      SECTOKEN_INSTANCE_ID: 'hup',
    });
    // Both workers listen before the first signal.
    await waitFor(
      () => server.output().includes('"instance":"hup-w1"') && server.output().includes('"instance":"hup-w2"'),
      `both workers:\n${server.output()}`,
      30_000,
      50,
    );
  }, 60_000);
  afterAll(async () => {
    await stopServer(server.child);
    await shared?.cleanup();
  });

  it('when a client is added, every worker takes it at one SIGHUP to the primary; removed, every worker refuses it at the next', async () => {
    const labKey = addClient(env, 'lab-results', 'health');
    await hangUp(server, RELOADED, 2); // one line per worker
    expect(await statuses(server.url, labKey, 'health', 8)).toEqual(Array(8).fill(200));

    expect(runCli(['clients', 'remove', '--id', 'lab-results'], env).status).toBe(0);
    await hangUp(server, RELOADED, 2);
    expect(await statuses(server.url, labKey, 'health', 8)).toEqual(Array(8).fill(401));
    expect(await statuses(server.url, taxKey, 'tax', 4)).toEqual(Array(4).fill(200));
  }, 90_000);

  it('when the configuration is unparseable, then the primary refuses in one line and no worker changes', async () => {
    const good = readFileSync(configPath, 'utf8');
    editConfig(configPath, (config) => {
      config.clients = config.clients.filter((c: Raw) => c.id !== 'tax-office');
    });
    writeFileSync(configPath, readFileSync(configPath, 'utf8') + '}');
    try {
      await hangUp(server, REFUSED, 1);
      expect(await statuses(server.url, taxKey, 'tax', 6)).toEqual(Array(6).fill(200));
    } finally {
      writeFileSync(configPath, good);
    }
  }, 90_000);
});
