/**
 * The auditors' reads in process (src/audit/reader/read.ts, cursor.ts): which files of the audit
 * directory are read and in which order, which records of them (only those that verify), and a
 * page of them: each filter, the range [from, to) to the millisecond and by UTC day, the cursor
 * (the record it names is never repeated), offset and limit, and whether a next page exists.
 * Real files in a temporary directory; records sealed as the writer seals them.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  GENESIS,
  RECORD_FORMS,
  chainHash,
  chainMac,
  recordLine,
  sealRecord,
  type AuditEntry,
  type AuditRecord,
} from '../../src/audit/chain/record.js';
import { bufferLines } from '../../src/audit/chain/lines.js';
import { cursorOf, parseCursor } from '../../src/audit/reader/cursor.js';
import {
  auditFiles,
  byTimeThenId,
  inRange,
  queryAudit,
  timeBound,
  verifiedRecords,
  type AuditQuery,
  type ChainRead,
} from '../../src/audit/reader/read.js';

const macKey = new Uint8Array(32).fill(3);
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'sectoken-read-query-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const base: AuditEntry = {
  act: 'reverse',
  client: 'regulator-cndp',
  legalBasis: 'LOI-09-08-ART-4',
  caseId: 'C-0',
  outcome: 'ok',
};

/** A chain of `instance` with one record per entry, at the given times, sealed under `key`. */
function chain(instance: string, items: [string, Partial<AuditEntry>][], key = macKey): AuditRecord[] {
  const out: AuditRecord[] = [];
  for (const [time, change] of items)
    out.push(
      sealRecord(
        key,
        { ...base, ...change },
        { instance, seq: out.length + 1, time, prev: out.at(-1)?.hash ?? GENESIS },
      ),
    );
  return out;
}
const text = (records: AuditRecord[]): string => records.map(recordLine).join('');

describe('auditFiles: the audit files of a directory', () => {
  it('lists only audit-<instance>.jsonl files, sorted by name, each with its path and its lines', () => {
    const d = join(dir, 'listing');
    mkdirSync(d);
    const names = ['audit-c.jsonl', 'audit-a.jsonl', 'audit-b.jsonl', 'audit-A.jsonl'];
    for (const name of names) writeFileSync(join(d, name), `${name}\n`);
    for (const other of ['.head-a.json', 'notes.txt', 'audit-a.jsonl.tmp', 'audit-.jsonl'])
      writeFileSync(join(d, other), 'x\n');
    const files = auditFiles(d);
    expect(files.map((f) => f.name)).toEqual(['audit-A.jsonl', 'audit-a.jsonl', 'audit-b.jsonl', 'audit-c.jsonl']);
    for (const f of files) {
      expect(f.path).toBe(join(d, f.name));
      expect([...f.text.lines()].map((l) => [l.bytes.toString('utf8'), l.cut])).toEqual([[f.name, false]]);
    }
  });

  it('gives nothing for a directory that does not exist', () => {
    expect(auditFiles(join(dir, 'no-such-dir'))).toEqual([]);
  });
});

