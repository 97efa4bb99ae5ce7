/**
 * The KEK in a PKCS#11 token (SoftHSM2), through the real command line and server processes: the
 * token makes a sensitive, non-extractable key and seals the keyring inside itself; `keys` commands
 * re-seal through it; `keys rewrap` moves a keyring in and out with no token changed; /readyz says
 * where the KEK lives; and every failure is one line that changes no file.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../../src/config/env.js';
import { CLI, runCli, startServer, stopServer } from '../helpers/cli.js';
import { devConfig, bearer } from '../helpers/service.js';
import { pkcs11Tool, SOFTHSM_MODULE, softHsm, spyModule, USER_PIN } from '../helpers/softhsm.js';
import { waitFor } from '../redis/helpers.js';

const oneLine = (stderr: string): string => {
  const lines = stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(stderr).not.toMatch(/\n\s+at /);
  return lines[0]!;
};
/** Every file under dir with its content's size and mtime: equal before and after means nothing was written. */
const filesOf = (dir: string): Record<string, string> =>
  Object.fromEntries(
    readdirSync(dir, { recursive: true, encoding: 'utf8' }).map((rel) => {
      const st = statSync(join(dir, rel));
      return [rel, `${st.size}:${st.mtimeMs}`];
    }),
  );

/** A deployment in a temporary directory: a configuration (not the sample; its clients kept, to call the service) and a keyring path. */
function deployment(): { dir: string; base: Record<string, string> } {
  const dir = mkdtempSync(join(tmpdir(), 'sectoken-pkcs11-'));
  const configPath = join(dir, 'config.json');
  writeFileSync(
    configPath,
    JSON.stringify({ ...devConfig(), development: false, rateLimits: { defaults: {}, clients: {} } }),
  );
  return { dir, base: { SECTOKEN_CONFIG: configPath, SECTOKEN_KEYRING: join(dir, 'keyring.json') } };
}

const header = (dir: string): Record<string, unknown> =>
  JSON.parse(readFileSync(join(dir, 'keyring.json'), 'utf8')) as Record<string, unknown>;

const PEOPLE = Array.from({ length: 1000 }, (_, i) => `AB${100000 + i * 7}`);

