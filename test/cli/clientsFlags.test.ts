/**
 * `clients add` and `clients remove` as an operator meets them, through the real CLI: missing or
 * wrong flags named as flags, the tracked development sample left alone unless `--config` names
 * it, the file's mode and owner kept, a byte-order mark accepted, unreadable files refused in words.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, runCli } from '../helpers/cli.js';
import { packageCopy } from '../helpers/packageCopy.js';
import { devConfig } from '../helpers/service.js';

const root = process.getuid?.() === 0;

function setup(): { dir: string; env: Record<string, string>; configPath: string } {
  const dir = mkdtempSync(join(tmpdir(), 'sectoken-client-flags-'));
  const configPath = join(dir, 'config.json');
  const config = { ...devConfig(), development: false, clients: [], rateLimits: { defaults: {}, clients: {} } };
  writeFileSync(configPath, JSON.stringify(config));
  return { dir, env: { SECTOKEN_CONFIG: configPath }, configPath };
}

/** Refused in one line, the file untouched. */
function refused(args: string[], env: Record<string, string>, configPath: string): string {
  const before = readFileSync(configPath, 'utf8');
  const r = runCli(['clients', ...args], env);
  expect(r.status).toBe(1);
  const lines = r.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(readFileSync(configPath, 'utf8')).toBe(before);
  return lines[0]!;
}

describe('clients add: flags', () => {
  const { env, configPath } = setup();
  const add = (...args: string[]): string => refused(['add', ...args], env, configPath);

  it('names the missing --person (or --organisation) of a regulator as flags', () => {
    const regulator = ['--id', 'cndp-1', '--role', 'regulator', '--sectors', 'health'];
    expect(add(...regulator, '--organisation', 'CNDP')).toBe(
      'sectoken: --person is required for regulators: the accountable person who holds the key and the organisation they act for (dual control binds people, not keys)',
    );
    expect(add(...regulator, '--person', 'Amal Bennani')).toMatch(
      /^sectoken: --organisation is required for regulators/,
    );
    expect(add(...regulator)).toMatch(/^sectoken: --person and --organisation are required for regulators/);
  });

  it('names a wrong --role, --id or --sectors, and a duplicate id', () => {
    expect(add('--id', 'x', '--role', 'root')).toBe(
      'sectoken: --role must be one of service, regulator, auditor, operator (not "root")',
    );
    expect(add('--id', 'Lab Results', '--role', 'service')).toMatch(/^sectoken: --id must be 1–64 lower-case letters/);
    expect(add('--id', 'x', '--role', 'service', '--sectors', 'health,space')).toBe(
      `sectoken: --sectors: unknown sector "space" (${configPath} has health, tax, finance, social, telecom, civil)`,
    );
    expect(add('--id', 'audit-1', '--role', 'auditor', '--sectors', 'health')).toBe(
      'sectoken: --sectors is not for an auditor: auditors and operators have no sectors',
    );
    expect(runCli(['clients', 'add', '--id', 'lab', '--role', 'service', '--sectors', 'health'], env).status).toBe(0);
    expect(add('--id', 'lab', '--role', 'service', '--sectors', 'tax')).toBe(
      `sectoken: a client "lab" is already in ${configPath}: choose another --id, or give its holder a new key with \`sectoken clients remove --id lab\` then \`clients add\``,
    );
  });
});

describe('clients add and remove: the development sample', () => {
  it('when SECTOKEN_CONFIG is unset or names the sample, then the tracked sample is not edited: one line says where clients belong; --config naming it edits it', () => {
    const copy = packageCopy();
    const sample = join(copy.root, 'config', 'sectoken.dev.json');
    const before = readFileSync(sample, 'utf8');
    const args = ['clients', 'add', '--id', 'lab', '--role', 'service', '--sectors', 'health'];
    for (const env of [{}, { SECTOKEN_CONFIG: sample }]) {
      for (const command of [args, ['clients', 'remove', '--id', 'auditor']]) {
        const r = runCli(command.slice(), env, copy.cli);
        expect(r.status).toBe(1);
        expect(r.stderr).toBe(
          `sectoken: refusing to edit the development sample ${sample}: clients of a real deployment belong in its own configuration (make one with \`sectoken config init <path>\`, then set SECTOKEN_CONFIG=<path>); to change the sample itself, add --config ${sample}\n`,
        );
      }
    }
    expect(readFileSync(sample, 'utf8')).toBe(before);
    const r = runCli([...args, '--config', sample], {}, copy.cli);
    expect(r.status).toBe(0);
    expect(readFileSync(sample, 'utf8')).toContain('"lab"');
  });
});

