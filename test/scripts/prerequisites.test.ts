/**
 * `npm test` says in one line each what the machine lacks (scripts/test-prerequisites.mjs), instead
 * of failing far into the run: here with a PATH where no tool is found.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../../src/config/env.js';

const check = (env: NodeJS.ProcessEnv) =>
  spawnSync(process.execPath, [join(PACKAGE_ROOT, 'scripts', 'test-prerequisites.mjs')], { env, encoding: 'utf8' });

it('when this machine has what the tests need, then the check is silent', () => {
  const result = check(process.env);
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
});

it('when tools are missing, then it names each in one line with what to install, and fails', () => {
  const result = check({ PATH: '/nonexistent' });
  const lines = result.stderr.trim().split('\n');
  expect(lines.map((l) => l.slice(0, l.indexOf(':')))).toEqual(
    expect.arrayContaining([
      'npm test needs redis-server',
      'npm test needs gcc',
      'npm test needs curl',
      'npm test needs softhsm2',
      'npm test needs opensc',
    ]),
  );
  expect(lines.every((l) => /^npm test needs [^:]+: .*\(|^npm test needs [^:]+: /.test(l))).toBe(true);
  expect(result.status).toBe(1);
});
