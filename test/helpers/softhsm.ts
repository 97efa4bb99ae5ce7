/**
 * SoftHSM2 tokens of a test's own: a SOFTHSM2_CONF pointing at a temporary token directory, tokens
 * made with `softhsm2-util --init-token`, and the user PIN in a file. SoftHSM2 and OpenSC (for
 * pkcs11-tool and the pkcs11-spy call logger) are required: without them these tests fail, naming
 * the package (`.ci/run` installs both).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const SOFTHSM_MODULE = '/usr/lib/softhsm/libsofthsm2.so';
export const USER_PIN = '4711-2342';
const SO_PIN = '8642-9753';

/** OpenSC's pkcs11-spy: a PKCS#11 module that logs every call to PKCS11SPY_OUTPUT and passes it on to PKCS11SPY. */
export function spyModule(): string {
  const found = ['/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/lib']
    .map((dir) => join(dir, 'pkcs11', 'pkcs11-spy.so'))
    .find((path) => existsSync(path));
  if (!found) throw new Error('pkcs11-spy.so is missing: apt-get install opensc-pkcs11 (`.ci/run` does)');
  return found;
}

export interface SoftHsm {
  dir: string;
  conf: string;
  tokenDir: string;
  pinFile: string;
  /** The settings of a KEK in token `label` (key label `key`, else the default). */
  env(label: string, key?: string): Record<string, string>;
  /** Runs a command with this SOFTHSM2_CONF; throws with its output if it fails. */
  run(command: string, args: string[]): string;
  /** The folder SoftHSM keeps token `label` in, under tokenDir. */
  tokenFolder(label: string): string;
  /** The objects of every token (file names), to tell that none was made or removed. */
  objects(): string[];
}

export function softHsm(labels: string[]): SoftHsm {
  if (!existsSync(SOFTHSM_MODULE)) throw new Error(`${SOFTHSM_MODULE} is missing: apt-get install softhsm2`);
  const dir = mkdtempSync(join(tmpdir(), 'sectoken-softhsm-'));
  const tokenDir = join(dir, 'tokens');
  mkdirSync(tokenDir);
  const conf = join(dir, 'softhsm2.conf');
  writeFileSync(conf, `directories.tokendir = ${tokenDir}\nobjectstore.backend = file\nlog.level = ERROR\n`);
  const pinFile = join(dir, 'pin');
  writeFileSync(pinFile, `${USER_PIN}\n`, { mode: 0o600 });
  const run = (command: string, args: string[]): string => {
    const r = spawnSync(command, args, { env: { ...process.env, SOFTHSM2_CONF: conf }, encoding: 'utf8' });
    if (r.error) throw new Error(`${command}: ${r.error.message} (apt-get install softhsm2 opensc)`);
    if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${r.status}):\n${r.stdout}${r.stderr}`);
    return r.stdout;
  };
  for (const label of labels)
    run('softhsm2-util', ['--init-token', '--free', '--label', label, '--pin', USER_PIN, '--so-pin', SO_PIN]);
  return {
    dir,
    conf,
    tokenDir,
    pinFile,
    env: (label, key) => ({
      SOFTHSM2_CONF: conf,
      SECTOKEN_PKCS11_MODULE: SOFTHSM_MODULE,
      SECTOKEN_PKCS11_TOKEN: label,
      SECTOKEN_PKCS11_PIN_FILE: pinFile,
      ...(key ? { SECTOKEN_PKCS11_KEY: key } : {}),
    }),
    run,
    tokenFolder: (label) => {
      const found = readdirSync(tokenDir).find((name) =>
        readFileSync(join(tokenDir, name, 'token.object')).includes(Buffer.from(label.padEnd(32))),
      );
      if (!found) throw new Error(`no SoftHSM token folder labelled ${label}`);
      return found;
    },
    objects: () =>
      readdirSync(tokenDir, { recursive: true, encoding: 'utf8' })
        .filter((name) => name.endsWith('.object'))
        .sort(),
  };
}

/** pkcs11-tool (OpenSC) against SoftHSM, logged in to token `label`. */
export function pkcs11Tool(hsm: SoftHsm, label: string, args: string[]): string {
  return hsm.run('pkcs11-tool', [
    '--module',
    SOFTHSM_MODULE,
    '--token-label',
    label,
    '--login',
    '--pin',
    USER_PIN,
    ...args,
  ]);
}
