/**
 * Production never serves under the published development API keys (issue 9 item 16): the real
 * `sectoken serve` refuses, in one line that says to create clients with `sectoken clients add`,
 * the sample itself, the sample with `"development": false`, and any client whose key is
 * `stk_dev_<its id>` or one of the sample's published keys.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SAMPLE_CLIENT_IDS } from '../../src/access/devKeys.js';
import { runCli } from '../helpers/cli.js';
import { DEV_CONFIG_PATH, devConfig } from '../helpers/service.js';

const sha = (s: string): string => createHash('sha256').update(s).digest('hex');
const dir = mkdtempSync(join(tmpdir(), 'sectoken-devkeys-'));
const kek = runCli(['keys', 'new-kek']).stdout.trim();
const keyringPath = join(dir, 'keyring.json');
const prodEnv = (configPath: string): Record<string, string> => ({
  NODE_ENV: 'production',
  SECTOKEN_CONFIG: configPath,
  SECTOKEN_KEYRING: keyringPath,
  SECTOKEN_KEK: kek,
  SECTOKEN_AUDIT_DIR: join(dir, 'audit'),
});
const base = {
  ...devConfig(),
  development: false,
  clients: [] as unknown[],
  rateLimits: { defaults: {}, clients: {} },
};
let n = 0;
function configFile(config: object): string {
  const path = join(dir, `config-${++n}.json`);
  writeFileSync(path, JSON.stringify(config));
  return path;
}
function refusal(configPath: string): string {
  const r = runCli(['serve'], prodEnv(configPath));
  expect(r.status).toBe(1);
  const lines = r.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toContain('`sectoken clients add`');
  expect(lines[0]).not.toMatch(/"development": false/);
  expect(lines[0]).not.toMatch(/stk_dev_[a-z]/); // the key pattern is named, never a key
  return lines[0]!;
}

beforeAll(() => {
  expect(runCli(['keys', 'init'], prodEnv(configFile(base))).status).toBe(0);
});

describe('published development API keys in production', () => {
  it('when the sample is served as it is, then it is refused as the development sample', () => {
    expect(refusal(DEV_CONFIG_PATH)).toMatch(/is the development sample \(its API keys are published\)/);
  });

  it('when the sample has "development": false, then it is refused, naming its first client', () => {
    expect(refusal(configFile({ ...devConfig(), development: false }))).toMatch(
      /client "hospital-backend" .*has a published development API key/,
    );
  });

  it.each([
    ['its own stk_dev_<id>', 'lab-results', 'stk_dev_lab-results'],
    ["another sample client's key", 'lab-results', 'stk_dev_auditor'],
    ['the operator sample key', 'prometheus', 'stk_dev_operator'],
  ])('when a client has %s, then start is refused', (_what, id, key) => {
    const client = {
      id,
      role: id === 'prometheus' ? 'operator' : 'service',
      sectors: id === 'prometheus' ? [] : ['health'],
      apiKeySha256: sha(key),
    };
    expect(refusal(configFile({ ...base, clients: [client] }))).toMatch(
      new RegExp(`client "${id}" .*published development API key`),
    );
  });

  it('when SECTOKEN_CONFIG is not set, then the one line says to create clients with `sectoken clients add`', () => {
    const r = runCli(['serve'], { NODE_ENV: 'production', SECTOKEN_KEK: kek });
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toMatch(/^.*SECTOKEN_CONFIG is not set: .*`sectoken clients add`$/);
    expect(r.stderr).not.toMatch(/"development": false/);
  });

  it('the list of published keys covers every client of the sample, each keyed stk_dev_<id>', () => {
    const sample = JSON.parse(readFileSync(DEV_CONFIG_PATH, 'utf8')) as {
      clients: { id: string; apiKeySha256: string }[];
    };
    expect([...SAMPLE_CLIENT_IDS].sort()).toEqual(sample.clients.map((c) => c.id).sort());
    for (const c of sample.clients) expect(c.apiKeySha256).toBe(sha(`stk_dev_${c.id}`));
  });
});
