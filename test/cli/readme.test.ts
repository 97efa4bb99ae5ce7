/**
 * The README's command-line examples, run as they stand through the real CLI: the production key
 * ceremony of "Keys", the revocation of "Reloading, and revoking a key" and the "Bulk onboarding" example (the walk-through, with its offline
 * verification, is run by test/docs/walkthrough.test.ts). Only absolute example paths are moved
 * into a temporary directory, and `node dist/cli.js` points at the built CLI.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../../src/config/env.js';
import { CLI, startServer, stopServer } from '../helpers/cli.js';
import { devConfig } from '../helpers/service.js';
import { devKeyring } from '../helpers/devKeyring.js';
import { waitFor } from '../redis/helpers.js';

const README = readFileSync(join(PACKAGE_ROOT, 'README.md'), 'utf8');

/** The first ```sh block after a heading. */
function blockAfter(heading: string): string {
  const at = README.indexOf(`\n${heading}\n`);
  expect(at).toBeGreaterThan(0);
  const match = /```sh\n([\s\S]*?)```/.exec(README.slice(at));
  return match![1]!;
}

/** Shell lines with continuations joined and comments (whole-line or trailing) dropped. */
function commands(block: string): string[] {
  return block
    .replace(/\\\n\s*/g, ' ')
    .split('\n')
    .map((line) => line.replace(/\s+#\s.*$/, '').trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
}

function run(
  line: string,
  cwd: string,
  env: Record<string, string>,
  expected = 0,
): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync('bash', ['-c', line], {
    cwd,
    env: { PATH: process.env.PATH!, HOME: process.env.HOME!, ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (r.status !== expected)
    throw new Error(`README command exited ${r.status}, not ${expected}: ${line}\n${r.stderr}`);
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const cli = (line: string): string => line.replaceAll('node dist/cli.js', `node ${CLI}`);

describe('README', () => {
  it('"Keys": the production key ceremony runs as written, and the service then serves the new client', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'sectoken-readme-keys-'));
    for (const d of ['secure', 'etc', 'srv']) mkdirSync(join(tmp, d));
    const paths = (line: string): string =>
      line
        .replaceAll('/secure/', `${tmp}/secure/`)
        .replaceAll('/etc/sectoken/', `${tmp}/etc/`)
        .replaceAll('/srv/sectoken/', `${tmp}/srv/`);
    const configPath = join(tmp, 'etc', 'config.json');
    writeFileSync(
      configPath,
      JSON.stringify({ ...devConfig(), development: false, clients: [], rateLimits: { defaults: {}, clients: {} } }),
    );
    const env: Record<string, string> = {};
    let serviceKey = '';
    const ran: string[] = [];
    for (const original of commands(blockAfter('## Keys'))) {
      const line = cli(paths(original));
      if (line.startsWith('export ')) {
        for (const pair of line.slice('export '.length).trim().split(/\s+/)) {
          const [k, v] = pair.split('=');
          env[k!] = v!;
        }
        continue;
      }
      const sector = /keys add-sector --sector (\S+)/.exec(line)?.[1];
      if (sector) {
        // "after adding a sector … to the configuration"
        const config = JSON.parse(readFileSync(configPath, 'utf8')) as { sectors: Record<string, unknown> };
        writeFileSync(
          configPath,
          JSON.stringify({ ...config, sectors: { ...config.sectors, [sector]: config.sectors.tax } }),
        );
      }
      if (/ serve$/.test(line)) {
        const prefix = Object.fromEntries(
          [...line.matchAll(/(?:^|\s)([A-Z_]+)=(\S+)(?=\s)/g)].map((m) => [m[1]!, m[2]!]),
        );
        const server = await startServer({ ...env, ...prefix });
        try {
          const res = await fetch(`${server.url}/v1/tokens`, {
            method: 'POST',
            headers: { Authorization: `Bearer ${serviceKey}`, 'Content-Type': 'application/json' },
            body: JSON.stringify({ sector: 'health', nationalId: 'AB123456' }),
          });
          expect(res.status).toBe(200);
          expect(((await res.json()) as { keyVersion: number }).keyVersion).toBe(2);
        } finally {
          await stopServer(server.child);
        }
        ran.push('serve');
        continue;
      }
      const r = run(line, tmp, env);
      if (/clients add .*--role service/.test(line)) serviceKey = r.stdout.trim();
      ran.push(/dist\/cli\.js (\S+ \S+)/.exec(line)?.[1] ?? line);
    }
    expect(ran).toEqual([
      'keys new-kek',
      'keys init',
      'keys fingerprint',
      'clients add',
      'clients add',
      'keys add-sector',
      'keys rotate',
      'keys min-version',
      'keys public-key',
      'serve',
    ]);
    expect(serviceKey).toMatch(/^stk_/);
    expect(readFileSync(join(tmp, 'secure', 'audit-signing.pub'), 'utf8').trim()).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const config = JSON.parse(readFileSync(configPath, 'utf8')) as { clients: Array<{ id: string; person?: string }> };
    expect(config.clients.map((c) => c.id)).toEqual(['lab-results', 'cndp-inspector-1']);
  }, 120_000);

  it('"Reloading, and revoking a key": the revocation runs as written against a running service: the old key gets 401, the new one works', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'sectoken-readme-revoke-'));
    const configPath = join(tmp, 'config.json');
    writeFileSync(
      configPath,
      JSON.stringify({ ...devConfig(), development: false, clients: [], rateLimits: { defaults: {}, clients: {} } }),
    );
    const env: Record<string, string> = {
      NODE_ENV: 'production',
      SECTOKEN_CONFIG: configPath,
      SECTOKEN_KEYRING: join(tmp, 'keyring.json'),
      SECTOKEN_KEK: run(`node ${CLI} keys new-kek`, tmp, {}).stdout.trim(),
    };
    run(`node ${CLI} keys init`, tmp, env);
    const leaked = run(
      `node ${CLI} clients add --id lab-results --role service --sectors health`,
      tmp,
      env,
    ).stdout.trim();
    const server = await startServer(env);
    const status = async (key: string): Promise<number> =>
      (
        await fetch(`${server.url}/v1/tokens`, {
          method: 'POST',
          headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
          body: JSON.stringify({ sector: 'health', nationalId: 'AB123456' }),
        })
      ).status;
    const reloads = (): number => (server.output().match(/configuration and keyring reloaded/g) ?? []).length;
    try {
      expect(await status(leaked)).toBe(200);
      let newKey = '';
      for (const original of commands(blockAfter('## Reloading, and revoking a key'))) {
        const line = cli(original).replaceAll('<pid>', String(server.child.pid));
        const before = reloads();
        const r = run(line, tmp, env);
        if (/^kill -HUP /.test(line))
          await waitFor(() => reloads() > before, `a reload:\n${server.output()}`, 30_000, 50);
        if (/clients add/.test(line)) newKey = r.stdout.trim();
        if (/clients remove/.test(line)) expect(await status(leaked)).toBe(200); // until the reload
        if (/^kill -HUP /.test(line) && newKey === '') expect(await status(leaked)).toBe(401);
      }
      expect(reloads()).toBe(2);
      expect(newKey).toMatch(/^stk_/);
      expect(await status(leaked)).toBe(401);
      expect(await status(newKey)).toBe(200);
    } finally {
      await stopServer(server.child);
    }
  }, 120_000);

  it('"Bulk onboarding": the examples run as written, print what the README shows and exit as its table says', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'sectoken-readme-bulk-'));
    writeFileSync(join(tmp, 'register.csv'), 'recordId,nationalId\nR1,AB123456\nR2,not-an-id\nR3,K1\n');
    // A spreadsheet's export in French settings: ';', CRLF, a name with a comma, Latin-1.
    writeFileSync(
      join(tmp, 'export.csv'),
      Buffer.from('recordId;name;nationalId\r\nR1;Doe, Jane;AB123456\r\nR2;"Lefèvre; Zoé";K1\r\n', 'latin1'),
    );
    const server = await startServer({ SECTOKEN_KEYRING: devKeyring(join(tmp, 'keys', 'dev-keyring.json')) });
    try {
      const block = blockAfter('## Bulk onboarding');
      const lines = commands(block);
      const shown = [...block.matchAll(/^# (bulk: done.*)$/gm)].map((m) =>
        m[1]!.replaceAll('/srv/onboarding/', `${tmp}/`),
      );
      expect(lines).toHaveLength(2);
      // The first has a row without a token (exit 2), the second none (exit 0).
      lines.forEach((line, i) => {
        // The example's directory outside the clone becomes the temporary one.
        const r = run(
          cli(line.replace('http://127.0.0.1:8080', server.url)).replaceAll('/srv/onboarding/', `${tmp}/`),
          tmp,
          {},
          [2, 0][i],
        );
        expect(r.stderr.trim()).toBe(shown[i]);
      });
      const rows = readFileSync(join(tmp, 'tokens.csv'), 'utf8').trimEnd().split('\n');
      expect(rows[0]).toBe('recordId,nationalId,token,error');
      expect(rows[2]).toBe('R2,not-an-id,,invalid_national_id');
      const exported = readFileSync(join(tmp, 'export-tokens.csv'), 'latin1').split('\r\n');
      expect(exported[0]).toBe('recordId;name;nationalId;token;error');
      expect(exported[2]).toMatch(/^R2;"Lefèvre; Zoé";K1;\d+;$/);
    } finally {
      await stopServer(server.child);
    }
  }, 60_000);
});
