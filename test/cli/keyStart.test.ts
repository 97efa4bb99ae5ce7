/**
 * What `sectoken serve` refuses to start with, through the real process on temporary directories
 * (SPEC "Keys", "Audit", "Redis"): key material is made only by `keys init` or for the development
 * sample at its default paths, never at a mistyped path or beside an old keyring; the configuration
 * pins its keyring and a start with another is refused; a start that cannot audit is refused; an
 * unreachable Redis is said once. Each refusal is one line, and leaves no file behind.
 */
import { createServer } from 'node:net';
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  unlinkSync,
  writeFileSync,
  copyFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, startServer, stopServer } from '../helpers/cli.js';
import { devKeyring } from '../helpers/devKeyring.js';
import { packageCopy } from '../helpers/packageCopy.js';
import { devConfig } from '../helpers/service.js';

const tmp = (): string => mkdtempSync(join(tmpdir(), 'sectoken-keystart-'));
const oneLine = (stderr: string): string => {
  const lines = stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(stderr).not.toMatch(/\n\s+at /);
  return lines[0]!;
};
/** Every file under dir with its size and mtime: equal before and after means nothing was written. */
const filesOf = (dir: string): Record<string, string> =>
  Object.fromEntries(
    readdirSync(dir, { recursive: true, encoding: 'utf8' }).map((rel) => {
      const st = statSync(join(dir, rel));
      return [rel, `${st.size}:${st.mtimeMs}`];
    }),
  );
const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const prodConfig = (): Record<string, unknown> => ({
  ...devConfig(),
  development: false,
  clients: [],
  rateLimits: { defaults: {}, clients: {} },
});

/** A production deployment in a temporary directory: configuration, KEK, and `keys init` (which pins the keyring). */
function production(): { dir: string; env: Record<string, string>; fingerprint: string } {
  const dir = tmp();
  const configPath = join(dir, 'config.json');
  writeFileSync(configPath, JSON.stringify(prodConfig()));
  const env = {
    NODE_ENV: 'production',
    SECTOKEN_CONFIG: configPath,
    SECTOKEN_KEYRING: join(dir, 'keyring.json'),
    SECTOKEN_KEK: runCli(['keys', 'new-kek']).stdout.trim(),
  };
  const init = runCli(['keys', 'init'], env);
  expect(init.status).toBe(0);
  return { dir, env, fingerprint: init.stdout.trim() };
}

