/**
 * Production names its audit chain and its audit directory (src/config/productionState.ts), through the
 * real CLI: each refusal one line, nothing written; with both named, it serves. Development keeps
 * its defaults.
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, startServer, stopServer, productionSetup } from '../helpers/cli.js';
import { devKeyring } from '../helpers/devKeyring.js';
import { packageCopy } from '../helpers/packageCopy.js';

const production = (): Record<string, string> => productionSetup().env;

const refusal = (env: Record<string, string>, cli?: string): string => {
  const r = runCli(['serve'], env, cli);
  expect(r.status).toBe(1);
  expect(r.stderr).not.toMatch(/\n\s+at /);
  const lines = r.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  return lines[0]!;
};

describe('production start: a named instance and audit directory', () => {
  const env = production();

  it('when SECTOKEN_INSTANCE_ID is unset, then it refuses, saying why the host name will not do', () => {
    expect(refusal({ ...env, SECTOKEN_INSTANCE_ID: '' })).toBe(
      "sectoken: production needs SECTOKEN_INSTANCE_ID: this instance's name in the audit log, the same across restarts and new containers (the host name would start a new chain each time), e.g. SECTOKEN_INSTANCE_ID=sectoken-1",
    );
  });

  it('when SECTOKEN_AUDIT_DIR is unset, then it refuses and writes no audit log in the package', () => {
    const copy = packageCopy();
    expect(refusal({ ...env, SECTOKEN_AUDIT_DIR: '' }, copy.cli)).toBe(
      'sectoken: production needs SECTOKEN_AUDIT_DIR: the directory of the audit log, named, on storage that outlives the process (in a container, a mounted directory)',
    );
    expect(existsSync(join(copy.root, 'audit'))).toBe(false);
  });

  it('when SECTOKEN_AUDIT_DIR is inside the package (the image: /app/audit), then it refuses', () => {
    const copy = packageCopy();
    const inside = join(copy.root, 'audit');
    expect(refusal({ ...env, SECTOKEN_AUDIT_DIR: inside }, copy.cli)).toBe(
      `sectoken: SECTOKEN_AUDIT_DIR ${inside} is inside the package (${copy.root}/): production keeps the audit log on storage of its own (in a container, a mounted directory such as /var/lib/sectoken/audit)`,
    );
    expect(existsSync(inside)).toBe(false);
  });

  it('when both are named, then it serves and its chain bears the name', async () => {
    const audit = mkdtempSync(join(tmpdir(), 'sectoken-state-audit-'));
    const server = await startServer({ ...env, SECTOKEN_INSTANCE_ID: 'sectoken-1', SECTOKEN_AUDIT_DIR: audit });
    try {
      expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
      expect(existsSync(join(audit, 'audit-sectoken-1.jsonl'))).toBe(true);
    } finally {
      await stopServer(server.child);
    }
  });

  it('in development, the defaults stand: no instance id is demanded', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sectoken-state-dev-'));
    const server = await startServer({
      SECTOKEN_KEYRING: devKeyring(join(dir, 'dev-keyring.json')),
      SECTOKEN_INSTANCE_ID: '',
    });
    await stopServer(server.child);
  });
});
