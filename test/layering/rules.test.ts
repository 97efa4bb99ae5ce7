/**
 * The allowed arrows (.dependency-cruiser.cjs, run by `npm test` as `npm run deps`) refuse what
 * they should: a small tree laid out like src/, checked with the project's own rules, passes until
 * one forbidden import is added, then fails naming the rule.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PACKAGE_ROOT } from '../../src/config/env.js';

const DEPCRUISE = join(PACKAGE_ROOT, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs');

function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'sectoken-layering-'));
  copyFileSync(join(PACKAGE_ROOT, '.dependency-cruiser.cjs'), join(dir, '.dependency-cruiser.cjs'));
  writeFileSync(
    join(dir, 'tsconfig.build.json'),
    JSON.stringify({
      compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', strict: true },
      include: ['src'],
    }),
  );
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

const check = (dir: string) =>
  spawnSync(process.execPath, [DEPCRUISE, 'src', '--config', '.dependency-cruiser.cjs'], {
    cwd: dir,
    encoding: 'utf8',
    timeout: 60_000,
  });

const BASE = {
  'src/errors.ts': 'export class SectokenError extends Error {}\n',
  'src/crypto/ff1.ts': "import { createCipheriv } from 'node:crypto';\nexport const ff1 = createCipheriv;\n",
  'src/derivation/tni.ts':
    "import { ff1 } from '../crypto/ff1.js';\nimport { SectokenError } from '../errors.js';\nexport const tni = [ff1, SectokenError];\n",
  'src/keys/derive.ts': "import { hkdf } from '@noble/hashes/hkdf.js';\nexport const derive = hkdf;\n",
  'src/keys/store.ts':
    "import { readFileSync } from 'node:fs';\nimport { derive } from './derive.js';\nexport const load = [readFileSync, derive];\n",
  'src/store/redis.ts': "import { tni } from '../derivation/tni.js';\nexport const redis = tni;\n",
  'src/acts/tokens/tokenize.ts': "import { redis } from '../store/redis.js';\nexport const tokenize = redis;\n",
  'src/http/routes/tokens.ts':
    "import { tokenize } from '../../acts/tokens/tokenize.js';\nexport const route = tokenize;\n",
  'src/server.ts': "import { route } from './http/routes/tokens.js';\nexport const serve = route;\n",
  'src/cli/bulk/run.ts': "import { serve } from '../../server.js';\nexport const bulk = serve;\n",
};

describe('the layering rules', () => {
  it('when every import goes down, then the check passes', () => {
    const result = check(tree(BASE));
    expect(result.stdout).toMatch(/no dependency violations/);
    expect(result.status).toBe(0);
  });

  it.each([
    [
      'the derivation imports a store',
      'src/derivation/tni.ts',
      "import '../store/redis.js';\n",
      /derivation-is-pure|pure-imports-pure/,
    ],
    [
      'the derivation reads files',
      'src/derivation/tni.ts',
      "import { readFileSync } from 'node:fs';\nexport const read = readFileSync;\n",
      /pure-without-io/,
    ],
    [
      'the derivation imports the keyring store, which reads files',
      'src/derivation/tni.ts',
      "import '../keys/store.js';\n",
      /pure-imports-pure/,
    ],
    [
      'a pure file of keys/ reads files',
      'src/keys/derive.ts',
      "import { readFileSync } from 'node:fs';\nexport const read = readFileSync;\n",
      /pure-without-io/,
    ],
    [
      'a route reaches a store past the use cases',
      'src/http/routes/tokens.ts',
      "import '../../store/redis.js';\n",
      /routes-call-use-cases/,
    ],
    [
      'the server imports the command line (both of the composition layer)',
      'src/server.ts',
      "import './cli/bulk/run.js';\n",
      /cli-is-the-top/,
    ],
    [
      'a store imports a use case',
      'src/store/redis.ts',
      "import '../acts/tokens/tokenize.js';\n",
      /no-up-from-stores|no-circular/,
    ],
  ])('when %s, then the check fails naming the rule', (_what, file, addition, rule) => {
    const files = { ...BASE, [file]: BASE[file as keyof typeof BASE] + addition };
    const result = check(tree(files));
    expect(result.status).not.toBe(0);
    expect(result.stdout).toMatch(rule);
  });
});
