/**
 * test/vectors/blind-reference.json is what scripts/blind_reference.py writes: the script checks
 * itself against RFC 9496 and RFC 9497 A.1.2, recomputes every value and compares the file byte
 * for byte (`--check`). A system test: it runs Debian's system Python (standard library only).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const SCRIPT = 'scripts/blind_reference.py';
const failure = (err: { code: number; stderr: string }) => err;

describe('scripts/blind_reference.py', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'blind-reference-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes exactly test/vectors/blind-reference.json', async () => {
    const { stdout } = await run('/usr/bin/python3', [SCRIPT, '--check']);
    expect(stdout).toBe('blind_reference: blind-reference.json is up to date\n');
  }, 60_000);

  it('says so when a file differs by one token', async () => {
    const text = readFileSync('test/vectors/blind-reference.json', 'utf8');
    const token = /"token": "([0-9A-Z])/.exec(text)!;
    const other = token[0].replace(/.$/, token[1] === '1' ? '2' : '1');
    const changed = join(dir, 'changed.json');
    writeFileSync(changed, text.replace(token[0], other));
    const failed = await run('/usr/bin/python3', [SCRIPT, '--check', changed]).catch(failure);
    expect(failed).toMatchObject({ code: 1, stderr: expect.stringContaining('is not what this script writes') });
  }, 60_000);

  it('refuses an unknown argument in one line', async () => {
    const failed = await run('/usr/bin/python3', [SCRIPT, '--write']).catch(failure);
    expect(failed).toMatchObject({ code: 2, stderr: 'usage: python3 scripts/blind_reference.py [--check [FILE]]\n' });
  });
});