describe('key material is made only by keys init, or for the development sample at its default paths', () => {
  const prod = production();

  it.each([['unset'], ['development'], ['test']])(
    'when the production configuration and KEK are started with NODE_ENV %s and a mistyped SECTOKEN_KEYRING, then it refuses naming the path and keys init, and creates nothing',
    (mode) => {
      const typo = join(prod.dir, 'keyrnig.json');
      const before = filesOf(prod.dir);
      const { NODE_ENV: _, ...env } = prod.env;
      const r = runCli(['serve'], { ...env, ...(mode === 'unset' ? {} : { NODE_ENV: mode }), SECTOKEN_KEYRING: typo });
      expect(r.status).toBe(1);
      expect(oneLine(r.stderr)).toMatch(
        new RegExp(`no keyring at ${escape(typo)}: create one with \`sectoken keys init\``),
      );
      expect(filesOf(prod.dir)).toEqual(before);
    },
  );

  it.each([['prod'], ['Production'], ['staging']])(
    'when NODE_ENV is %s, then it refuses in one line and creates nothing, even at the default paths',
    (mode) => {
      const { root, cli } = packageCopy();
      const r = runCli(['serve'], { NODE_ENV: mode }, cli);
      expect(r.status).toBe(1);
      expect(oneLine(r.stderr)).toMatch(
        /NODE_ENV=.* is not a mode: set it to production, development or test \(unset means development\)/,
      );
      expect(existsSync(join(root, 'keys'))).toBe(false);
    },
  );

  it('when the development sample names a keyring away from the default paths that is missing, then it refuses instead of making one there', () => {
    const dir = tmp();
    const r = runCli(['serve'], { SECTOKEN_KEYRING: join(dir, 'dev-keyring.json') });
    expect(r.status).toBe(1);
    expect(oneLine(r.stderr)).toMatch(/no keyring at .*dev-keyring\.json: create one with `sectoken keys init`/);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('when SECTOKEN_KEK_FILE names a missing file, then it refuses naming it and keys init, and creates nothing at the default paths', () => {
    const { root, cli } = packageCopy();
    const missing = join(tmp(), 'kek');
    const r = runCli(['serve'], { SECTOKEN_KEK_FILE: missing }, cli);
    expect(r.status).toBe(1);
    expect(oneLine(r.stderr)).toMatch(
      new RegExp(`no key-encryption key at ${escape(missing)} \\(SECTOKEN_KEK_FILE\\): .*\`sectoken keys init\``),
    );
    expect(existsSync(join(root, 'keys'))).toBe(false);
  });

  it('when SECTOKEN_CONFIG names a copy of the sample, then no keyring is made at the default paths', () => {
    const { root, cli } = packageCopy();
    const configPath = join(tmp(), 'sample-copy.json');
    writeFileSync(configPath, JSON.stringify(devConfig()));
    const r = runCli(['serve'], { SECTOKEN_CONFIG: configPath }, cli);
    expect(r.status).toBe(1);
    expect(oneLine(r.stderr)).toMatch(/no keyring at .*keys\/dev-keyring\.json: create one with `sectoken keys init`/);
    expect(existsSync(join(root, 'keys'))).toBe(false);
  });

  it('when dev.kek is gone but the development keyring is still there, then it refuses instead of making a new KEK beside the old keyring', () => {
    const { root, cli } = packageCopy();
    devKeyring(join(root, 'keys', 'dev-keyring.json'));
    unlinkSync(join(root, 'keys', 'dev.kek'));
    const r = runCli(['serve'], {}, cli);
    expect(r.status).toBe(1);
    expect(oneLine(r.stderr)).toMatch(
      /keys\/dev\.kek is missing but the keyring .*dev-keyring\.json exists: restore that dev\.kek, or set SECTOKEN_KEK_FILE/,
    );
    expect(readdirSync(join(root, 'keys'))).toEqual(['dev-keyring.json']);
  });

  it.each([['unset'], ['development']])(
    'when the sample at the default paths says "development": false (NODE_ENV %s), then no development key material is made',
    (mode) => {
      const { root, cli } = packageCopy();
      writeFileSync(join(root, 'config', 'sectoken.dev.json'), JSON.stringify({ ...devConfig(), development: false }));
      const r = runCli(['serve'], mode === 'unset' ? {} : { NODE_ENV: mode }, cli);
      expect(r.status).toBe(1);
      expect(oneLine(r.stderr)).toMatch(/no key-encryption key: set SECTOKEN_KEK or SECTOKEN_KEK_FILE/);
      expect(existsSync(join(root, 'keys'))).toBe(false);
    },
  );

  it('when a configuration with "development": false meets an existing development keyring, then it is refused, whatever NODE_ENV says', () => {
    const dir = tmp();
    const configPath = join(dir, 'config.json');
    writeFileSync(configPath, JSON.stringify(prodConfig()));
    const keyring = devKeyring(join(dir, 'dev-keyring.json'));
    const r = runCli(['serve'], {
      SECTOKEN_CONFIG: configPath,
      SECTOKEN_KEYRING: keyring,
      SECTOKEN_KEK_FILE: join(dir, 'dev.kek'),
    });
    expect(r.status).toBe(1);
    expect(oneLine(r.stderr)).toMatch(
      /dev-keyring\.json is a development keyring, and .*config\.json \(not a development configuration\) needs a keyring made with `sectoken keys init`/,
    );
  });

  it('when the sample gains a sector and its development keyring is away from the default paths, then the keyring is not changed: keys add-sector is named', () => {
    const dir = tmp();
    const keyring = devKeyring(join(dir, 'dev-keyring.json'));
    const sample = devConfig() as { sectors: Record<string, unknown> };
    const configPath = join(dir, 'config.json');
    writeFileSync(
      configPath,
      JSON.stringify({ ...sample, sectors: { ...sample.sectors, education: sample.sectors.tax } }),
    );
    const before = readFileSync(keyring, 'utf8');
    const r = runCli(['serve'], { SECTOKEN_CONFIG: configPath, SECTOKEN_KEYRING: keyring });
    expect(r.status).toBe(1);
    expect(oneLine(r.stderr)).toMatch(
      /the keyring has no key for sector "education": run `sectoken keys add-sector --sector education`/,
    );
    expect(readFileSync(keyring, 'utf8')).toBe(before);
  });
});

describe('the configuration pins its keyring', () => {
  const first = production();

  it('keys init prints the fingerprint and pins it in the configuration; keys fingerprint shows the same', () => {
    expect(first.fingerprint).toMatch(/^[0-9a-f]{32}$/);
    expect(
      (JSON.parse(readFileSync(first.env.SECTOKEN_CONFIG!, 'utf8')) as { keyringFingerprint: string })
        .keyringFingerprint,
    ).toBe(first.fingerprint);
    const shown = runCli(['keys', 'fingerprint'], first.env);
    expect(shown.status).toBe(0);
    expect(shown.stdout.trim()).toBe(first.fingerprint);
    expect(oneLine(shown.stderr)).toMatch(/config\.json pins this keyring/);
  });

  it('keys init refuses a configuration that already pins a keyring, and makes no second keyring', () => {
    const second = join(first.dir, 'second-keyring.json');
    const r = runCli(['keys', 'init'], { ...first.env, SECTOKEN_KEYRING: second });
    expect(r.status).toBe(1);
    expect(oneLine(r.stderr)).toMatch(new RegExp(`already pins keyring ${first.fingerprint}: serve that one`));
    expect(existsSync(second)).toBe(false);
  });

  it('when an instance is started with another keyring, then it refuses in one line naming both fingerprints', () => {
    const other = production(); // another keys init: another keyring, under another configuration
    expect(other.fingerprint).not.toBe(first.fingerprint);
    const r = runCli(['serve'], {
      ...first.env,
      SECTOKEN_KEYRING: other.env.SECTOKEN_KEYRING!,
      SECTOKEN_KEK: other.env.SECTOKEN_KEK!,
    });
    expect(r.status).toBe(1);
    expect(oneLine(r.stderr)).toMatch(
      new RegExp(
        `the keyring ${escape(other.env.SECTOKEN_KEYRING!)} has fingerprint ${other.fingerprint}, but ${escape(first.env.SECTOKEN_CONFIG!)} pins ${first.fingerprint}`,
      ),
    );
  });

  it('when a production configuration pins no keyring, then it refuses with the command that prints the line', () => {
    const unpinned = join(first.dir, 'unpinned.json');
    writeFileSync(unpinned, JSON.stringify(prodConfig()));
    const r = runCli(['serve'], { ...first.env, SECTOKEN_CONFIG: unpinned });
    expect(r.status).toBe(1);
    expect(oneLine(r.stderr)).toMatch(
      /unpinned\.json pins no keyring: production needs "keyringFingerprint" in it \(`sectoken keys fingerprint` prints the line/,
    );
    const shown = runCli(['keys', 'fingerprint'], { ...first.env, SECTOKEN_CONFIG: unpinned });
    expect(shown.stdout.trim()).toBe(first.fingerprint);
    expect(shown.stderr).toContain(`add "keyringFingerprint": "${first.fingerprint}" to it`);
  });

  it('/readyz reports the fingerprint; SIGHUP with another keyring at the path is refused and the pinned one goes on', async () => {
    const { dir, env, fingerprint } = production();
    const server = await startServer(env);
    try {
      const ready = (await (await fetch(`${server.url}/readyz`)).json()) as { keyringFingerprint: string };
      expect(ready.keyringFingerprint).toBe(fingerprint);
      // Another keyring under the same KEK put where the pinned one was.
      const otherConfig = join(dir, 'other.json');
      writeFileSync(otherConfig, JSON.stringify(prodConfig()));
      const otherKeyring = join(dir, 'other-keyring.json');
      expect(
        runCli(['keys', 'init'], { ...env, SECTOKEN_CONFIG: otherConfig, SECTOKEN_KEYRING: otherKeyring }).status,
      ).toBe(0);
      copyFileSync(otherKeyring, env.SECTOKEN_KEYRING!);
      server.child.kill('SIGHUP');
      await until(() =>
        server.output().includes('reload refused: still serving with the previous configuration and keyring'),
      );
      expect(server.output()).toMatch(new RegExp(`pins ${fingerprint}`));
      const after = (await (await fetch(`${server.url}/readyz`)).json()) as { keyringFingerprint: string };
      expect(after.keyringFingerprint).toBe(fingerprint);
    } finally {
      await stopServer(server.child);
    }
  });
});

describe('a start that cannot audit is not a start', () => {
  const prod = production();

  it.each([
    ['a file', (dir: string) => join(dir, 'audit-file')],
    ['a path under a file', (dir: string) => join(dir, 'audit-file', 'audit')],
  ])('when SECTOKEN_AUDIT_DIR is %s, then production refuses to start in one line naming it', (_what, auditDir) => {
    const dir = tmp();
    writeFileSync(join(dir, 'audit-file'), 'not a directory\n');
    const r = runCli(['serve'], { ...prod.env, SECTOKEN_AUDIT_DIR: auditDir(dir) });
    expect(r.status).toBe(1);
    expect(oneLine(r.stderr)).toMatch(
      /the audit directory .* cannot hold the audit log \(not a directory, (EEXIST|ENOTDIR)\): set SECTOKEN_AUDIT_DIR to a directory this process can write/,
    );
    expect(readFileSync(join(dir, 'audit-file'), 'utf8')).toBe('not a directory\n');
  });

  it('when workers would be forked, then the primary refuses before forking any', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'audit-file'), 'x');
    const r = runCli(['serve'], {
      ...prod.env,
      SECTOKEN_AUDIT_DIR: join(dir, 'audit-file'),
      SECTOKEN_WORKERS: '2',
      REDIS_URL: `redis://127.0.0.1:${await closedPort()}`,
    });
    expect(r.status).toBe(1);
    expect(oneLine(r.stderr)).toMatch(/cannot hold the audit log .*: set SECTOKEN_AUDIT_DIR/);
  });

  it('when Redis cannot be reached at start, then the instance warns once, naming the address without credentials, and the reason', async () => {
    const port = await closedPort();
    // One instance (with Redis, production would fork one worker per core, each saying it once).
    const server = await startServer({
      ...prod.env,
      SECTOKEN_WORKERS: '1',
      REDIS_URL: `redis://sectoken:s3cret-pass@127.0.0.1:${port}/0`,
    });
    try {
      await until(() => server.output().includes('Redis unreachable at start'));
      // Reconnecting goes on (every ≤ 1 s); give it time to fail again before counting the lines.
      await new Promise((r) => setTimeout(r, 2_500));
      const lines = server
        .output()
        .split('\n')
        .filter((l) => l.includes('Redis unreachable at start'));
      expect(lines).toHaveLength(1);
      const line = JSON.parse(lines[0]!) as { level: number; redis: string; reason: string };
      expect(line.level).toBe(40);
      expect(line.redis).toBe(`redis://127.0.0.1:${port}/0`);
      expect(line.reason).toMatch(/ECONNREFUSED/);
      expect(server.output()).not.toContain('s3cret-pass');
    } finally {
      await stopServer(server.child);
    }
  });
});

/** A TCP port on 127.0.0.1 that nothing listens on (just closed). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Waits for a condition on output the process writes, polling; the test's own timeout bounds it. */
/** Polls until the condition holds; gives up after 20 s so that a missing log line fails the test instead of hanging the suite. */
async function until(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('the condition did not hold within 20 s');
    await new Promise((r) => setTimeout(r, 50));
  }
}
