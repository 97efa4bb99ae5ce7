/**
 * The operator's mistakes through the real CLI, each one line with cause and fix, exit ≠ 0, no
 * stack: a port in use, `audit verify` with a missing log or checkpoint, and with a keyring that
 * did not write the log. And the start banner names the pid that SIGHUP reloads.
 */
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, startServer, stopServer } from '../helpers/cli.js';
import { devKeyring } from '../helpers/devKeyring.js';
import { waitFor } from '../redis/helpers.js';

const oneLine = (stderr: string): string => {
  const lines = stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(stderr).not.toMatch(/\n\s+at /);
  return lines[0]!;
};

describe('serve', () => {
  it('when the port is in use, then one line saying so and what to do', async () => {
    const taken: Server = await new Promise((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => resolve(s));
    });
    try {
      const { port } = taken.address() as { port: number };
      const dir = mkdtempSync(join(tmpdir(), 'sectoken-port-'));
      const r = runCli(['serve'], {
        PORT: String(port),
        SECTOKEN_KEYRING: devKeyring(join(dir, 'dev-keyring.json')),
        SECTOKEN_AUDIT_DIR: join(dir, 'audit'),
      });
      expect(r.status).toBe(1);
      expect(r.stderr.trim().split('\n').pop()).toBe(
        `sectoken: port ${port} on 127.0.0.1 is in use: stop whatever listens there, or set PORT to a free port`,
      );
      expect(r.stderr).not.toMatch(/\n\s+at /);
    } finally {
      taken.close();
    }
  });

  it('prints the pid to signal, and SIGHUP to that pid reloads the configuration and keyring', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sectoken-pid-'));
    const server = await startServer({ SECTOKEN_KEYRING: devKeyring(join(dir, 'dev-keyring.json')) });
    try {
      expect(server.output()).toContain(`pid ${server.child.pid}`);
      expect(server.output()).toContain(`kill -HUP ${server.child.pid}`);
      expect(
        runCli(['keys', 'rotate', '--sector', 'tax'], { SECTOKEN_KEYRING: join(dir, 'dev-keyring.json') }).status,
      ).toBe(0);
      server.child.kill('SIGHUP');
      await waitFor(
        () => server.output().includes('configuration and keyring reloaded'),
        `the reload:\n${server.output()}`,
        30_000,
        50,
      );
      const res = await fetch(`${server.url}/v1/tokens`, {
        method: 'POST',
        headers: { Authorization: 'Bearer stk_dev_tax-backend', 'Content-Type': 'application/json' },
        body: JSON.stringify({ sector: 'tax', nationalId: 'AB123456' }),
      });
      expect(((await res.json()) as { keyVersion: number }).keyVersion).toBe(2);
    } finally {
      await stopServer(server.child);
    }
  });
});

describe('audit verify', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sectoken-verify-'));
  const env = {
    SECTOKEN_KEYRING: devKeyring(join(dir, 'keys', 'dev-keyring.json')),
    SECTOKEN_AUDIT_DIR: join(dir, 'audit'),
  };
  let log = '';

  beforeAll(async () => {
    const server = await startServer(env);
    try {
      const auth = (client: string) => ({
        Authorization: `Bearer stk_dev_${client}`,
        'Content-Type': 'application/json',
      });
      const { token } = (await (
        await fetch(`${server.url}/v1/tokens`, {
          method: 'POST',
          headers: auth('tax-backend'),
          body: JSON.stringify({ sector: 'tax', nationalId: 'AB123456' }),
        })
      ).json()) as { token: string };
      await fetch(`${server.url}/v1/reverse`, {
        method: 'POST',
        headers: auth('regulator-cndp'),
        body: JSON.stringify({
          sector: 'tax',
          token,
          legalBasis: 'LOI-09-08-ART-4',
          caseId: 'CASE-VERIFY-1',
          purpose: 'verify test',
        }),
      });
    } finally {
      await stopServer(server.child);
    }
    log = join(
      dir,
      'audit',
      readdirSync(join(dir, 'audit')).find((f) => f.endsWith('.jsonl'))!,
    );
  });

  it('with its own keyring and KEK, checks MACs and says verified', () => {
    const r = runCli(['audit', 'verify', log], { ...env, SECTOKEN_KEK_FILE: join(dir, 'keys', 'dev.kek') });
    expect(r.stdout).not.toMatch(/MACs not checked/);
    expect(r.stdout.trim().split('\n').pop()).toBe('verified');
    expect(r.status).toBe(0);
  });

  it('refuses a missing log or checkpoint, or a checkpoint that is not JSON, in one line', () => {
    const missing = runCli(['audit', 'verify', join(dir, 'nowhere.jsonl')], env);
    expect(missing.status).toBe(1);
    expect(oneLine(missing.stderr)).toMatch(/cannot read audit log .*nowhere\.jsonl: no such file/);
    const noCheckpoint = runCli(['audit', 'verify', log, '--checkpoint', join(dir, 'cp.json')], env);
    expect(noCheckpoint.status).toBe(1);
    expect(oneLine(noCheckpoint.stderr)).toMatch(/cannot read checkpoint .*cp\.json: no such file/);
    writeFileSync(join(dir, 'bad-cp.json'), '<html>');
    const notJson = runCli(['audit', 'verify', log, '--checkpoint', join(dir, 'bad-cp.json')], env);
    expect(notJson.status).toBe(1);
    expect(oneLine(notJson.stderr)).toMatch(/checkpoint .*bad-cp\.json is not JSON/);
  });

  it('with a keyring that did not write the log, says so instead of calling every record forged', async () => {
    // Another deployment's development keyring, sealed under its own dev.kek: a mix-up of keyrings.
    const other = mkdtempSync(join(tmpdir(), 'sectoken-other-'));
    const otherKeyring = join(other, 'dev-keyring.json');
    devKeyring(otherKeyring);
    const r = runCli(['audit', 'verify', log], {
      SECTOKEN_KEYRING: otherKeyring,
      SECTOKEN_KEK_FILE: join(other, 'dev.kek'),
    });
    expect(r.status).toBe(2);
    expect(oneLine(r.stderr)).toMatch(
      /no record of .* has a valid MAC under keyring .*: that keyring did not write this log/,
    );
    expect(r.stdout).not.toMatch(/MAC invalid/);
  });
});
