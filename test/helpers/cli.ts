/** Runs the built command line (dist/cli.js; `npm test` builds it first) as a real process. */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../../src/config/env.js';
import { devConfig } from './service.js';

export const CLI = join(PACKAGE_ROOT, 'dist', 'cli.js');

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

function cleanEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` (npm test does it)`);
  const base: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: 'info' };
  return { ...base, ...env };
}

/** `cli` is another copy of dist/cli.js (test/helpers/packageCopy.ts), for the development default paths. */
export function runCli(args: string[], env: Record<string, string> = {}, cli = CLI): CliResult {
  // A serve that gets as far as opening the audit log writes its chain: never into the clone's audit/.
  // Named, as production demands (src/config/productionState.ts); a test of that rule unsets them.
  const audit =
    args[0] === 'serve'
      ? { SECTOKEN_AUDIT_DIR: mkdtempSync(join(tmpdir(), 'sectoken-audit-')), SECTOKEN_INSTANCE_ID: 'cli-test' }
      : {};
  const result = spawnSync(process.execPath, [cli, ...args], {
    env: cleanEnv({ ...audit, ...env }),
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Starts `sectoken serve` on a free port; resolves with its URL once it listens. */
export async function startServer(
  env: Record<string, string>,
  cli = CLI,
): Promise<{ url: string; child: ChildProcess; output: () => string }> {
  // Tests write only under temporary directories: never the clone's audit/.
  const auditDir = mkdtempSync(join(tmpdir(), 'sectoken-audit-'));
  const child = spawn(process.execPath, [cli, 'serve'], {
    env: cleanEnv({
      PORT: '0',
      HOST: '127.0.0.1',
      SECTOKEN_AUDIT_DIR: auditDir,
      SECTOKEN_INSTANCE_ID: 'cli-test',
      ...env,
    }),
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${out}`)), 15_000);
    const poll = setInterval(() => {
      const match = /"url":"(http:\/\/[^"]+)"/.exec(out);
      if (match) {
        clearTimeout(timer);
        clearInterval(poll);
        resolve(match[1]!);
      }
    }, 20);
    child.once('exit', (code) => {
      clearTimeout(timer);
      clearInterval(poll);
      reject(new Error(`server exited with ${code}:\n${out}`));
    });
  });
  return { url, child, output: () => out };
}

export async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  await new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/**
 * A production setup of its own in a temporary directory: the sample's sectors and legal bases
 * without clients or limits (development false), a KEK and a keyring made by the real CLI.
 */
export function productionSetup(): { env: Record<string, string>; configPath: string } {
  const dir = mkdtempSync(join(tmpdir(), 'sectoken-production-'));
  const configPath = join(dir, 'config.json');
  writeFileSync(
    configPath,
    JSON.stringify({ ...devConfig(), development: false, clients: [], rateLimits: { defaults: {}, clients: {} } }),
  );
  const env = {
    NODE_ENV: 'production',
    SECTOKEN_CONFIG: configPath,
    SECTOKEN_KEYRING: join(dir, 'keyring.json'),
    SECTOKEN_KEK: runCli(['keys', 'new-kek']).stdout.trim(),
  };
  expect(runCli(['keys', 'init'], env).status).toBe(0);
  return { env, configPath };
}