describe('verifiedRecords: only records that verify, file after file', () => {
  const good = chain('a', [
    ['2026-11-30T10:00:00.000Z', {}],
    ['2026-11-30T10:00:01.000Z', {}],
  ]);
  const forged = chain('evil', [['2026-11-30T10:00:00.000Z', { act: 'deny' }]], new Uint8Array(32).fill(9));

  it('yields the valid records of each file in order, and names each chain read, whether it verified and why not', () => {
    const bad = chain('b', [
      ['2026-11-30T10:00:00.000Z', {}],
      ['2026-11-30T10:00:01.000Z', {}],
      ['2026-11-30T10:00:02.000Z', {}],
    ]);
    const modified = text(bad).replace('"caseId":"C-0"', '"caseId":"C-9"');
    const chains: ChainRead[] = [];
    const records = [
      ...verifiedRecords(
        [
          { name: 'audit-a.jsonl', text: bufferLines(text(good)) },
          { name: 'copy.jsonl', text: bufferLines(text(good)) },
          { name: 'audit-evil.jsonl', text: bufferLines(text(forged)) },
          { name: 'audit-b.jsonl', text: bufferLines(modified) },
          { name: 'audit-none.jsonl', text: bufferLines('') },
        ],
        macKey,
        chains,
      ),
    ];
    expect(records).toEqual(good);
    expect(chains).toEqual([
      { file: 'audit-a.jsonl', instance: 'a', records: 2, verified: true },
      {
        file: 'copy.jsonl',
        instance: null,
        records: 0,
        verified: false,
        firstBad: { line: 1, reason: 'not named audit-<instance>.jsonl, so it is bound to no instance' },
      },
      {
        file: 'audit-evil.jsonl',
        instance: 'evil',
        records: 0,
        verified: false,
        firstBad: { line: 1, reason: 'MAC invalid (forged or modified record)' },
      },
      {
        file: 'audit-b.jsonl',
        instance: 'b',
        records: 0,
        verified: false,
        firstBad: { line: 1, reason: 'record modified (hash does not match its content)' },
      },
      { file: 'audit-none.jsonl', instance: 'none', records: 0, verified: true },
    ]);
  });

  it('counts the records before a last line cut short (a batch being written) and the chain as verified', () => {
    const chains: ChainRead[] = [];
    const cut = `${text(good)}{"v":2,"id":"a:3","se`;
    expect([...verifiedRecords([{ name: 'audit-a.jsonl', text: bufferLines(cut) }], macKey, chains)]).toEqual(good);
    expect(chains).toEqual([{ file: 'audit-a.jsonl', instance: 'a', records: 2, verified: true }]);
  });

  it('gives a record of form 1 in the current shape: person, organisation and count null', () => {
    const fields = RECORD_FORMS[1].filter((f) => f !== 'hash' && f !== 'mac');
    const v1: Record<string, unknown> = {
      ...Object.fromEntries(fields.map((f) => [f, null])),
      v: 1,
      id: 'old:1',
      seq: 1,
      time: '2026-01-01T00:00:00.000Z',
      instance: 'old',
      act: 'reverse',
      client: 'regulator-cndp',
      outcome: 'ok',
      prev: GENESIS,
    };
    const bodyText = JSON.stringify(Object.fromEntries(fields.map((f) => [f, v1[f]])));
    const hash = chainHash(bodyText);
    const line = `${bodyText.slice(0, -1)},"hash":"${hash}","mac":"${chainMac(macKey, hash)}"}\n`;
    const [record] = [...verifiedRecords([{ name: 'audit-old.jsonl', text: bufferLines(line) }], macKey, [])];
    expect(record).toMatchObject({ v: 1, id: 'old:1', client: 'regulator-cndp', hash });
    expect([record!.person, record!.organisation, record!.count]).toEqual([null, null, null]);
  });
});

describe('timeBound, inRange and byTimeThenId', () => {
  it('reads a plain date as a UTC day: from its start, to the start of the next day', () => {
    expect(timeBound('2026-03-01')).toBe('2026-03-01T00:00:00.000Z');
    expect(timeBound('2026-03-01', 'from')).toBe('2026-03-01T00:00:00.000Z');
    expect(timeBound('2026-03-01', 'to')).toBe('2026-03-02T00:00:00.000Z');
    expect(timeBound('2026-12-31', 'to')).toBe('2027-01-01T00:00:00.000Z');
  });

  it("gives a date-time in the records' own form, whichever end it bounds, and nothing for nothing", () => {
    expect(timeBound('2026-03-01T10:00:00Z')).toBe('2026-03-01T10:00:00.000Z');
    expect(timeBound('2026-03-01T10:00:00.000Z', 'to')).toBe('2026-03-01T10:00:00.000Z');
    expect(timeBound('2026-03-01T11:00:00+01:00', 'to')).toBe('2026-03-01T10:00:00.000Z');
    // Only YYYY-MM-DD is a day: a date with an expanded year is an instant.
    expect(timeBound('+002026-03-01', 'to')).toBe('2026-03-01T00:00:00.000Z');
    expect(timeBound(undefined)).toBeUndefined();
    expect(timeBound(undefined, 'to')).toBeUndefined();
  });

  it('takes [from, to): a record at from is in, one at to is out, either bound may be absent', () => {
    const at = (time: string) => ({ time }) as AuditRecord;
    const [from, to] = ['2026-03-01T10:00:00.000Z', '2026-03-01T11:00:00.000Z'];
    expect(inRange(at(from), from, to)).toBe(true);
    expect(inRange(at('2026-03-01T09:59:59.999Z'), from, to)).toBe(false);
    expect(inRange(at('2026-03-01T10:59:59.999Z'), from, to)).toBe(true);
    expect(inRange(at(to), from, to)).toBe(false);
    expect(inRange(at('2000-01-01T00:00:00.000Z'), undefined, to)).toBe(true);
    expect(inRange(at('2999-01-01T00:00:00.000Z'), from, undefined)).toBe(true);
    expect(inRange(at(to), undefined, undefined)).toBe(true);
  });

  it('orders by time, then by id within a millisecond, and ties nothing but the same record', () => {
    const [t1, t2] = ['2026-03-01T10:00:00.000Z', '2026-03-01T10:00:00.001Z'];
    expect(byTimeThenId({ time: t1, id: 'z:9' }, { time: t2, id: 'a:1' })).toBe(-1);
    expect(byTimeThenId({ time: t2, id: 'a:1' }, { time: t1, id: 'z:9' })).toBe(1);
    expect(byTimeThenId({ time: t1, id: 'a:1' }, { time: t1, id: 'a:2' })).toBe(-1);
    expect(byTimeThenId({ time: t1, id: 'a:2' }, { time: t1, id: 'a:1' })).toBe(1);
    expect(byTimeThenId({ time: t1, id: 'a:1' }, { time: t1, id: 'a:1' })).toBe(0);
  });
});

