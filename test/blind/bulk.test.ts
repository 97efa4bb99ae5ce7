/**
 * `sectoken bulk --blind`: a register onboarded into the blind sector `civil` through the client
 * library, against a `sectoken serve` process. Its tokens are the ones the library gets for the
 * same people, and the ones a regulator's translation into the sector computes on the server.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { blindTokens } from '../../src/client/blind.js';
import { blindTokenizer } from '../../src/cli/bulk/blindTokenizer.js';
import { NATIONAL_ID_COUNT, unrankNationalId } from '../../src/derivation/nationalId.js';
import { devKeyring } from '../helpers/devKeyring.js';
import { CLI, runCli, startServer, stopServer } from '../helpers/cli.js';
import { BLIND_BASIS, blindConfig } from './fixture.js';

const PEOPLE = Array.from({ length: 1200 }, (_, i) => unrankNationalId((i * 649_999_351 + 11) % NATIONAL_ID_COUNT));
const dir = mkdtempSync(join(tmpdir(), 'sectoken-blind-bulk-'));
const configPath = join(dir, 'config.json');
writeFileSync(configPath, JSON.stringify(blindConfig()));
const keyringPath = join(dir, 'dev-keyring.json');
let server: Awaited<ReturnType<typeof startServer>>;

beforeAll(async () => {
  devKeyring(keyringPath, configPath);
  server = await startServer({ SECTOKEN_CONFIG: configPath, SECTOKEN_KEYRING: keyringPath });
});
afterAll(async () => {
  await stopServer(server.child);
  rmSync(dir, { recursive: true, force: true });
});

const registry = { SECTOKEN_API_KEY: 'stk_dev_registry-backend' };

it('bulk --blind onboards a register: the tokens of the library and of translation, the ID never sent', async () => {
  const input = join(dir, 'register.csv');
  writeFileSync(input, 'name,id\n' + PEOPLE.map((id, i) => `person ${i},${id}`).join('\n') + '\nnobody,not-an-id\n');
  const output = join(dir, 'tokens.csv');
  const publicKey = runCli(['keys', 'blind-public-key', '--sector', 'civil'], {
    SECTOKEN_CONFIG: configPath,
    SECTOKEN_KEYRING: keyringPath,
  }).stdout.trim();
  const args = ['bulk', '--blind', '--public-key', publicKey, '--url', server.url, '--sector', 'civil'];
  const run = runCli(
    [...args, '--in', input, '--out', output, '--column', '2', '--header', '--batch-size', '400'],
    registry,
  );
  expect(run.stderr).toContain('bulk: done');
  expect(run.stderr).toContain('batches of 400)'); // as asked
  expect(run.status).toBe(2); // one row has no token

  const rows = readFileSync(output, 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => line.split(','));
  expect(rows).toHaveLength(PEOPLE.length + 1);
  expect(rows.at(-1)!.slice(-2)).toEqual(['', 'invalid_national_id']);
  const tokens = rows.slice(0, -1).map((r) => r.at(-2)!);
  expect(rows.slice(0, -1).map((r) => r[1])).toEqual(PEOPLE);

  const library = await blindTokens(
    { url: server.url, apiKey: registry.SECTOKEN_API_KEY, sector: 'civil', batchSize: 600 },
    PEOPLE,
  );
  expect(library.map((r) => (r as { token: string }).token)).toEqual(tokens);

  for (const i of [0, 599, 1199]) {
    const post = async (path: string, client: string, body: unknown) =>
      (await fetch(`${server.url}${path}`, {
        method: 'POST',
        headers: { Authorization: `Bearer stk_dev_${client}`, 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      }).then((r) => r.json())) as { token: string };
    const tax = await post('/v1/tokens', 'tax-backend', { sector: 'tax', nationalId: PEOPLE[i] });
    const translated = await post('/v1/translate', 'regulator-cndp', {
      fromSector: 'tax',
      token: tax.token,
      toSector: 'civil',
      legalBasis: BLIND_BASIS,
      caseId: 'CASE-BULK',
      purpose: 'Blind bulk test',
    });
    expect(translated.token).toBe(tokens[i]);
  }
});

it('bulk without --blind on a blind sector says, in one line, to add it', () => {
  const input = join(dir, 'one.csv');
  writeFileSync(input, 'K1\n');
  const run = runCli(
    ['bulk', '--url', server.url, '--sector', 'civil', '--in', input, '--out', join(dir, 'one-out.csv')],
    registry,
  );
  expect(run.status).toBe(1);
  expect(run.stderr.trim().split('\n')).toHaveLength(1);
  expect(run.stderr).toContain('add --blind');
});

/**
 * A relay in front of the service whose `refuse(n, req, res)` may answer the n-th blind evaluation
 * itself (returning true): a refusal or a dropped connection. Everything else reaches the service.
 */
