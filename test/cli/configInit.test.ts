/** `sectoken config init`: a production skeleton where the operator says, never over a file, pinned when a keyring is named. */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../src/config/schema.js';
import { runCli } from '../helpers/cli.js';
import { devKeyring } from '../helpers/devKeyring.js';

const oneLine = (stderr: string): string => {
  const lines = stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  return lines[0]!;
};

describe('config init', () => {
  it('writes a valid production configuration with the sample sectors and legal bases, no clients and no pin, and says what comes next', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sectoken-config-init-'));
    const path = join(dir, 'sectoken.json');
    const r = runCli(['config', 'init', path], { NODE_ENV: 'production' });
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/keys init/);
    const config = parseConfig(JSON.parse(readFileSync(path, 'utf8')), path);
    expect(config.development).toBe(false);
    expect(config.clients).toEqual([]);
    expect(config.keyringFingerprint).toBeUndefined();
    expect(Object.keys(config.sectors)).toEqual(['health', 'tax', 'finance', 'social', 'telecom', 'civil']);
    expect(config.legalBases.map((b) => b.id)).toContain('CNDP-D-97-2020');
    expect(config.rateLimits.clients).toEqual({});
  });

  it('refuses an existing file or a directory, in one line, and leaves the file as it was', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sectoken-config-init-'));
    const path = join(dir, 'sectoken.json');
    writeFileSync(path, 'mine');
    const r = runCli(['config', 'init', path]);
    expect(r.status).toBe(1);
    expect(oneLine(r.stderr)).toBe(`sectoken: ${path} is a file already: refusing to overwrite it (name a new file)`);
    expect(readFileSync(path, 'utf8')).toBe('mine');
    mkdirSync(join(dir, 'd'));
    expect(oneLine(runCli(['config', 'init', join(dir, 'd')]).stderr)).toMatch(/is a directory already: refusing/);
  });

  it('refuses a path in a missing directory in words naming it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sectoken-config-init-'));
    const r = runCli(['config', 'init', join(dir, 'etc', 'sectoken.json')]);
    expect(r.status).toBe(1);
    expect(oneLine(r.stderr)).toBe(
      `sectoken: cannot write ${join(dir, 'etc', 'sectoken.json')}: no such file (is ${join(dir, 'etc')} a directory you may write?)`,
    );
  });

  it('with SECTOKEN_KEYRING naming an existing keyring, pins it: the fingerprint keys init printed', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sectoken-config-init-'));
    const env = {
      NODE_ENV: 'production',
      SECTOKEN_KEK: runCli(['keys', 'new-kek']).stdout.trim(),
      SECTOKEN_KEYRING: join(dir, 'keyring.json'),
    };
    const first = join(dir, 'first.json');
    expect(runCli(['config', 'init', first], env).status).toBe(0);
    const made = runCli(['keys', 'init'], { ...env, SECTOKEN_CONFIG: first });
    expect(made.status).toBe(0);
    const second = join(dir, 'second.json');
    const r = runCli(['config', 'init', second], env);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/pinned keyring/);
    expect(JSON.parse(readFileSync(second, 'utf8')).keyringFingerprint).toBe(made.stdout.trim());
  });

  it('with SECTOKEN_KEYRING naming a development keyring, then it refuses in one line and writes nothing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sectoken-config-init-'));
    const keyring = devKeyring(join(dir, 'dev-keyring.json'));
    const path = join(dir, 'sectoken.json');
    const r = runCli(['config', 'init', path], { SECTOKEN_KEYRING: keyring, SECTOKEN_KEK_FILE: join(dir, 'dev.kek') });
    expect(r.status).toBe(1);
    expect(oneLine(r.stderr)).toBe(
      `sectoken: ${keyring} is a development keyring: a production configuration needs a keyring made by \`sectoken keys init\``,
    );
    expect(existsSync(path)).toBe(false);
  });
});