describe('queryAudit: one page of the matching records', () => {
  // Two chains interleaved in time; two records of one millisecond (ordered by id).
  const a = chain('a', [
    ['2026-03-01T10:00:00.000Z', { client: 'reg-1', caseId: 'K1' }],
    ['2026-03-01T23:59:59.999Z', { client: 'reg-2', caseId: 'K2', act: 'translate' }],
    ['2026-03-02T00:00:00.000Z', { client: 'reg-1', caseId: 'K3', outcome: 'forbidden' }],
    ['2026-03-03T08:00:00.000Z', { client: 'reg-1', caseId: 'K4', legalBasis: 'OTHER' }],
  ]);
  const b = chain('b', [
    ['2026-03-01T10:00:00.000Z', { client: 'reg-1', caseId: 'K1' }],
    ['2026-03-02T12:00:00.000Z', { client: null, caseId: null, legalBasis: null }],
  ]);
  const all = [...a, ...b];
  const q = (query: Partial<AuditQuery>) => queryAudit(all, { limit: 100, offset: 0, ...query });
  const ids = (records: AuditRecord[]) => records.map((r) => r.id);
  const inOrder = ['a:1', 'b:1', 'a:2', 'a:3', 'b:2', 'a:4'];

  it('when nothing is asked, then every record in time then id order, and no next page', () => {
    expect(q({})).toEqual({ total: 6, records: [a[0], b[0], a[1], a[2], b[1], a[3]], last: null });
  });

  it('when newest first is asked, then the reverse order; oldest first is the default', () => {
    expect(ids(q({ order: 'desc' }).records)).toEqual([...inOrder].reverse());
    expect(ids(q({ order: 'asc' }).records)).toEqual(inOrder);
  });

  it.each<[string, Partial<AuditQuery>, string[]]>([
    ['client', { client: 'reg-1' }, ['a:1', 'b:1', 'a:3', 'a:4']],
    ['caseId', { caseId: 'K1' }, ['a:1', 'b:1']],
    ['legalBasis', { legalBasis: 'OTHER' }, ['a:4']],
    ['act', { act: 'translate' }, ['a:2']],
    ['outcome', { outcome: 'forbidden' }, ['a:3']],
    ['client and caseId', { client: 'reg-1', caseId: 'K3' }, ['a:3']],
    ['a client no record has', { client: 'reg-9' }, []],
  ])('when filtered by %s, then only the records that match, and total counts them', (_what, filter, expected) => {
    const page = q(filter);
    expect([page.total, ids(page.records)]).toEqual([expected.length, expected]);
  });

  it('when a range is given, then [from, to), a plain date being a whole UTC day', () => {
    expect(ids(q({ from: '2026-03-02', to: '2026-03-02' }).records)).toEqual(['a:3', 'b:2']);
    expect(ids(q({ to: '2026-03-01' }).records)).toEqual(['a:1', 'b:1', 'a:2']);
    expect(ids(q({ from: '2026-03-01T23:59:59.999Z', to: '2026-03-02T12:00:00.000Z' }).records)).toEqual([
      'a:2',
      'a:3',
    ]);
    expect(q({ from: '2026-03-02T12:00:00Z' }).total).toBe(2);
  });

  it('when a page is asked with offset and limit, then those records, and the last of the page when more match', () => {
    expect(q({ limit: 2 })).toEqual({ total: 6, records: [a[0], b[0]], last: { time: b[0]!.time, id: 'b:1' } });
    expect(q({ limit: 2, offset: 3 })).toMatchObject({ total: 6, last: { time: b[1]!.time, id: 'b:2' } });
    expect(ids(q({ limit: 2, offset: 3 }).records)).toEqual(['a:3', 'b:2']);
    // Exactly as many as the page: no next page.
    expect(q({ limit: 2, offset: 4 })).toMatchObject({ records: [b[1], a[3]], last: null });
    expect(q({ limit: 6 }).last).toBeNull();
    expect(q({ limit: 5 }).last).toEqual({ time: b[1]!.time, id: 'b:2' });
    expect(q({ offset: 6 })).toEqual({ total: 6, records: [], last: null });
    expect(q({ limit: 0 })).toEqual({ total: 6, records: [], last: null });
  });

  it('when a cursor is given, then the page starts after the record it names, in the order asked, and total ignores it', () => {
    const after = { time: a[1]!.time, id: 'a:2' };
    expect(q({ after })).toMatchObject({ total: 6, last: null });
    expect(ids(q({ after }).records)).toEqual(['a:3', 'b:2', 'a:4']);
    expect(ids(q({ after, order: 'desc' }).records)).toEqual(['b:1', 'a:1']);
    // Within one millisecond, by id: after a:1 comes b:1.
    expect(ids(q({ after: { time: a[0]!.time, id: 'a:1' }, limit: 1 }).records)).toEqual(['b:1']);
    // The page before the last: its last record is the cursor of the last page.
    const first = q({ after, limit: 2 });
    expect(first.last).toEqual({ time: b[1]!.time, id: 'b:2' });
    expect(ids(q({ after: first.last!, limit: 2 }).records)).toEqual(['a:4']);
    expect(q({ after: first.last!, limit: 2 }).last).toBeNull();
  });
});