/** The health tokens of 1,000 people from a running service, which says (/readyz) where its KEK lives. */
async function tokensOf(env: Record<string, string>, kek: Record<string, string>): Promise<string[]> {
  const server = await startServer(env);
  try {
    expect(((await (await fetch(`${server.url}/readyz`)).json()) as { kek: unknown }).kek).toEqual(kek);
    const res = await fetch(`${server.url}/v1/tokens/batch`, {
      method: 'POST',
      headers: { authorization: bearer('hospital-backend'), 'content-type': 'application/json' },
      body: JSON.stringify({ sector: 'health', nationalIds: PEOPLE }),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { results: { token: string }[] };
    return body.results.map((r) => r.token);
  } finally {
    await stopServer(server.child);
  }
}

describe('keys init --pkcs11: the KEK is made by the token and never leaves it', () => {
  const hsm = softHsm(['sectoken-a']);
  const { dir, base } = deployment();
  const env = { ...base, ...hsm.env('sectoken-a') };

  it('creates an AES-256 key in the token, sensitive and not extractable, and seals the keyring with it', () => {
    const init = runCli(['keys', 'init', '--pkcs11'], env);
    expect(init.status).toBe(0);
    expect(init.stderr).toContain(
      'created key "sectoken-kek" (AES-256, sensitive, not extractable) in PKCS#11 token "sectoken-a"',
    );
    const objects = pkcs11Tool(hsm, 'sectoken-a', ['--list-objects', '--type', 'secrkey']);
    expect(objects).toMatch(/label:\s+sectoken-kek/);
    expect(objects).toMatch(/AES length 32/);
    expect(objects).toMatch(/Access:\s+sensitive, always sensitive, never extractable, local/);
    expect(header(dir)).toMatchObject({
      format: 'sectoken-sealed-keyring-pkcs11/1',
      token: 'sectoken-a',
      key: 'sectoken-kek',
      mechanism: 'CKM_AES_GCM',
    });
    // The configuration pins it as ever.
    expect(readFileSync(base.SECTOKEN_CONFIG!, 'utf8')).toContain(init.stdout.trim());
  });

  it('a second init --pkcs11 (another keyring) uses the same key, found by its label', () => {
    const again = runCli(['keys', 'init', '--pkcs11'], {
      ...env,
      SECTOKEN_KEYRING: join(dir, 'second.json'),
      SECTOKEN_CONFIG: copyConfig(dir),
    });
    expect(again.status).toBe(0);
    expect(again.stderr).not.toContain('created key "');
    expect(JSON.parse(readFileSync(join(dir, 'second.json'), 'utf8')).kekFingerprint).toBe(header(dir).kekFingerprint);
  });

  it("an auditor opens the sealed keyring by docs/AUDIT.md §8 with a plain PKCS#11 client, none of sectoken's code", () => {
    const r = spawnSync(
      process.execPath,
      [
        join(PACKAGE_ROOT, 'test', 'fixtures', 'unsealPkcs11.cjs'),
        SOFTHSM_MODULE,
        'sectoken-a',
        USER_PIN,
        join(dir, 'keyring.json'),
      ],
      { env: { PATH: process.env.PATH!, SOFTHSM2_CONF: hsm.conf }, encoding: 'utf8' },
    );
    expect(r.stderr).toBe('');
    const plaintext = JSON.parse(r.stdout) as { format: string; auditSigning: { x: string } };
    expect(plaintext.format).toBe('sectoken-keyring/1');
    expect(plaintext.auditSigning.x).toBe(runCli(['keys', 'public-key'], env).stdout.trim());
  });

  it('keys rotate, min-version and add-sector re-seal through the token', () => {
    const before = header(dir);
    expect(runCli(['keys', 'rotate', '--sector', 'health'], env).status).toBe(0);
    const rotated = header(dir);
    expect(rotated).toMatchObject({
      format: 'sectoken-sealed-keyring-pkcs11/1',
      kekFingerprint: before.kekFingerprint,
    });
    expect(rotated.iv).not.toBe(before.iv);
    expect(runCli(['keys', 'min-version', '--sector', 'health', '--min', '2'], env).status).toBe(0);
    expect(header(dir).iv).not.toBe(rotated.iv);
    const config = JSON.parse(readFileSync(base.SECTOKEN_CONFIG!, 'utf8')) as { sectors: Record<string, unknown> };
    writeFileSync(
      base.SECTOKEN_CONFIG!,
      JSON.stringify({ ...config, sectors: { ...config.sectors, education: config.sectors.health } }),
    );
    const added = runCli(['keys', 'add-sector', '--sector', 'education'], env);
    expect(added.status).toBe(0);
    expect(header(dir).format).toBe('sectoken-sealed-keyring-pkcs11/1');
  });

  it('serve unseals through the token; /readyz says the token and key labels, never the PIN; audit verify checks MACs through the token', async () => {
    const auditDir = join(dir, 'audit');
    const server = await startServer({ ...env, SECTOKEN_AUDIT_DIR: auditDir });
    try {
      const res = await fetch(`${server.url}/readyz`);
      const text = await res.text();
      expect(res.status).toBe(200);
      expect(JSON.parse(text).kek).toEqual({ kind: 'pkcs11', token: 'sectoken-a', key: 'sectoken-kek' });
      expect(text).not.toContain(USER_PIN);
      expect(server.output()).not.toContain(USER_PIN);
      // An audited act, so that the log has MACs to check.
      const headers = (client: string) => ({ authorization: bearer(client), 'content-type': 'application/json' });
      const { token } = (await (
        await fetch(`${server.url}/v1/tokens`, {
          method: 'POST',
          headers: headers('tax-backend'),
          body: JSON.stringify({ sector: 'tax', nationalId: 'AB123456' }),
        })
      ).json()) as { token: string };
      const reverse = await fetch(`${server.url}/v1/reverse`, {
        method: 'POST',
        headers: headers('regulator-cndp'),
        body: JSON.stringify({
          sector: 'tax',
          token,
          legalBasis: 'LOI-09-08-ART-4',
          caseId: 'CASE-HSM-1',
          purpose: 'audit MACs under the token',
        }),
      });
      expect(reverse.ok).toBe(true);
    } finally {
      await stopServer(server.child);
    }
    const logs = readdirSync(auditDir)
      .filter((f) => f.endsWith('.jsonl'))
      .map((f) => join(auditDir, f));
    const verified = runCli(['audit', 'verify', ...logs], env);
    expect(verified.stdout).toMatch(/: [1-9][0-9]* valid records, .*: ok\n[\s\S]*verified\n$/);
    expect(verified.stdout).not.toContain('MACs not checked');
    // Under another keyring's MAC key the same log is refused: the MACs were checked.
    const other = runCli(['audit', 'verify', ...logs], { ...env, SECTOKEN_KEYRING: join(dir, 'second.json') });
    expect(other.stderr).toMatch(/has a valid MAC under keyring/);
  });
});

function copyConfig(dir: string): string {
  const copy = join(dir, `config-${Math.random().toString(36).slice(2)}.json`);
  const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as Record<string, unknown>;
  delete config.keyringFingerprint;
  writeFileSync(copy, JSON.stringify(config));
  return copy;
}

describe('keys rewrap: a keyring moves between a file KEK and the token with no token changed', () => {
  it('the health tokens of 1,000 people are the same under the file KEK, in the token, and back under a file KEK', async () => {
    const hsm = softHsm(['sectoken-m']);
    const { dir, base } = deployment();
    const kekFile = join(dir, 'kek');
    writeFileSync(kekFile, runCli(['keys', 'new-kek']).stdout, { mode: 0o600 });
    const fileEnv = { ...base, SECTOKEN_KEK_FILE: kekFile };
    expect(runCli(['keys', 'init'], fileEnv).status).toBe(0);
    const underFile = await tokensOf(fileEnv, { kind: 'file' });
    expect(new Set(underFile).size).toBe(PEOPLE.length);

    const both = { ...fileEnv, ...hsm.env('sectoken-m') };
    const into = runCli(['keys', 'rewrap', '--to', 'pkcs11'], both);
    expect(into.status).toBe(0);
    expect(header(dir).format).toBe('sectoken-sealed-keyring-pkcs11/1');
    // The file KEK no longer opens it, and the token alone serves the same tokens.
    expect(oneLine(runCli(['keys', 'fingerprint'], fileEnv).stderr)).toMatch(/sealed under a key in a PKCS#11 token/);
    const tokenEnv = { ...base, ...hsm.env('sectoken-m') };
    expect(await tokensOf(tokenEnv, { kind: 'pkcs11', token: 'sectoken-m', key: 'sectoken-kek' })).toEqual(underFile);

    // Back out, under a new file KEK.
    const newKekFile = join(dir, 'kek2');
    writeFileSync(newKekFile, runCli(['keys', 'new-kek']).stdout, { mode: 0o600 });
    const out = runCli(['keys', 'rewrap', '--to', 'file'], { ...tokenEnv, SECTOKEN_KEK_FILE: newKekFile });
    expect(out.status).toBe(0);
    expect(out.stdout.trim()).toBe(into.stdout.trim());
    expect(header(dir).format).toBe('sectoken-sealed-keyring/1');
    expect(await tokensOf({ ...base, SECTOKEN_KEK_FILE: newKekFile }, { kind: 'file' })).toEqual(underFile);
  });

  it('a rewrap to where the keyring is already is refused in one line, and writes nothing', () => {
    const hsm = softHsm(['sectoken-r']);
    const { dir, base } = deployment();
    const env = { ...base, ...hsm.env('sectoken-r') };
    expect(runCli(['keys', 'init', '--pkcs11'], env).status).toBe(0);
    const before = filesOf(dir);
    const r = runCli(['keys', 'rewrap', '--to', 'pkcs11'], env);
    expect(r.status).toBe(1);
    expect(oneLine(r.stderr)).toMatch(/is sealed under a PKCS#11 token already: nothing to move/);
    expect(filesOf(dir)).toEqual(before);
  });
});

describe('keys rewrap refuses in one line, writing nothing', () => {
  const hsm = softHsm(['sectoken-w']);
  const { dir, base } = deployment();
  const kekFile = join(dir, 'kek');
  beforeAll(() => {
    writeFileSync(kekFile, runCli(['keys', 'new-kek']).stdout, { mode: 0o600 });
    expect(runCli(['keys', 'init'], { ...base, SECTOKEN_KEK_FILE: kekFile }).status).toBe(0);
  });
  const refused = (env: Record<string, string>, to: string): string => {
    const before = filesOf(dir);
    const r = runCli(['keys', 'rewrap', '--to', to], { ...base, ...env });
    expect(r.status).toBe(1);
    expect(filesOf(dir)).toEqual(before);
    return oneLine(r.stderr);
  };

  it('a --to that is neither pkcs11 nor file', () => {
    expect(refused({ SECTOKEN_KEK_FILE: kekFile }, 'hsm')).toBe('sectoken: --to must be pkcs11 or file');
  });

  it('--to pkcs11 without the token settings', () => {
    expect(refused({ SECTOKEN_KEK_FILE: kekFile }, 'pkcs11')).toMatch(
      /--to pkcs11 needs the token: set SECTOKEN_PKCS11_MODULE, SECTOKEN_PKCS11_TOKEN and SECTOKEN_PKCS11_PIN_FILE$/,
    );
  });

  it('--to file where SECTOKEN_REQUIRE_HSM=true (the keyring in the token)', () => {
    const both = { SECTOKEN_KEK_FILE: kekFile, ...hsm.env('sectoken-w') };
    expect(runCli(['keys', 'rewrap', '--to', 'pkcs11'], { ...base, ...both }).status).toBe(0);
    expect(refused({ ...both, SECTOKEN_REQUIRE_HSM: 'true' }, 'file')).toMatch(
      /SECTOKEN_REQUIRE_HSM=true refuses a file KEK/,
    );
  });
});

describe('SECTOKEN_REQUIRE_HSM=true', () => {
  it('refuses a file KEK at start in one line; the token is accepted', async () => {
    const { dir, base } = deployment();
    const kekFile = join(dir, 'kek');
    writeFileSync(kekFile, runCli(['keys', 'new-kek']).stdout, { mode: 0o600 });
    expect(runCli(['keys', 'init'], { ...base, SECTOKEN_KEK_FILE: kekFile }).status).toBe(0);
    const r = runCli(['serve'], { ...base, SECTOKEN_KEK_FILE: kekFile, SECTOKEN_REQUIRE_HSM: 'true' });
    expect(r.status).toBe(1);
    expect(oneLine(r.stderr)).toMatch(
      /^sectoken: SECTOKEN_REQUIRE_HSM=true refuses a file KEK: set SECTOKEN_PKCS11_MODULE/,
    );
    const hsm = softHsm(['sectoken-q']);
    expect(
      runCli(['keys', 'rewrap', '--to', 'pkcs11'], { ...base, SECTOKEN_KEK_FILE: kekFile, ...hsm.env('sectoken-q') })
        .status,
    ).toBe(0);
    const server = await startServer({ ...base, ...hsm.env('sectoken-q'), SECTOKEN_REQUIRE_HSM: 'true' });
    await stopServer(server.child);
  });
});

describe('every failure is one line, and nothing is written', () => {
  const hsm = softHsm(['sectoken-f', 'sectoken-other']);
  const { dir, base } = deployment();
  const env = { ...base, ...hsm.env('sectoken-f') };
  beforeAll(() => {
    expect(runCli(['keys', 'init', '--pkcs11'], env).status).toBe(0);
  });

  const refused = (overrides: Record<string, string>, args = ['serve']): string => {
    const before = filesOf(dir);
    // SoftHSM touches its lock and generation files on every visit: the objects are what must not change.
    const tokens = hsm.objects();
    const r = runCli(args, { ...env, ...overrides });
    expect(r.status).toBe(1);
    expect(filesOf(dir)).toEqual(before);
    expect(hsm.objects()).toEqual(tokens);
    const line = oneLine(r.stderr);
    expect(line).not.toContain(USER_PIN);
    return line;
  };

  it('settings that do not go together', () => {
    expect(refused({ SECTOKEN_PKCS11_PIN_FILE: '' })).toMatch(
      /SECTOKEN_PKCS11_MODULE and SECTOKEN_PKCS11_TOKEN set without SECTOKEN_PKCS11_PIN_FILE: a KEK in a PKCS#11 token needs all three$/,
    );
    expect(refused({ SECTOKEN_REQUIRE_HSM: 'yes' })).toMatch(/SECTOKEN_REQUIRE_HSM must be true or false$/);
  });

  it('module not found', () => {
    expect(refused({ SECTOKEN_PKCS11_MODULE: join(dir, 'nowhere.so') })).toMatch(
      /cannot load the PKCS#11 module .*nowhere\.so \(SECTOKEN_PKCS11_MODULE\): .*install the vendor's module there, or correct SECTOKEN_PKCS11_MODULE$/,
    );
  });

  it('token label unknown', () => {
    expect(refused({ SECTOKEN_PKCS11_TOKEN: 'sectoken-typo' })).toMatch(
      /no PKCS#11 token labelled "sectoken-typo" in .* \(tokens present: "sectoken-f", "sectoken-other"\): correct SECTOKEN_PKCS11_TOKEN/,
    );
  });

  it('a token label longer than a token label can be is named as such', () => {
    expect(refused({ SECTOKEN_PKCS11_TOKEN: 'x'.repeat(33) })).toMatch(
      /no PKCS#11 token labelled "x{33}" \(a token label has at most 32 bytes\) in /,
    );
  });

  it('two tokens with the same label', () => {
    const twins = softHsm(['twin', 'twin']);
    expect(refused({ SOFTHSM2_CONF: twins.conf, SECTOKEN_PKCS11_TOKEN: 'twin' })).toMatch(
      /2 PKCS#11 tokens are labelled "twin": relabel all but one/,
    );
  });

  it('wrong PIN: one login attempt, never retried (counted by OpenSC pkcs11-spy between sectoken and the token)', () => {
    const wrongPin = join(dir, 'wrong-pin');
    writeFileSync(wrongPin, '0000\n');
    const log = join(hsm.dir, 'spy.log');
    const line = refused({
      SECTOKEN_PKCS11_MODULE: spyModule(),
      PKCS11SPY: SOFTHSM_MODULE,
      PKCS11SPY_OUTPUT: log,
      SECTOKEN_PKCS11_PIN_FILE: wrongPin,
    });
    expect(line).toMatch(/wrong PIN for PKCS#11 token "sectoken-f" .*one login was attempted and none will be retried/);
    const calls = readFileSync(log, 'utf8');
    expect(calls.match(/C_Login\n/g)).toHaveLength(1);
    expect(calls).toContain('CKR_PIN_INCORRECT');
  });

  it('PIN file missing: no login at all', () => {
    expect(refused({ SECTOKEN_PKCS11_PIN_FILE: join(dir, 'no-pin') })).toMatch(
      /cannot read the PIN file .*no-pin \(SECTOKEN_PKCS11_PIN_FILE\): no such file$/,
    );
  });

  it('key label missing', () => {
    expect(refused({ SECTOKEN_PKCS11_KEY: 'no-such-key' })).toMatch(
      /PKCS#11 token "sectoken-f" has no key labelled "no-such-key": correct SECTOKEN_PKCS11_KEY/,
    );
  });

  it('an extractable key is refused, at init and at start', () => {
    pkcs11Tool(hsm, 'sectoken-f', [
      '--keygen',
      '--key-type',
      'AES:32',
      '--label',
      'leaky',
      '--extractable',
      '--sensitive',
    ]);
    const configCopy = copyConfig(dir);
    const init = runCli(['keys', 'init', '--pkcs11'], {
      ...env,
      SECTOKEN_PKCS11_KEY: 'leaky',
      SECTOKEN_KEYRING: join(dir, 'leaky.json'),
      SECTOKEN_CONFIG: configCopy,
    });
    expect(init.status).toBe(1);
    expect(oneLine(init.stderr)).toMatch(
      /key "leaky" in PKCS#11 token "sectoken-f" is extractable \(its value can leave the token\): refusing to use it/,
    );
    expect(readdirSync(dir)).not.toContain('leaky.json');
    expect(refused({ SECTOKEN_PKCS11_KEY: 'leaky' })).toMatch(/is extractable .*refusing to use it/);
  });

  it('two keys with the label, or a key that is not AES-256', () => {
    for (let i = 0; i < 2; i++)
      pkcs11Tool(hsm, 'sectoken-f', ['--keygen', '--key-type', 'AES:32', '--label', 'twin', '--sensitive']);
    expect(refused({ SECTOKEN_PKCS11_KEY: 'twin' })).toMatch(
      /key "twin" in PKCS#11 token "sectoken-f" is not unique: relabel all but one/,
    );
    pkcs11Tool(hsm, 'sectoken-f', ['--keygen', '--key-type', 'AES:16', '--label', 'short', '--sensitive']);
    expect(refused({ SECTOKEN_PKCS11_KEY: 'short' })).toMatch(
      /key "short" in PKCS#11 token "sectoken-f" is not an AES-256 key/,
    );
  });

  it('a damaged keyring: the token refuses the changed ciphertext, and a file that is not JSON costs no login', () => {
    const sealed = header(dir) as { ciphertext: string };
    const bytes = Buffer.from(sealed.ciphertext, 'base64url');
    bytes[5]! ^= 1;
    const changed = join(dir, 'changed.json');
    writeFileSync(changed, JSON.stringify({ ...sealed, ciphertext: bytes.toString('base64url') }));
    expect(refused({ SECTOKEN_KEYRING: changed })).toMatch(
      /keyring .*changed\.json is damaged: the token refused to open it \(CKR_[A-Z_]+; modified or truncated\)$/,
    );
    const garbage = join(dir, 'garbage.json');
    writeFileSync(garbage, 'not json');
    const log = join(hsm.dir, 'spy-garbage.log');
    expect(
      refused({
        SECTOKEN_KEYRING: garbage,
        SECTOKEN_PKCS11_MODULE: spyModule(),
        PKCS11SPY: SOFTHSM_MODULE,
        PKCS11SPY_OUTPUT: log,
      }),
    ).toMatch(/garbage\.json is damaged: it is not JSON$/);
    expect(readdirSync(hsm.dir)).not.toContain('spy-garbage.log');
  });

  it('a key that is not sensitive is refused', () => {
    pkcs11Tool(hsm, 'sectoken-f', ['--keygen', '--key-type', 'AES:32', '--label', 'readable']);
    expect(refused({ SECTOKEN_PKCS11_KEY: 'readable' })).toMatch(
      /key "readable" in PKCS#11 token "sectoken-f" is not sensitive \(its value can be read\): refusing to use it/,
    );
  });

  it("a keyring sealed under another token's key", () => {
    pkcs11Tool(hsm, 'sectoken-other', ['--keygen', '--key-type', 'AES:32', '--label', 'sectoken-kek', '--sensitive']);
    expect(refused({ SECTOKEN_PKCS11_TOKEN: 'sectoken-other' })).toMatch(
      /keyring .* was sealed under another key \(key "sectoken-kek" of token "sectoken-f", fingerprint [0-9a-f]{16}\), not key "sectoken-kek" of token "sectoken-other" \([0-9a-f]{16}\): set SECTOKEN_PKCS11_TOKEN and SECTOKEN_PKCS11_KEY/,
    );
  });

  it('a file KEK beside the token settings', () => {
    expect(refused({ SECTOKEN_KEK: '00'.repeat(32) })).toMatch(
      /both SECTOKEN_KEK and SECTOKEN_PKCS11_MODULE are set: unset one of them/,
    );
  });

  it('the token removed while running: a reload is refused and the running keys go on serving', async () => {
    const server = await startServer(env);
    try {
      const tokenize = async (): Promise<string> => {
        const res = await fetch(`${server.url}/v1/tokens`, {
          method: 'POST',
          headers: { authorization: bearer('hospital-backend'), 'content-type': 'application/json' },
          body: JSON.stringify({ sector: 'health', nationalId: 'AB123456' }),
        });
        expect(res.status).toBe(200);
        return ((await res.json()) as { token: string }).token;
      };
      const before = await tokenize();
      // Pulling the token out: SoftHSM finds no token in its directory any more.
      const folder = hsm.tokenFolder('sectoken-f');
      const moved = join(hsm.dir, 'removed');
      renameSync(join(hsm.tokenDir, folder), moved);
      server.child.kill('SIGHUP');
      await waitFor(() => server.output().includes('reload refused'), 'the refused reload');
      expect(server.output()).toMatch(
        /"reason":"no PKCS#11 token labelled \\"sectoken-f\\" in [^"]*\(tokens present: \\"sectoken-other\\"\)/,
      );
      expect(await tokenize()).toBe(before);
      expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
      renameSync(moved, join(hsm.tokenDir, folder));
      server.child.kill('SIGHUP');
      await waitFor(
        () => server.output().includes('configuration and keyring reloaded'),
        'the reload with the token back',
      );
      expect(await tokenize()).toBe(before);
    } finally {
      await stopServer(server.child);
    }
  });
});

describe('README "The KEK in an HSM (PKCS#11)"', () => {
  it('runs as written against a SoftHSM2 token labelled sectoken, and the keyring keeps its fingerprint', () => {
    const readme = readFileSync(join(PACKAGE_ROOT, 'README.md'), 'utf8');
    const at = readme.indexOf('\n### The KEK in an HSM (PKCS#11)\n');
    expect(at).toBeGreaterThan(0);
    const block = /```sh\n([\s\S]*?)```/.exec(readme.slice(at))![1]!;
    const lines = block
      .replace(/\\\n\s*/g, ' ')
      .split('\n')
      .map((line) => line.replace(/\s+#\s.*$/, '').trim())
      .filter((line) => line !== '' && !line.startsWith('#'));
    const hsm = softHsm(['sectoken']);
    const tmp = mkdtempSync(join(tmpdir(), 'sectoken-readme-hsm-'));
    for (const d of ['secure', 'etc', 'srv']) mkdirSync(join(tmp, d));
    writeFileSync(join(tmp, 'secure', 'pkcs11-pin'), `${USER_PIN}\n`, { mode: 0o600 });
    writeFileSync(join(tmp, 'etc', 'config.json'), JSON.stringify({ ...devConfig(), development: false }));
    const moved = (line: string): string =>
      line
        .replaceAll('/secure/', `${tmp}/secure/`)
        .replaceAll('/etc/sectoken/', `${tmp}/etc/`)
        .replaceAll('/srv/sectoken/', `${tmp}/srv/`)
        .replaceAll('node dist/cli.js', `node ${CLI}`);
    const env: Record<string, string> = { SOFTHSM2_CONF: hsm.conf };
    const outputs: string[] = [];
    for (const line of lines.map(moved)) {
      if (line.startsWith('export ')) {
        for (const pair of line.slice('export '.length).trim().split(/\s+/)) {
          const [k, v] = pair.split('=');
          env[k!] = v!;
        }
        continue;
      }
      const r = spawnSync('bash', ['-c', line], {
        env: { PATH: process.env.PATH!, HOME: process.env.HOME!, ...env },
        encoding: 'utf8',
      });
      if (r.status !== 0) throw new Error(`README command failed (${r.status}): ${line}\n${r.stderr}`);
      outputs.push(r.stdout.trim());
    }
    expect(lines.filter((l) => l.includes('keys rewrap'))).toHaveLength(2);
    // keys init's fingerprint is the one printed by both moves and by keys fingerprint at the end.
    const fingerprints = outputs.filter((o) => /^[0-9a-f]{32}$/.test(o));
    expect(fingerprints).toHaveLength(4);
    expect(new Set(fingerprints).size).toBe(1);
    expect(JSON.parse(readFileSync(join(tmp, 'srv', 'keyring.json'), 'utf8')).format).toBe(
      'sectoken-sealed-keyring-pkcs11/1',
    );
  });
});
