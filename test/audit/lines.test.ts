/**
 * Audit files are read in chunks (src/audit/chain/lines.ts), never as one string: what the chunked reader
 * gives must be exactly the bytes of each line of the whole content, whatever the chunk size and
 * wherever a multi-byte character or a line end falls (a last line without its line end given as
 * cut), and the verifier must report the same on either.
 */
import fc from 'fast-check';
import { mkdirSync, mkdtempSync, readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bufferLines, fileLines, type LineSource } from '../../src/audit/chain/lines.js';
import { GENESIS, recordLine, sealRecord, type AuditEntry, type AuditRecord } from '../../src/audit/chain/record.js';
import { verifyChain } from '../../src/audit/chain/verify.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'sectoken-lines-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The lines of a source as [text, cut] pairs (the texts decoded only to compare them). */
const linesOf = (source: LineSource): [string, boolean][] =>
  [...source.lines()].map((l) => [l.bytes.toString('utf8'), l.cut]);

/** What splitting the whole content gives: complete lines, then the bytes after the last line end, if any, as cut. */
function expectedLines(bytes: Buffer): [string, boolean][] {
  const parts = bytes.toString('utf8').split('\n');
  const tail = parts.pop()!;
  return [
    ...parts.map((p): [string, boolean] => [p, false]),
    ...(tail === '' ? [] : [[tail, true] as [string, boolean]]),
  ];
}

const written = (name: string, content: string | Buffer): string => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};

/** Text of lines with ASCII, two-, three- and four-byte characters and empty lines. */
const someText = fc
  .array(fc.oneof(fc.constantFrom('\n', '\n\n', 'é', '€', '𝄞', '{"a":1}', 'Ⅻ'), fc.string({ maxLength: 12 })), {
    maxLength: 40,
  })
  .map((parts) => parts.join(''));

describe('the chunked line reader', () => {
  it('gives the complete lines of a file exactly as splitting its text does, for any chunk size', () => {
    let n = 0;
    fc.assert(
      fc.property(someText, fc.integer({ min: 1, max: 17 }), (text, chunkBytes) => {
        const path = written(`t${n++}.txt`, text);
        const expected = expectedLines(Buffer.from(text, 'utf8'));
        expect(linesOf(fileLines(path, undefined, chunkBytes))).toEqual(expected);
        expect(linesOf(bufferLines(text))).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });

  it('reads only the first `bytes` bytes when told (a live log up to its durable size)', () => {
    let n = 0;
    fc.assert(
      fc.property(someText, fc.nat(), fc.integer({ min: 1, max: 9 }), (text, cutAt, chunkBytes) => {
        const bytes = Buffer.from(text, 'utf8');
        const limit = bytes.length === 0 ? 0 : cutAt % (bytes.length + 1);
        const path = written(`c${n++}.txt`, bytes);
        const head = bytes.subarray(0, limit);
        const got = [...fileLines(path, limit, chunkBytes).lines()];
        expect(Buffer.concat(got.flatMap((l) => (l.cut ? [l.bytes] : [l.bytes, Buffer.from('\n')])))).toEqual(head);
        expect(got.filter((l) => l.cut).length).toBe(limit === 0 || head[limit - 1] === 0x0a ? 0 : 1);
      }),
      { numRuns: 300 },
    );
  });
});

describe('the file behind the lines', () => {
  /** Descriptors of this process open on `path` (/proc/self/fd). */
  const openOn = (path: string): number =>
    readdirSync('/proc/self/fd').filter((fd) => {
      try {
        return readlinkSync(`/proc/self/fd/${fd}`) === path;
      } catch {
        return false; // the descriptor readdir itself used, closed since
      }
    }).length;

  it('is closed once its lines are read, once a reader stops early, and when a read fails', () => {
    const path = written('closed.txt', 'a\nb\nc\n');
    expect(linesOf(fileLines(path, undefined, 2))).toEqual([
      ['a', false],
      ['b', false],
      ['c', false],
    ]);
    expect(openOn(path)).toBe(0);
    for (const line of fileLines(path).lines()) {
      expect(openOn(path)).toBe(1);
      expect(line.bytes.toString()).toBe('a');
      break;
    }
    expect(openOn(path)).toBe(0);
    // A directory opens, and its first read fails.
    const directory = join(dir, 'a-directory');
    mkdirSync(directory);
    expect(() => [...fileLines(directory).lines()]).toThrow(expect.objectContaining({ code: 'EISDIR' }));
    expect(openOn(directory)).toBe(0);
  });
});

describe('the verifier on a file read in chunks', () => {
  const macKey = new Uint8Array(32).fill(3);
  const entry: AuditEntry = {
    act: 'reverse',
    client: 'regulator-cndp',
    person: 'Amina Benali',
    organisation: 'CNDP',
    sector: 'tax',
    token: '1ABC',
    legalBasis: 'L',
    caseId: 'C-1',
    purpose: 'contrôle fiscal — vérification',
    outcome: 'ok',
  };
  const chain = (n: number): AuditRecord[] => {
    const out: AuditRecord[] = [];
    for (let seq = 1; seq <= n; seq++)
      out.push(
        sealRecord(macKey, entry, {
          instance: 'i1',
          seq,
          time: `2026-11-30T10:00:${String(seq).padStart(2, '0')}.000Z`,
          prev: out.at(-1)?.hash ?? GENESIS,
        }),
      );
    return out;
  };
  const text = chain(12).map(recordLine).join('');
  const variants: [string, string][] = [
    ['a whole chain', text],
    ['a byte changed in record 5', text.replace('"seq":5,', '"seq":6,')],
    ['the last record cut short', text.slice(0, -40)],
    ['a blank line inside', text.replace('\n', '\n\n')],
    ['nothing', ''],
  ];

  it.each(variants)(
    'reports on %s exactly what it reports on the whole text, for chunks of 1 byte to 1 MiB',
    (_what, content) => {
      const path = written('audit-i1.jsonl', content);
      const whole = verifyChain('audit-i1.jsonl', content, macKey);
      for (const chunkBytes of [1, 7, 100, 1 << 20])
        expect(verifyChain('audit-i1.jsonl', fileLines(path, undefined, chunkBytes), macKey)).toEqual(whole);
    },
  );
});
