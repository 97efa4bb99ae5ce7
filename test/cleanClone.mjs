/**
 * Jest globalSetup/globalTeardown: the suite writes only under temporary directories. Before the
 * run it notes every file git ignores or does not track (dist/ and node_modules/ aside); after,
 * it fails the run if a file appeared or changed there (an audit/ chain, a keys/ keyring, a
 * checkpoint in the root). New untracked files under the source folders are left alone: those are
 * people's work in progress, not the suite's output.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
// Build output, and what `npm run bench` (not a test) writes.
const BUILT = new Set(['node_modules/', 'dist/', '.bench-dist/', 'coverage/', 'bench/results.json']);
const SOURCES = ['src/', 'test/', 'console/', 'docs/', 'bench/', 'scripts/', 'config/'];

function walk(rel, out) {
  const abs = join(ROOT, rel);
  let st;
  try {
    st = statSync(abs);
  } catch {
    return;
  }
  if (st.isDirectory()) for (const name of readdirSync(abs)) walk(join(rel, name), out);
  else out.set(rel, `${st.size}:${st.mtimeMs}`);
}

function snapshot() {
  const out = new Map();
  const ignored = execFileSync('git', ['ls-files', '--others', '--ignored', '--exclude-standard', '--directory'], {
    cwd: ROOT,
    encoding: 'utf8',
  })
    .split('\n')
    .filter(Boolean);
  const untracked = execFileSync('git', ['ls-files', '--others', '--exclude-standard'], { cwd: ROOT, encoding: 'utf8' })
    .split('\n')
    .filter(Boolean);
  for (const rel of ignored) if (!BUILT.has(rel)) walk(rel, out);
  for (const rel of untracked) if (!SOURCES.some((s) => rel.startsWith(s))) walk(rel, out);
  return out;
}

const KEY = '__sectokenCleanClone';

export function setup() {
  globalThis[KEY] = snapshot();
}

export function teardown() {
  const before = globalThis[KEY];
  if (!before) return;
  const written = [...snapshot()].filter(([rel, sig]) => before.get(rel) !== sig).map(([rel]) => rel);
  if (written.length > 0) {
    throw new Error(
      `the test suite wrote into the clone (tests must write only under temporary directories): ${written.join(', ')}`,
    );
  }
}