async function startRelay(
  refuse: (n: number, req: IncomingMessage, res: ServerResponse) => boolean,
): Promise<{ url: string; evaluations: () => number; close: () => Promise<unknown> }> {
  let evaluations = 0;
  const relay = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    if (req.url === '/v1/blind/evaluate' && refuse(++evaluations, req, res)) return;
    const upstream = await fetch(`${server.url}${req.url}`, {
      method: req.method ?? 'GET',
      headers: { authorization: req.headers.authorization ?? '', 'content-type': 'application/json' },
      ...(req.method === 'POST' ? { body: Buffer.concat(chunks) } : {}),
    });
    res.writeHead(upstream.status, { 'content-type': 'application/json' }).end(await upstream.text());
  };
  const proxy = createServer((req, res) => void relay(req, res));
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const { port } = proxy.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    evaluations: () => evaluations,
    close: () => new Promise((resolve) => proxy.close(resolve)),
  };
}

it('bulk --blind sends a batch again after a 503 or a dropped connection, blinded afresh', async () => {
  // In front of the service: the first evaluation answered 503, the second connection dropped.
  const relay = await startRelay((n, req, res) => {
    if (n === 1) res.writeHead(503, { 'content-type': 'application/json' }).end('{}');
    else if (n === 2) req.socket.destroy();
    return n <= 2;
  });
  try {
    const input = join(dir, 'retry.csv');
    writeFileSync(input, PEOPLE.slice(0, 5).join('\n') + '\n');
    const output = join(dir, 'retry-out.csv');
    const args = ['bulk', '--blind', '--url', relay.url, '--sector', 'civil', '--in', input, '--out', output];
    const done = await new Promise<{ status: number | null; stderr: string }>((resolve) => {
      // Asynchronous: the proxy runs in this process.
      const child = spawn(process.execPath, [CLI, ...args], { env: { PATH: process.env.PATH, ...registry } });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('exit', (status) => resolve({ status, stderr }));
    });
    expect(done.stderr).toContain('2 retries');
    // No --batch-size and no limits: a blind run's own batch size, not the service's limit of 1000.
    expect(done.stderr).toContain('batches of 250)');
    expect(done.status).toBe(0);
    expect(relay.evaluations()).toBe(3);
    const tokens = readFileSync(output, 'utf8')
      .trim()
      .split('\n')
      .map((line) => line.split(',')[1]);
    const library = await blindTokens(
      { url: server.url, apiKey: registry.SECTOKEN_API_KEY, sector: 'civil' },
      PEOPLE.slice(0, 5),
    );
    expect(tokens).toEqual(library.map((r) => (r as { token: string }).token));
  } finally {
    await relay.close();
  }
});

it('bulk --blind waits as a 429 says (Retry-After) and backs off after a 503, in the loop of the plain run', async () => {
  // In front of the service: the first evaluation answered 429 with Retry-After 7, the second 503
  // (with the same header, which a 503 does not follow); in the second run, the fourth and fifth too.
  const relay = await startRelay((n, _req, res) => {
    if (![1, 2, 4, 5].includes(n)) return false;
    const refused = n % 3 === 1 ? { status: 429, code: 'rate_limited' } : { status: 503, code: 'unavailable' };
    res
      .writeHead(refused.status, { 'content-type': 'application/json', 'retry-after': '7' })
      .end(JSON.stringify({ error: { code: refused.code, message: 'not now' } }));
    return true;
  });
  try {
    const waits: number[] = [];
    const keys = await fetch(`${server.url}/v1/blind/keys/civil`, {
      headers: { authorization: `Bearer ${registry.SECTOKEN_API_KEY}` },
    });
    const { keys: published } = (await keys.json()) as { keys: { keyVersion: number; publicKey: string }[] };
    const tokenizer = blindTokenizer({
      url: relay.url,
      apiKey: registry.SECTOKEN_API_KEY,
      sector: 'civil',
      concurrency: 1,
      maxRetries: 2,
      publicKeys: Object.fromEntries(published.map((k) => [k.keyVersion, k.publicKey])),
      sleep: (ms) => {
        waits.push(ms);
        return Promise.resolve();
      },
    });
    await tokenizer.connect();
    const results = await tokenizer.tokenize(PEOPLE.slice(0, 3));
    // The 429's wait as told; the 503's Retry-After ignored: exponential backoff, its second step.
    expect(waits).toEqual([7000, 500]);
    expect(tokenizer.retries()).toBe(2);
    const library = await blindTokens(
      { url: server.url, apiKey: registry.SECTOKEN_API_KEY, sector: 'civil' },
      PEOPLE.slice(0, 3),
    );
    expect(results).toEqual(library.map((r) => ({ token: (r as { token: string }).token })));
    // One more refusal than the retries allow: one line naming the attempts and the last answer.
    const strict = blindTokenizer({
      url: relay.url,
      apiKey: registry.SECTOKEN_API_KEY,
      sector: 'civil',
      concurrency: 1,
      maxRetries: 1,
      publicKeys: Object.fromEntries(published.map((k) => [k.keyVersion, k.publicKey])),
      sleep: () => Promise.resolve(),
    });
    await strict.connect();
    await expect(strict.tokenize(PEOPLE.slice(0, 3))).rejects.toThrow(
      /^giving up after 2 attempts: the service refused \(503 unavailable\): not now$/,
    );
  } finally {
    await relay.close();
  }
});
