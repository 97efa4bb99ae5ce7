/**
 * A copy of the built package in a temporary directory (dist/, config/, package.json; node_modules
 * linked), so that a test can start it at its default paths (keys/, the sample configuration)
 * without writing into the clone. Returns the copy's root and its dist/cli.js.
 */
import { cpSync, mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../../src/config/env.js';

export function packageCopy(): { root: string; cli: string } {
  const root = mkdtempSync(join(tmpdir(), 'sectoken-package-'));
  for (const part of ['dist', 'config', 'package.json'])
    cpSync(join(PACKAGE_ROOT, part), join(root, part), { recursive: true });
  symlinkSync(join(PACKAGE_ROOT, 'node_modules'), join(root, 'node_modules'));
  return { root, cli: join(root, 'dist', 'cli.js') };
}
