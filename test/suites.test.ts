/**
 * The split between the unit and the system suite (test/suites.mjs) holds: every unit entry names
 * test files that exist, the jest configs' patterns pick exactly the files `isUnit` names (so each
 * test file is in one suite, and a new one is system), and no unit file starts what the unit suite
 * must not need: the service, a server process, Redis, a browser, a child process or the build.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { PACKAGE_ROOT } from '../src/config/env.js';
import { isUnit, SYSTEM_SUFFIX, UNIT, unitPatterns } from './suites.mjs';

const ROOT = PACKAGE_ROOT.replace(/\/$/, '');

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? testFiles(join(dir, e.name))
      : e.name.endsWith('.test.ts')
        ? [relative(ROOT, join(dir, e.name))]
        : [],
  );
}

const all = testFiles(join(ROOT, 'test'));
const unit = all.filter(isUnit);

/** What a unit test may not use: each is a sign of a service, a process, Redis, a browser or the build. */
const FORBIDDEN: [string, RegExp][] = [
  ['starts the service', /\b(startTestService|createService|startServer)\(/],
  [
    'uses Redis',
    /\b(sharedRedis|startRedisCluster|connectRedis|redisRequestStore)\(|from 'ioredis'|\/redis\/helpers\.js'/,
  ],
  ['speaks HTTP to the app', /from 'supertest'/],
  ['drives a browser', /playwright|\/console\/browser\.js'/],
  ['starts a process or thread', /node:child_process|node:worker_threads|\/helpers\/cli\.js'/],
  ['needs the build', /\bdist\//],
];

describe('test suites (test/suites.mjs)', () => {
  it('every unit entry names at least one test file, and the unit suite is a real part of the whole', () => {
    expect(
      UNIT.filter((entry) => !unit.some((rel) => (entry.endsWith('/') ? rel.startsWith(entry) : rel === entry))),
    ).toEqual([]);
    expect(unit.length).toBeGreaterThan(10);
    expect(all.length - unit.length).toBeGreaterThan(10);
  });

  it('the jest patterns pick exactly the unit files: every other test file, sweeps included, is system', () => {
    const patterns = unitPatterns(ROOT).map((p) => new RegExp(p));
    const picked = all.filter((rel) => patterns.some((p) => p.test(join(ROOT, rel))));
    expect(picked).toEqual(unit);
    expect(all.filter((rel) => rel.endsWith(SYSTEM_SUFFIX)).filter(isUnit)).toEqual([]);
    expect(isUnit('test/crypto/new.test.ts')).toBe(true);
    expect(isUnit('test/crypto/new.sweep.test.ts')).toBe(false);
    expect(isUnit('test/derivation/new.test.ts')).toBe(false);
  });

  // This file names the patterns it looks for, so it is left out of its own check.
  it.each(unit.filter((rel) => rel !== 'test/suites.test.ts').map((rel) => [rel]))(
    '%s needs no service, process, Redis, browser or build',
    (rel) => {
      const text = readFileSync(join(ROOT, rel), 'utf8');
      expect(FORBIDDEN.filter(([, re]) => re.test(text)).map(([why]) => why)).toEqual([]);
    },
  );
});
