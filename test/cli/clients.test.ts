/**
 * `clients remove` through the real CLI: it takes the client and its own rate limits out of the
 * configuration, refuses an unknown id in one line naming the clients there are, and, like
 * `clients add`, rewrites the file keeping its mode and owner.
 */
import { chmodSync, chownSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { devConfig } from '../helpers/service.js';

type Raw = Record<string, any>;

function setup(): { env: Record<string, string>; configPath: string } {
  const dir = mkdtempSync(join(tmpdir(), 'sectoken-clients-'));
  const configPath = join(dir, 'config.json');
  const config = { ...devConfig(), development: false, clients: [], rateLimits: { defaults: {}, clients: {} } };
  writeFileSync(configPath, JSON.stringify(config));
  return { env: { SECTOKEN_CONFIG: configPath }, configPath };
}

const configOf = (path: string): Raw => JSON.parse(readFileSync(path, 'utf8')) as Raw;

describe('clients remove', () => {
  it('when a client is removed, then it and its own rate limits leave the configuration, and the others stay', () => {
    const { env, configPath } = setup();
    for (const id of ['lab-results', 'tax-office'])
      expect(runCli(['clients', 'add', '--id', id, '--role', 'service', '--sectors', 'health'], env).status).toBe(0);
    const limited = configOf(configPath);
    limited.rateLimits.clients['lab-results'] = { identities: [{ points: 10, perSeconds: 1 }] };
    limited.rateLimits.clients['tax-office'] = { identities: [{ points: 20, perSeconds: 1 }] };
    writeFileSync(configPath, JSON.stringify(limited));

    const r = runCli(['clients', 'remove', '--id', 'lab-results'], env);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim()).toBe(
      `removed client "lab-results" from ${configPath}; its key works until the service reloads: send the running service SIGHUP (kill -HUP <pid>, the pid of its start banner) to take it in`,
    );
    const after = configOf(configPath);
    expect(after.clients.map((c: Raw) => c.id)).toEqual(['tax-office']);
    expect(Object.keys(after.rateLimits.clients)).toEqual(['tax-office']);
  });

  it('when the id is unknown, then one line names the clients there are, and the file is untouched', () => {
    const { env, configPath } = setup();
    expect(
      runCli(['clients', 'add', '--id', 'lab-results', '--role', 'service', '--sectors', 'health'], env).status,
    ).toBe(0);
    const before = readFileSync(configPath, 'utf8');
    const r = runCli(['clients', 'remove', '--id', 'lab-result'], env);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(`sectoken: no client "lab-result" in ${configPath} (its clients: lab-results)\n`);
    expect(readFileSync(configPath, 'utf8')).toBe(before);
  });

  it('when add and remove rewrite the configuration, then its mode (and, run as root, its owner) are kept', () => {
    const { env, configPath } = setup();
    chmodSync(configPath, 0o640);
    const root = process.getuid?.() === 0;
    if (root) chownSync(configPath, 4321, 4322); // a service account of its own
    const kept = (): void => {
      const { mode, uid, gid } = statSync(configPath);
      expect(mode & 0o7777).toBe(0o640);
      if (root) expect([uid, gid]).toEqual([4321, 4322]);
    };
    expect(
      runCli(['clients', 'add', '--id', 'lab-results', '--role', 'service', '--sectors', 'health'], env).status,
    ).toBe(0);
    kept();
    expect(runCli(['clients', 'remove', '--id', 'lab-results'], env).status).toBe(0);
    kept();
  });
});
