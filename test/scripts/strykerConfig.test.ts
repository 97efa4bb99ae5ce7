/**
 * The mutation-testing configuration (stryker.config.mjs, docs/MUTATION.md) chooses what it is
 * told: MUTATE the folders (each with its own test files), MUTATE_TESTS only the test files named;
 * an unknown folder is refused. Read by a fresh node process, as Stryker reads it.
 */
import { spawnSync } from 'node:child_process';
import { PACKAGE_ROOT } from '../../src/config/env.js';

function configUnder(env: Record<string, string>): { mutate: string[]; testMatch: string[] } | string {
  const read = spawnSync(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      "const { default: c } = await import('./stryker.config.mjs'); console.log(JSON.stringify({ mutate: c.mutate, testMatch: c.jest.config.testMatch }));",
    ],
    { cwd: PACKAGE_ROOT, env: { PATH: process.env.PATH ?? '', ...env }, encoding: 'utf8' },
  );
  return read.status === 0 ? (JSON.parse(read.stdout) as { mutate: string[]; testMatch: string[] }) : read.stderr;
}

describe('stryker.config.mjs', () => {
  it("mutates the folders MUTATE names, against each folder's own test files", () => {
    expect(configUnder({ MUTATE: 'limits' })).toEqual({
      mutate: ['src/limits/**/*.ts'],
      testMatch: ['<rootDir>/test/limits/**/*.test.ts', '<rootDir>/test/redis/limits.test.ts'],
    });
  });

  it('runs only the test files MUTATE_TESTS names, when it names some', () => {
    expect(
      configUnder({ MUTATE: 'audit', MUTATE_TESTS: ' test/audit/lines.test.ts, test/audit/recordLine.test.ts,' }),
    ).toEqual({
      mutate: ['src/audit/**/*.ts'],
      testMatch: ['<rootDir>/test/audit/lines.test.ts', '<rootDir>/test/audit/recordLine.test.ts'],
    });
  });

  it('refuses a folder it does not know, naming the ones it does', () => {
    expect(configUnder({ MUTATE: 'acts,nowhere' })).toMatch(
      /MUTATE: no such folder nowhere \(one of access, dualControl, limits, acts, audit\)/,
    );
  });
});
