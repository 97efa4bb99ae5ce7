/**
 * Small start-up traps through the real CLI, each one line (no stack) or a documented default: a
 * HOST that does not resolve, an empty or malformed PORT, a custom configuration marked
 * `"development": true` in production.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, startServer, stopServer } from '../helpers/cli.js';
import { devKeyring } from '../helpers/devKeyring.js';
import { devConfig } from '../helpers/service.js';

const lastLine = (stderr: string): string => {
  expect(stderr).not.toMatch(/\n\s+at /);
  return stderr.trim().split('\n').pop()!;
};

const devEnv = (): Record<string, string> => {
  const dir = mkdtempSync(join(tmpdir(), 'sectoken-traps-'));
  return { SECTOKEN_KEYRING: devKeyring(join(dir, 'dev-keyring.json')), SECTOKEN_AUDIT_DIR: join(dir, 'audit') };
};

describe('serve: start-up traps', () => {
  it('when HOST is a name that does not resolve (locahost), then one line says so and what to set', () => {
    const r = runCli(['serve'], { ...devEnv(), HOST: 'locahost', PORT: '0' });
    expect(r.status).toBe(1);
    expect(lastLine(r.stderr)).toBe(
      'sectoken: HOST locahost is not a name this machine can resolve: set HOST to an address (127.0.0.1, 0.0.0.0, ::) or a name it resolves',
    );
  });

  it('when PORT is empty, then it counts as unset: port 8080, never a random port', async () => {
    let said: string;
    try {
      const server = await startServer({ ...devEnv(), PORT: '' });
      said = server.url;
      await stopServer(server.child);
    } catch (err) {
      said = (err as Error).message; // 8080 taken by something else on this machine: refused, naming it
    }
    expect(said).toMatch(/^http:\/\/127\.0\.0\.1:8080$|port 8080 on 127\.0\.0\.1 is in use/);
  });

  it.each(['abc', '80.5', '70000', '-1'])('when PORT is %s, then one line refuses it', (port) => {
    const r = runCli(['serve'], { ...devEnv(), PORT: port });
    expect(r.status).toBe(1);
    expect(lastLine(r.stderr)).toBe(
      `sectoken: PORT must be a whole number in [0, 65535] (0: any free port), not ${JSON.stringify(port)}`,
    );
  });

  it('when a custom configuration marked "development": true is served in production, then it is called what it is, not the development sample', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sectoken-traps-'));
    const configPath = join(dir, 'mine.json');
    writeFileSync(configPath, JSON.stringify({ ...devConfig(), clients: [], rateLimits: {} }));
    const r = runCli(['serve'], {
      NODE_ENV: 'production',
      SECTOKEN_CONFIG: configPath,
      SECTOKEN_KEK: runCli(['keys', 'new-kek']).stdout.trim(),
    });
    expect(r.status).toBe(1);
    const line = lastLine(r.stderr);
    expect(line).toBe(
      `sectoken: ${configPath} is marked "development": true (a development configuration): production needs a configuration of its own, with clients created by \`sectoken clients add\``,
    );
    expect(line).not.toMatch(/sample|published/);
  });
});
