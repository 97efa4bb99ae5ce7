/**
 * The README's dual-control walk-through, run as printed (bash and curl) against a real server
 * started from dist/ with the sample configuration and a development keyring in a temporary
 * directory. What each step prints is checked.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../../src/config/env.js';
import { startServer, stopServer } from '../helpers/cli.js';
import { devKeyring } from '../helpers/devKeyring.js';

const readme = readFileSync(join(PACKAGE_ROOT, 'README.md'), 'utf8');

function walkthrough(): string {
  const at = readme.indexOf('<!-- walkthrough -->');
  const start = readme.indexOf('```sh\n', at) + '```sh\n'.length;
  return readme.slice(start, readme.indexOf('\n```', start));
}

it('when the README walk-through is run against the service, then every step answers as it says', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sectoken-walkthrough-'));
  const keyring = devKeyring(join(dir, 'keys', 'dev-keyring.json'));
  const auditDir = join(dir, 'audit');
  const server = await startServer({
    SECTOKEN_KEYRING: keyring,
    SECTOKEN_AUDIT_DIR: auditDir,
    SECTOKEN_INSTANCE_ID: 'walk',
  });
  try {
    const run = spawnSync('bash', ['--norc', '--noprofile', '-euo', 'pipefail', '-c', walkthrough()], {
      cwd: PACKAGE_ROOT,
      encoding: 'utf8',
      timeout: 60_000,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        BASE: server.url,
        TMPDIR: dir,
        SECTOKEN_KEYRING: keyring,
        SECTOKEN_KEK_FILE: join(dir, 'keys', 'dev.kek'),
        SECTOKEN_AUDIT_DIR: auditDir,
      },
    });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const out = run.stdout;
    expect(out).toMatch(
      /"requests":\[\{"requestId":"[A-Za-z0-9_-]{22}","act":"reverse","sector":"health".*"caseId":"CNDP-2026-0042"/,
    );
    expect(out).toMatch(/"status":"approved"/);
    expect(out).toMatch(/"state":"released","status":"released".*"nationalId":"AB123456"/);
    expect(out).toMatch(/"ok":true/);
    expect(out).toMatch(/verified/i);
    expect(JSON.parse(readFileSync(join(dir, 'cp.json'), 'utf8'))).toMatchObject({
      format: 'sectoken-checkpoint/1',
      instance: 'walk',
    });
  } finally {
    await stopServer(server.child);
  }
});
