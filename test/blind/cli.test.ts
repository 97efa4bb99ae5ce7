/**
 * The blind path across processes: a `sectoken serve` process; `sectoken blind-token` (the
 * client library in the CLI) and a plain Node process importing the package export
 * `sectoken/blind-client` each get the same tokens, which are the ones a regulator's translation
 * into the blind sector computes (RFC 9497 Evaluate) on the server. Refusals are one line.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { devKeyring } from '../helpers/devKeyring.js';
import { PACKAGE_ROOT } from '../../src/config/env.js';
import { CLI, runCli, startServer, stopServer } from '../helpers/cli.js';
import { BLIND_BASIS, blindConfig } from './fixture.js';

const PEOPLE = ['AB123456', 'K1', 'ZZ999999'];
const dir = mkdtempSync(join(tmpdir(), 'sectoken-blind-cli-'));
const configPath = join(dir, 'config.json');
writeFileSync(configPath, JSON.stringify(blindConfig()));
const env = { SECTOKEN_CONFIG: configPath, SECTOKEN_KEYRING: join(dir, 'dev-keyring.json') };
const registry = { SECTOKEN_API_KEY: 'stk_dev_registry-backend' };
let server: Awaited<ReturnType<typeof startServer>>;

beforeAll(async () => {
  devKeyring(env.SECTOKEN_KEYRING, configPath);
  server = await startServer(env);
});
afterAll(async () => {
  await stopServer(server.child);
  rmSync(dir, { recursive: true, force: true });
});

const post = async (path: string, client: string, body: unknown): Promise<{ status: number; body: any }> => {
  const res = await fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { Authorization: `Bearer stk_dev_${client}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
};

/** Tokens of PEOPLE in civil computed by the server without blinding: translation from tax. */
async function translatedTokens(): Promise<string[]> {
  const tokens: string[] = [];
  for (const person of PEOPLE) {
    const tax = await post('/v1/tokens', 'tax-backend', { sector: 'tax', nationalId: person });
    const out = await post('/v1/translate', 'regulator-cndp', {
      fromSector: 'tax',
      token: tax.body.token,
      toSector: 'civil',
      legalBasis: BLIND_BASIS,
      caseId: 'CASE-BLIND-CLI',
      purpose: 'Blind test',
    });
    expect(out.status).toBe(200);
    tokens.push(out.body.token);
  }
  return tokens;
}

describe('sectoken blind-token and the blind-client export', () => {
  it('give, in two other processes, the tokens that translation into the sector computes', async () => {
    const expected = await translatedTokens();
    const cli = runCli(['blind-token', '--url', server.url, '--sector', 'civil', ...PEOPLE, 'not-an-id'], registry);
    expect(cli.stderr).toBe('');
    expect(cli.status).toBe(0);
    expect(
      cli.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l)),
    ).toEqual([...expected.map((token) => ({ token, keyVersion: 1 })), { error: 'invalid_national_id' }]);

    // A backend's own program: only the package export, in a process of its own.
    const script = `import { blindTokens } from 'sectoken/blind-client';
      const r = await blindTokens({ url: process.argv[1], apiKey: 'stk_dev_registry-backend', sector: 'civil' }, ${JSON.stringify(PEOPLE)});
      console.log(JSON.stringify(r.map((x) => x.token)));`;
    const library = spawnSync(process.execPath, ['--input-type=module', '-e', script, server.url], {
      cwd: PACKAGE_ROOT,
      encoding: 'utf8',
    });
    expect(library.stderr).toBe('');
    expect(JSON.parse(library.stdout)).toEqual(expected);
  });

  it('pins the key `keys blind-public-key` prints, and refuses another in one line', () => {
    const printed = runCli(['keys', 'blind-public-key', '--sector', 'civil'], env);
    expect(printed.status).toBe(0);
    const line = printed.stdout.trim();
    expect(line).toMatch(/^1:[A-Za-z0-9_-]{43}$/);
    const pinned = runCli(
      ['blind-token', '--url', server.url, '--sector', 'civil', '--public-key', line, 'K1'],
      registry,
    );
    expect(pinned.status).toBe(0);
    const other = `1:${'B'.repeat(43)}`;
    const refused = runCli(
      ['blind-token', '--url', server.url, '--sector', 'civil', '--public-key', other, 'K1'],
      registry,
    );
    expect(refused.status).toBe(1);
    expect(refused.stderr.trim().split('\n')).toHaveLength(1);
    expect(refused.stderr).toContain('another public key');
    expect(runCli(['keys', 'blind-public-key', '--sector', 'tax'], env).stderr).toContain('not a blind sector');
  });

  it("refuses, in one line, answers whose proof does not verify (the service's elements swapped)", async () => {
    // A man in the middle: passes everything on, but swaps the first two evaluated elements.
    const proxy: Server = createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const upstream = await fetch(`${server.url}${req.url}`, {
        method: req.method!,
        headers: { authorization: req.headers.authorization!, 'content-type': 'application/json' },
        ...(req.method === 'POST' ? { body: Buffer.concat(chunks) } : {}),
      });
      const body = (await upstream.json()) as { evaluatedElements?: string[] };
      if (body.evaluatedElements) body.evaluatedElements = [body.evaluatedElements[1]!, body.evaluatedElements[0]!];
      res.writeHead(upstream.status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const { port } = proxy.address() as { port: number };
    try {
      const refused = await new Promise<{ status: number | null; stderr: string }>((resolve) => {
        // Asynchronous: the proxy runs in this process.
        const child = spawn(
          process.execPath,
          [CLI, 'blind-token', '--url', `http://127.0.0.1:${port}`, '--sector', 'civil', 'K1', 'A1'],
          { env: { PATH: process.env.PATH, ...registry } },
        );
        let stderr = '';
        child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        child.on('exit', (status: number | null) => resolve({ status, stderr }));
      });
      expect(refused.status).toBe(1);
      expect(refused.stderr.trim().split('\n')).toHaveLength(1);
      expect(refused.stderr).toContain('proof does not verify');
    } finally {
      await new Promise((resolve) => proxy.close(resolve));
    }
  });

  it('"Blind tokens": the README example runs as written', () => {
    const readme = readFileSync(join(PACKAGE_ROOT, 'README.md'), 'utf8');
    const at = readme.indexOf('<!-- blind example -->');
    expect(at).toBeGreaterThan(0);
    const start = readme.indexOf('```sh\n', at) + '```sh\n'.length;
    const script = readme.slice(start, readme.indexOf('\n```', start)).replaceAll('http://127.0.0.1:8080', server.url);
    const result = spawnSync('bash', ['--noprofile', '--norc', '-e', '-c', script], {
      cwd: PACKAGE_ROOT,
      env: { PATH: process.env.PATH, ...env },
      encoding: 'utf8',
    });
    expect(result.stderr).toBe('');
    const lines = result.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^1:[A-Za-z0-9_-]{43}$/);
    expect(lines.slice(1).map((l) => JSON.parse(l))).toEqual([
      { token: expect.stringMatching(/^1[0-9A-Z]{21}$/), keyVersion: 1 },
      { token: expect.stringMatching(/^1[0-9A-Z]{21}$/), keyVersion: 1 },
    ]);
  });

  it('refuses a missing API key in one line', () => {
    const result = runCli(['blind-token', '--url', server.url, '--sector', 'civil', 'K1']);
    expect(result.status).toBe(1);
    expect(result.stderr).toBe(
      'sectoken: SECTOKEN_API_KEY is not set: the API key of a service client of the sector\n',
    );
  });
});