describe('the cursor of a page', () => {
  const cursor = { time: '2026-03-01T10:00:00.000Z', id: 'host-w1.a_b:12' };

  it('comes back as the record it was made from, and is base64url of [time, id]', () => {
    expect(parseCursor(cursorOf(cursor))).toEqual(cursor);
    expect(Buffer.from(cursorOf(cursor), 'base64url').toString('utf8')).toBe(JSON.stringify([cursor.time, cursor.id]));
    expect(parseCursor(cursorOf({ ...cursor, id: `${'x'.repeat(64)}:9999999999999999` }))).toBeDefined();
  });

  const enc = (value: unknown) => Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
  it.each<[string, string]>([
    ['not JSON', Buffer.from('not json', 'utf8').toString('base64url')],
    ['not an array', enc({ time: cursor.time, id: cursor.id })],
    ['one element', enc([cursor.time])],
    ['three elements', enc([cursor.time, cursor.id, 'x'])],
    ['a time without milliseconds', enc(['2026-03-01T10:00:00Z', cursor.id])],
    ['an id that is a number', enc([cursor.time, 12])],
    ['an id that is an array', enc([cursor.time, ['host:1']])],
    ['an id without a seq', enc([cursor.time, 'host'])],
    ['an id whose seq is 0', enc([cursor.time, 'host:0'])],
    ['an id whose seq starts with 0', enc([cursor.time, 'host:012'])],
    ['an id whose seq has 17 digits', enc([cursor.time, `host:1${'0'.repeat(16)}`])],
    ['an id whose instance is 65 characters', enc([cursor.time, `${'x'.repeat(65)}:1`])],
    ['an id whose instance has a slash', enc([cursor.time, 'a/b:1'])],
    ['an id with something before it', enc([cursor.time, ' host:1'])],
    ['an id with something after it', enc([cursor.time, 'host:1 '])],
    ['an empty instance', enc([cursor.time, ':1'])],
  ])('is refused when it is %s', (_what, text) => {
    expect(parseCursor(text)).toBeUndefined();
  });
});
