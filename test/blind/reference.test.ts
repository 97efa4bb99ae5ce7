/**
 * scripts/blind_reference.py, an implementation of docs/DERIVATION.md §10 in Python's integers
 * and hashlib (ristretto255, expand_message_xmd, VOPRF, HKDF and the token layout written from the
 * RFCs and the document, sharing nothing with libsodium, noble or the TypeScript sources),
 * reproduces RFC 9497 A.1.2 and every value of test/vectors/blind.json, and names a changed one.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../../src/config/env.js';

const run = (...args: string[]) =>
  spawnSync('/usr/bin/python3', [join(PACKAGE_ROOT, 'scripts', 'blind_reference.py'), ...args], { encoding: 'utf8' });

it('reproduces RFC 9497 A.1.2 and test/vectors/blind.json', () => {
  const result = run();
  expect(result.stderr).toBe('');
  expect(result.stdout).toContain('reproduced');
  expect(result.status).toBe(0);
});

it('refuses a vector file with one token changed, naming it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sectoken-blind-ref-'));
  try {
    const vectors = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'test', 'vectors', 'blind.json'), 'utf8')) as {
      versions: { people: { nationalId: string; token: string }[] }[];
    };
    const person = vectors.versions[1]!.people[2]!;
    person.token = person.token.slice(0, 5) + (person.token[5] === '0' ? '1' : '0') + person.token.slice(6);
    writeFileSync(join(dir, 'blind.json'), JSON.stringify(vectors));
    const result = run(join(dir, 'blind.json'));
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`version 2 ${person.nationalId} token`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
