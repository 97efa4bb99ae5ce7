/**
 * README "From an empty directory to production", run as printed with bash and curl: only the
 * example directory /srv/sectoken becomes a temporary one and port 8080 a free one. What each
 * request answers is checked, then the files it made; the service it started is stopped by the
 * pid its log names.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../../src/config/env.js';

const README = readFileSync(join(PACKAGE_ROOT, 'README.md'), 'utf8');

function productionPath(): string {
  const at = README.indexOf('<!-- production path -->');
  expect(at).toBeGreaterThan(0);
  const start = README.indexOf('```sh\n', at) + '```sh\n'.length;
  return README.slice(start, README.indexOf('\n```', start));
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

it('when the README path to production is run as printed, then the instance serves its own clients: a token, a dual-control reverse collected once, a verified audit', async () => {
  const tmp = mkdtempSync(join(tmpdir(), 'sectoken-production-'));
  const port = await freePort();
  const script = productionPath().replaceAll('/srv/sectoken', tmp).replaceAll(':8080', `:${port}`);
  let pid: number | undefined;
  try {
    const run = spawnSync('bash', ['--norc', '--noprofile', '-euo', 'pipefail', '-c', script], {
      cwd: PACKAGE_ROOT,
      encoding: 'utf8',
      timeout: 90_000,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, PORT: String(port) },
    });
    const log = existsSync(join(tmp, 'sectoken.log')) ? readFileSync(join(tmp, 'sectoken.log'), 'utf8') : '';
    pid = Number(/\(pid (\d+);/.exec(log)?.[1]) || undefined;
    expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: expect.any(String) });
    const out = run.stdout;
    expect(out).toMatch(/"status":"approved"/);
    expect(out).toMatch(/"state":"released","status":"released".*"nationalId":"AB123456"/);
    expect(out).toMatch(/"ok":true/);
    // What the commands said on the way: the skeleton written, the keyring pinned, no stack anywhere.
    expect(run.stderr).toMatch(/wrote a production configuration to etc\/sectoken\.json/);
    expect(run.stderr).toMatch(/pinned it in .*sectoken\.json/);
    expect(run.stderr + log).not.toMatch(/\n\s+at /);
    const config = JSON.parse(readFileSync(join(tmp, 'etc', 'sectoken.json'), 'utf8')) as {
      development: boolean;
      keyringFingerprint: string;
      clients: { id: string; role: string }[];
    };
    expect(config.development).toBe(false);
    expect(config.keyringFingerprint).toMatch(/^[0-9a-f]{32}$/);
    expect(config.clients.map((c) => `${c.id}:${c.role}`)).toEqual([
      'hospital-backend:service',
      'tax-backend:service',
      'cndp-amal:regulator',
      'cndp-omar:regulator',
      'internal-audit:auditor',
    ]);
    expect(statSync(join(tmp, 'secrets', 'kek')).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(tmp, 'audit', 'audit-sectoken-1.jsonl'), 'utf8')).toMatch(/"act":"reverse/);
  } finally {
    if (pid) {
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        // already gone
      }
    }
  }
}, 120_000);
