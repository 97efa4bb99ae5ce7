/**
 * The real `sectoken` process: development first start, production refusals (each a one-line
 * reason), `keys init`, `clients add`, and a production start that serves the new client.
 */
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { devConfig } from '../helpers/service.js';
import { generateKeyring } from '../../src/keys/keyring.js';
import { parseKek } from '../../src/keys/seal.js';
import { saveKeyring } from '../../src/keys/store.js';
import { runCli, startServer, stopServer } from '../helpers/cli.js';
import { packageCopy } from '../helpers/packageCopy.js';

const tmp = (): string => mkdtempSync(join(tmpdir(), 'sectoken-cli-'));
const oneLine = (stderr: string): string => {
  const lines = stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  return lines[0]!;
};

async function tokenOf(
  url: string,
  apiKey: string,
  sector: string,
  nationalId: string,
): Promise<{ status: number; body: any }> {
  const res = await fetch(`${url}/v1/tokens`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${apiKey}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ sector, nationalId }),
  });
  return { status: res.status, body: await res.json() };
}

describe('development start', () => {
  it('when nothing is set up, then it creates a dev KEK and keyring at the default paths, says so, and serves the same token after a restart', async () => {
    // A fresh clone: the package copied, nothing named, so the default paths are the copy's keys/.
    const { root, cli } = packageCopy();
    const dir = join(root, 'keys');
    const env = {};
    const first = await startServer(env, cli);
    const a = await tokenOf(first.url, 'stk_dev_hospital-backend', 'health', 'AB123456');
    await stopServer(first.child);
    expect(first.output()).toMatch(/created a DEVELOPMENT keyring/);
    expect(statSync(join(dir, 'dev.kek')).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'dev-keyring.json')).mode & 0o777).toBe(0o600);

    const second = await startServer(env, cli);
    const b = await tokenOf(second.url, 'stk_dev_hospital-backend', 'health', 'AB123456');
    const other = await tokenOf(second.url, 'stk_dev_tax-backend', 'tax', 'AB123456');
    await stopServer(second.child);
    expect(second.output()).not.toMatch(/created a DEVELOPMENT keyring/);
    expect(a.status).toBe(200);
    expect(b.body.token).toBe(a.body.token);
    expect(other.body.token).not.toBe(a.body.token);
  });
});

