/**
 * `npm start`'s prestart: build only when dist/ is missing or older than what it is built from.
 * `npm ci` already built through `prepare`, so a fresh clone's `npm ci && npm start` compiles once.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const built = join(root, 'dist', 'cli.js');

/** The newest modification time under a path (0 when it does not exist). */
function newest(path) {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((name) => newest(join(path, name))));
}

const sources = ['src', 'console', 'tsconfig.json', 'tsconfig.build.json', 'package.json'].map((p) =>
  newest(join(root, p)),
);
if (existsSync(built) && statSync(built).mtimeMs >= Math.max(...sources)) process.exit(0);
const run = spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
process.exit(run.status ?? 1);