describe('clients add and remove: the file', () => {
  (root ? it : it.skip)(
    'when the file is 0644 and owned by the service user (1000), then add, remove and keys init keep both',
    () => {
      const { env, configPath } = setup();
      chmodSync(configPath, 0o644);
      chownSync(configPath, 1000, 1000);
      const kept = (): void => {
        const { mode, uid, gid } = statSync(configPath);
        expect({ mode: mode & 0o7777, uid, gid }).toEqual({ mode: 0o644, uid: 1000, gid: 1000 });
      };
      expect(runCli(['clients', 'add', '--id', 'lab', '--role', 'service', '--sectors', 'health'], env).status).toBe(0);
      kept();
      expect(runCli(['clients', 'remove', '--id', 'lab'], env).status).toBe(0);
      kept();
      const dir = mkdtempSync(join(tmpdir(), 'sectoken-pin-'));
      const keys = { SECTOKEN_KEK: runCli(['keys', 'new-kek']).stdout.trim(), SECTOKEN_KEYRING: join(dir, 'k.json') };
      const init = runCli(['keys', 'init'], { ...env, ...keys });
      expect(init.stderr).toMatch(/pinned it in/);
      kept();
    },
  );

  it('when the file begins with a UTF-8 byte-order mark, then it is read as JSON', () => {
    const { env, configPath } = setup();
    writeFileSync(configPath, '\uFEFF' + readFileSync(configPath, 'utf8'));
    const r = runCli(['clients', 'add', '--id', 'lab', '--role', 'service', '--sectors', 'health'], env);
    expect(r.stderr).toMatch(/^added client "lab"/);
    expect(r.status).toBe(0);
  });

  it('when the configuration, KEK file or keyring is missing, a directory or unreadable, then one line names the path and says why in words', () => {
    const { dir, env } = setup();
    const missing = join(dir, 'nope.json');
    const args = ['clients', 'add', '--id', 'lab', '--role', 'service', '--sectors', 'health'];
    expect(runCli(args, { SECTOKEN_CONFIG: missing }).stderr).toBe(
      `sectoken: cannot read configuration ${missing}: no such file\n`,
    );
    mkdirSync(join(dir, 'd'));
    expect(runCli(['clients', 'remove', '--id', 'x'], { SECTOKEN_CONFIG: join(dir, 'd') }).stderr).toBe(
      `sectoken: cannot read configuration ${join(dir, 'd')}: it is a directory\n`,
    );
    expect(runCli(['serve'], { ...env, SECTOKEN_CONFIG: missing }).stderr).toBe(
      `sectoken: cannot read configuration ${missing}: no such file\n`,
    );
    const kek = runCli(['keys', 'new-kek']).stdout.trim();
    expect(runCli(['keys', 'fingerprint'], { ...env, SECTOKEN_KEK_FILE: join(dir, 'd') }).stderr).toBe(
      `sectoken: cannot read SECTOKEN_KEK_FILE ${join(dir, 'd')}: it is a directory\n`,
    );
    expect(
      runCli(['keys', 'fingerprint'], { ...env, SECTOKEN_KEK: kek, SECTOKEN_KEYRING: join(dir, 'd') }).stderr,
    ).toBe(`sectoken: cannot read keyring ${join(dir, 'd')}: it is a directory\n`);
    if (root) {
      chmodSync(dir, 0o755);
      chmodSync(env.SECTOKEN_CONFIG!, 0o600);
      const r = spawnSync(process.execPath, [CLI, ...args], {
        env: { PATH: process.env.PATH, SECTOKEN_CONFIG: env.SECTOKEN_CONFIG },
        encoding: 'utf8',
        uid: 65534,
        gid: 65534,
      });
      expect(r.stderr).toBe(`sectoken: cannot read configuration ${env.SECTOKEN_CONFIG}: permission denied\n`);
    }
  });
});