describe('production start', () => {
  const dir = tmp();
  const configPath = join(dir, 'config.json');
  const keyringPath = join(dir, 'keyring.json');
  const kek = runCli(['keys', 'new-kek']).stdout.trim();
  const prodConfig = { ...devConfig(), development: false, clients: [], rateLimits: { defaults: {}, clients: {} } };
  writeFileSync(configPath, JSON.stringify(prodConfig));
  const env = { NODE_ENV: 'production', SECTOKEN_CONFIG: configPath, SECTOKEN_KEYRING: keyringPath, SECTOKEN_KEK: kek };

  it('prints a fresh 32-byte KEK', () => {
    expect(kek).toMatch(/^[0-9a-f]{64}$/);
    expect(runCli(['keys', 'new-kek']).stdout.trim()).not.toBe(kek);
  });

  it('refuses the development configuration', () => {
    const r = runCli(['serve'], { ...env, SECTOKEN_CONFIG: join(__dirname_of(), 'config', 'sectoken.dev.json') });
    expect(r.status).toBe(1);
    expect(oneLine(r.stderr)).toMatch(/is the development sample .*clients created by `sectoken clients add`/);
  });

  it('refuses to start without SECTOKEN_CONFIG', () => {
    const r = runCli(['serve'], { NODE_ENV: 'production', SECTOKEN_KEK: kek });
    expect(r.status).toBe(1);
    expect(oneLine(r.stderr)).toMatch(/SECTOKEN_CONFIG is not set/);
  });

  it('refuses to start without a KEK, saying how to make one', () => {
    const r = runCli(['serve'], { ...env, SECTOKEN_KEK: '' });
    expect(r.status).toBe(1);
    expect(oneLine(r.stderr)).toMatch(/no key-encryption key: set SECTOKEN_KEK or SECTOKEN_KEK_FILE .*keys new-kek/);
  });

  it('refuses to start without a keyring, saying how to make one', () => {
    const r = runCli(['serve'], env);
    expect(r.status).toBe(1);
    expect(oneLine(r.stderr)).toMatch(/no keyring at .*keys init/);
  });

  it('creates a keyring with keys init, and refuses to overwrite it', () => {
    const r = runCli(['keys', 'init'], env);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/created keyring/);
    expect(statSync(keyringPath).mode & 0o777).toBe(0o600);
    const again = runCli(['keys', 'init'], env);
    expect(again.status).toBe(1);
    expect(oneLine(again.stderr)).toMatch(/exists already: refusing to overwrite/);
  });

  it('refuses a wrong KEK', () => {
    const r = runCli(['serve'], { ...env, SECTOKEN_KEK: runCli(['keys', 'new-kek']).stdout.trim() });
    expect(r.status).toBe(1);
    expect(oneLine(r.stderr)).toMatch(/wrong key-encryption key/);
  });

  it('refuses a damaged keyring', () => {
    const damaged = join(dir, 'damaged.json');
    const sealed = JSON.parse(readFileSync(keyringPath, 'utf8')) as { ciphertext: string };
    const ct = Buffer.from(sealed.ciphertext, 'base64url');
    ct[10]! ^= 0x40;
    writeFileSync(damaged, JSON.stringify({ ...sealed, ciphertext: ct.toString('base64url') }));
    const r = runCli(['serve'], { ...env, SECTOKEN_KEYRING: damaged });
    expect(r.status).toBe(1);
    expect(oneLine(r.stderr)).toMatch(/damaged/);
  });

  it('refuses a development keyring', () => {
    // A development keyring sealed under the production KEK (a start no longer makes one there).
    const devKeyring = join(tmp(), 'dev-keyring.json');
    saveKeyring(devKeyring, generateKeyring(Object.keys(devConfig().sectors as object), true), parseKek(kek, 'test'));
    const r = runCli(['serve'], { ...env, SECTOKEN_KEYRING: devKeyring });
    expect(r.status).toBe(1);
    expect(oneLine(r.stderr)).toMatch(/is a development keyring/);
  });

  it('adds a client whose key is printed once and stored only as a hash, and then serves it', async () => {
    const r = runCli(['clients', 'add', '--id', 'lab-results', '--role', 'service', '--sectors', 'health'], env);
    expect(r.status).toBe(0);
    const apiKey = r.stdout.trim();
    expect(apiKey).toMatch(/^stk_[A-Za-z0-9_-]{43}$/);
    const stored = readFileSync(configPath, 'utf8');
    expect(stored).not.toContain(apiKey);
    expect(stored).toContain('"lab-results"');

    const refused = runCli(['clients', 'add', '--id', 'x', '--role', 'service', '--sectors', 'nowhere'], env);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/unknown sector "nowhere"/);

    const server = await startServer(env);
    try {
      const ok = await tokenOf(server.url, apiKey, 'health', 'AB123456');
      expect(ok.status).toBe(200);
      expect(ok.body.token).toMatch(/^[0-9]{12}$/);
      const wrong = await tokenOf(server.url, 'stk_dev_hospital-backend', 'health', 'AB123456');
      expect(wrong.status).toBe(401);
      expect(server.output()).not.toContain(apiKey);
    } finally {
      await stopServer(server.child);
    }
  });

  it('adds keys for a sector newly added to the configuration with keys add-sector', () => {
    const config = JSON.parse(readFileSync(configPath, 'utf8')) as { sectors: Record<string, unknown> };
    writeFileSync(
      configPath,
      JSON.stringify({ ...config, sectors: { ...config.sectors, education: config.sectors.tax } }),
    );
    const r = runCli(['keys', 'add-sector', '--sector', 'education'], env);
    expect(r.status).toBe(0);
    expect(runCli(['keys', 'add-sector', '--sector', 'education'], env).stderr).toMatch(/already has keys/);
  });
});

function __dirname_of(): string {
  return new URL('../..', import.meta.url).pathname;
}
