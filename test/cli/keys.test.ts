/**
 * Every `keys` and `clients` command through the real CLI process: the option names the README
 * shows, one-line refusals (exit 1, no stack) for unknown sectors, a rotation past the version values, two
 * KEK sources, a development keyring under a production KEK and a damaged keyring (named).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyring, rotateSector } from '../../src/keys/keyring.js';
import { newKek, parseKek } from '../../src/keys/seal.js';
import { openKeyringFile, saveKeyring } from '../../src/keys/store.js';
import { runCli } from '../helpers/cli.js';
import { devConfig } from '../helpers/service.js';

const oneLine = (stderr: string): string => {
  const lines = stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(stderr).not.toMatch(/\n\s+at /);
  return lines[0]!;
};

function production(): { dir: string; env: Record<string, string>; kek: string } {
  const dir = mkdtempSync(join(tmpdir(), 'sectoken-keys-'));
  const configPath = join(dir, 'config.json');
  writeFileSync(
    configPath,
    JSON.stringify({ ...devConfig(), development: false, clients: [], rateLimits: { defaults: {}, clients: {} } }),
  );
  const kek = newKek();
  const env = {
    NODE_ENV: 'production',
    SECTOKEN_CONFIG: configPath,
    SECTOKEN_KEYRING: join(dir, 'keyring.json'),
    SECTOKEN_KEK: kek,
  };
  expect(runCli(['keys', 'init'], env).status).toBe(0);
  return { dir, env, kek };
}

const keyringOf = (env: Record<string, string>) =>
  openKeyringFile(env.SECTOKEN_KEYRING!, parseKek(env.SECTOKEN_KEK!, 'test'));

describe('keys min-version', () => {
  const { env } = production();

  it('prints the program version only for -V/--version before any command', () => {
    const version = (
      JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
    ).version;
    expect(runCli(['--version']).stdout.trim()).toBe(version);
    expect(runCli(['-V']).stdout.trim()).toBe(version);
  });

  it('when given the old --version N, then it refuses instead of printing the version and doing nothing', () => {
    expect(runCli(['keys', 'rotate', '--sector', 'tax'], env).status).toBe(0);
    const r = runCli(['keys', 'min-version', '--sector', 'tax', '--version', '2'], env);
    expect(r.status).toBe(1);
    expect(r.stdout).not.toMatch(/\d+\.\d+\.\d+/);
    expect(keyringOf(env).sectors.get('tax')!.minVersion).toBe(1);
  });

  it('with --min N, then it refuses versions below N from then on', () => {
    const r = runCli(['keys', 'min-version', '--sector', 'tax', '--min', '2'], env);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/now accepts key versions 2\.\.2/);
    expect(keyringOf(env).sectors.get('tax')!.minVersion).toBe(2);
  });

  it('refuses a minimum above the current version, or that is not a number, in one line', () => {
    for (const min of ['3', 'two', '0']) {
      const r = runCli(['keys', 'min-version', '--sector', 'tax', '--min', min], env);
      expect(r.status).toBe(1);
      expect(oneLine(r.stderr)).toMatch(/--min must be a whole number between 1 and the current version 2/);
    }
  });
});

describe('keys rotate and add-sector', () => {
  const { dir, env } = production();

  it('refuse sectors the configuration does not have, in one line', () => {
    for (const command of ['rotate', 'add-sector', 'min-version']) {
      const r = runCli(
        ['keys', command, '--sector', 'heatlh', ...(command === 'min-version' ? ['--min', '1'] : [])],
        env,
      );
      expect(r.status).toBe(1);
      expect(oneLine(r.stderr)).toMatch(/sector "heatlh" is not in the configuration .*: add it there first/);
    }
    expect(keyringOf(env).sectors.has('heatlh')).toBe(false);
  });

  it('add-sector adds keys for a sector once it is configured', () => {
    const config = JSON.parse(readFileSync(env.SECTOKEN_CONFIG!, 'utf8')) as { sectors: Record<string, unknown> };
    config.sectors.education = { ...(config.sectors.tax as object), description: 'Schools' };
    writeFileSync(env.SECTOKEN_CONFIG!, JSON.stringify(config));
    expect(runCli(['keys', 'add-sector', '--sector', 'education'], env).status).toBe(0);
    expect(keyringOf(env).sectors.get('education')!.current).toBe(1);
  });

  it('when a digits sector has had its 10 versions, then rotate refuses in one line and names the way on, whatever was retired', () => {
    expect(runCli(['keys', 'rotate', '--sector', 'health'], env).stderr).toMatch(/key version 2;/);
    // Versions 3 to 10 in process, as the command does (one CLI process per version is 0.7 s each).
    const grown = keyringOf(env);
    while (grown.sectors.get('health')!.current < 10) rotateSector(grown, 'health');
    saveKeyring(env.SECTOKEN_KEYRING!, grown, parseKek(env.SECTOKEN_KEK!, 'test'));
    expect(runCli(['keys', 'min-version', '--sector', 'health', '--min', '9'], env).status).toBe(0);
    const r = runCli(['keys', 'rotate', '--sector', 'health'], env);
    expect(r.status).toBe(1);
    expect(oneLine(r.stderr)).toMatch(
      /sector "health" has used all 10 key versions .*never given to a second key.*"versionCharacters": 2.*DERIVATION\.md §4/,
    );
    expect(keyringOf(env).sectors.get('health')!.current).toBe(10);
    // Retired versions may be taken back while their keys are kept.
    expect(runCli(['keys', 'min-version', '--sector', 'health', '--min', '1'], env).status).toBe(0);
    expect(keyringOf(env).sectors.get('health')!.minVersion).toBe(1);
  });

  it('when a keyring has had more versions than its version character tells apart, then serve refuses in one line', () => {
    // The keyring the configuration pins, grown past what one version character tells apart.
    const keyring = keyringOf(env);
    while (keyring.sectors.get('health')!.current < 12) rotateSector(keyring, 'health');
    keyring.sectors.get('health')!.minVersion = 11;
    const overfull = join(dir, 'overfull.json');
    saveKeyring(overfull, keyring, parseKek(env.SECTOKEN_KEK!, 'test'));
    const r = runCli(['serve'], { ...env, SECTOKEN_KEYRING: overfull, SECTOKEN_WORKERS: '1', PORT: '0' });
    expect(r.status).toBe(1);
    expect(oneLine(r.stderr)).toMatch(
      /sector "health" has had 12 key versions but its 1 version character\(s\) tell only 10 apart/,
    );
  });
});

describe('the KEK and the keyring file', () => {
  const { dir, env } = production();

  it('refuses SECTOKEN_KEK and SECTOKEN_KEK_FILE together', () => {
    const kekFile = join(dir, 'kek');
    writeFileSync(kekFile, env.SECTOKEN_KEK!);
    const r = runCli(['keys', 'public-key'], { ...env, SECTOKEN_KEK_FILE: kekFile });
    expect(r.status).toBe(1);
    expect(oneLine(r.stderr)).toMatch(/both SECTOKEN_KEK and SECTOKEN_KEK_FILE are set: unset one/);
  });

  it('says "development keyring", not "wrong KEK", for a development keyring under a production KEK', () => {
    const devDir = mkdtempSync(join(tmpdir(), 'sectoken-devkeys-'));
    const devKeyring = join(devDir, 'dev-keyring.json');
    // A development command creates nothing; the development start does: make one the same way.
    saveKeyring(
      devKeyring,
      generateKeyring(['health', 'tax', 'finance', 'social', 'telecom'], true),
      parseKek(newKek(), 'dev'),
    );
    const r = runCli(['serve'], { ...env, SECTOKEN_KEYRING: devKeyring, SECTOKEN_WORKERS: '1' });
    expect(r.status).toBe(1);
    const line = oneLine(r.stderr);
    expect(line).toMatch(/is a development keyring/);
    expect(line).toContain(devKeyring);
    expect(line).not.toMatch(/wrong key-encryption key/);
  });

  it('names the file of a damaged keyring', () => {
    const damaged = join(dir, 'damaged.json');
    writeFileSync(damaged, readFileSync(env.SECTOKEN_KEYRING!, 'utf8').slice(0, 120));
    const r = runCli(['keys', 'rotate', '--sector', 'tax'], { ...env, SECTOKEN_KEYRING: damaged });
    expect(r.status).toBe(1);
    expect(oneLine(r.stderr)).toMatch(new RegExp(`keyring ${damaged} is damaged`));
  });

  it('keys public-key prints the audit signing public key', () => {
    const r = runCli(['keys', 'public-key'], env);
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe(keyringOf(env).auditSigning.x);
    expect(r.stdout.trim()).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });
});

describe('clients add', () => {
  const { env } = production();

  it('records a regulator with --person and --organisation, and refuses one without', () => {
    const refused = runCli(['clients', 'add', '--id', 'cndp-1', '--role', 'regulator', '--sectors', 'health'], env);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/person/);
    expect(refused.stderr).not.toMatch(/\n\s+at /);

    const r = runCli(
      [
        'clients',
        'add',
        '--id',
        'cndp-1',
        '--role',
        'regulator',
        '--sectors',
        'health',
        '--person',
        'Amal Bennani',
        '--organisation',
        'CNDP',
      ],
      env,
    );
    expect(r.status).toBe(0);
    const config = JSON.parse(readFileSync(env.SECTOKEN_CONFIG!, 'utf8')) as {
      clients: Record<string, unknown>[];
    };
    expect(config.clients.find((c) => c.id === 'cndp-1')).toMatchObject({
      role: 'regulator',
      person: 'Amal Bennani',
      organisation: 'CNDP',
      sectors: ['health'],
    });
  });

  it('names the line and column of a JSON syntax error in the configuration', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sectoken-badjson-'));
    const bad = join(dir, 'config.json');
    writeFileSync(bad, '{\n  "development": false,\n  "sectors": {,\n}\n');
    for (const args of [['clients', 'add', '--id', 'x', '--role', 'service'], ['serve']]) {
      const r = runCli(args, { ...env, SECTOKEN_CONFIG: bad });
      expect(r.status).toBe(1);
      expect(oneLine(r.stderr)).toMatch(/configuration .* is not valid JSON: line 3, column 15/);
    }
  });
});
