/**
 * The edges of the chain's format and verifier in process (src/audit/chain/recordRules.ts,
 * verify.ts, record.ts, files.ts, checkpoint.ts): every value rule of a record and of a checkpoint
 * with the reason it gives, every reason the walk stops at a line, and what verifyAudit says of
 * a set of files (misnamed, two chains of one instance, checkpoints without or with several logs,
 * the live head of a missing file).
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkpointSignatureValid, checkpointSigner, type Checkpoint } from '../../src/audit/chain/checkpoint.js';
import { auditFileName, instanceOfFileName } from '../../src/audit/chain/files.js';
import { fileLines } from '../../src/audit/chain/lines.js';
import {
  FIELDS,
  GENESIS,
  RECORD_FORMS,
  asCurrentShape,
  body,
  chainHash,
  chainMac,
  macMatches,
  recordForm,
  recordLine,
  sealRecord,
  type AuditEntry,
  type AuditRecord,
} from '../../src/audit/chain/record.js';
import {
  AUDIT_OUTCOMES,
  checkpointValueProblem,
  isAuditTime,
  recordValueProblem,
} from '../../src/audit/chain/recordRules.js';
import { notExtending, verifyAudit, verifyChain, walkAll, chainWalk } from '../../src/audit/chain/verify.js';

import { MAC_KEY as macKey, NAME, SAMPLE_ENTRY as entry, sampleChain as chain } from './sampleChain.js';
const text = (records: AuditRecord[]): string => records.map(recordLine).join('');

/** The line of a record object (its own fields in its own order), hashed over the body of its form and MACed. */
function lineOf(r: Record<string, unknown>, key = macKey): string {
  const form = r.v === 1 ? RECORD_FORMS[1] : RECORD_FORMS[2];
  const bodyText = JSON.stringify(
    Object.fromEntries(form.filter((f) => f !== 'hash' && f !== 'mac').map((f) => [f, r[f]])),
  );
  const hash = chainHash(bodyText);
  return `${bodyText.slice(0, -1)},"hash":"${hash}","mac":"${chainMac(key, hash)}"}\n`;
}

/** A form-1 record of `instance` at `seq` after `prev`. */
function form1(seq: number, prev: string, instance = 'i1'): Record<string, unknown> {
  return {
    v: 1,
    id: `${instance}:${seq}`,
    seq,
    time: `2026-01-01T00:00:0${seq}.000Z`,
    instance,
    act: 'reverse',
    client: 'regulator-cndp',
    sector: 'tax',
    toSector: null,
    token: null,
    legalBasis: 'L',
    caseId: 'C',
    purpose: 'p',
    requestId: null,
    outcome: 'ok',
    prev,
  };
}

describe('recordValueProblem: each value rule of §1 and its reason', () => {
  const good = (): Record<string, unknown> => ({ ...chain(1)[0]! });

  it('a record the service writes keeps every rule, and so does one of form 1 (without person, organisation, count)', () => {
    expect(recordValueProblem(good())).toBeUndefined();
    const old = form1(1, GENESIS);
    expect(recordValueProblem({ ...old, hash: 'a'.repeat(64), mac: 'b'.repeat(64) })).toBeUndefined();
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['v 0', { v: 0 }, 'v is not 1 or 2'],
    ['v 3', { v: 3 }, 'v is not 1 or 2'],
    ['v "2"', { v: '2' }, 'v is not 1 or 2'],
    ['seq 0', { seq: 0, id: 'i1:0' }, 'seq is not a positive integer'],
    ['seq -1', { seq: -1, id: 'i1:-1' }, 'seq is not a positive integer'],
    ['seq 1.5', { seq: 1.5, id: 'i1:1.5' }, 'seq is not a positive integer'],
    ['seq "1"', { seq: '1' }, 'seq is not a positive integer'],
    ['seq 2^53', { seq: 2 ** 53, id: `i1:${2 ** 53}` }, 'seq is not a positive integer'],
    ['instance 7', { instance: 7, id: '7:1' }, 'instance is not 1–64 of A–Z a–z 0–9 . _ -'],
    ['instance "a/b"', { instance: 'a/b', id: 'a/b:1' }, 'instance is not 1–64 of A–Z a–z 0–9 . _ -'],
    ['instance ""', { instance: '', id: ':1' }, 'instance is not 1–64 of A–Z a–z 0–9 . _ -'],
    ['id of another seq', { id: 'i1:2' }, 'id is not <instance>:<seq>'],
    ['id of another instance', { id: 'i2:1' }, 'id is not <instance>:<seq>'],
    ['time a number', { time: 1 }, 'time is not an ISO 8601 UTC time with milliseconds (YYYY-MM-DDTHH:mm:ss.sssZ)'],
    [
      'time in month 13',
      { time: '2026-13-01T00:00:00.000Z' },
      'time is not an ISO 8601 UTC time with milliseconds (YYYY-MM-DDTHH:mm:ss.sssZ)',
    ],
    [
      'time with text before',
      { time: 'x2026-11-30T10:00:01.000Z' },
      'time is not an ISO 8601 UTC time with milliseconds (YYYY-MM-DDTHH:mm:ss.sssZ)',
    ],
    [
      'time with text after',
      { time: '2026-11-30T10:00:01.000Zx' },
      'time is not an ISO 8601 UTC time with milliseconds (YYYY-MM-DDTHH:mm:ss.sssZ)',
    ],
    ['act 7', { act: 7 }, 'act is not one of the acts of docs/AUDIT.md §1'],
    ['act "delete"', { act: 'delete' }, 'act is not one of the acts of docs/AUDIT.md §1'],
    ['outcome 7', { outcome: 7 }, 'outcome is not one of the outcomes of docs/AUDIT.md §1'],
    ['outcome "maybe"', { outcome: 'maybe' }, 'outcome is not one of the outcomes of docs/AUDIT.md §1'],
    ['count on an ok', { count: 2 }, 'count is neither null nor a positive integer of an unauthenticated refusal'],
    [
      'count 0',
      { count: 0, outcome: 'unauthenticated' },
      'count is neither null nor a positive integer of an unauthenticated refusal',
    ],
    [
      'count 1.5',
      { count: 1.5, outcome: 'unauthenticated' },
      'count is neither null nor a positive integer of an unauthenticated refusal',
    ],
    [
      'count "2"',
      { count: '2', outcome: 'unauthenticated' },
      'count is neither null nor a positive integer of an unauthenticated refusal',
    ],
    ['prev 63 digits', { prev: 'a'.repeat(63) }, 'prev is not 64 lower-case hex digits'],
    ['prev 65 digits', { prev: 'a'.repeat(65) }, 'prev is not 64 lower-case hex digits'],
    ['prev null', { prev: null }, 'prev is not 64 lower-case hex digits'],
    ['prev an array of its hex', { prev: [GENESIS] }, 'prev is not 64 lower-case hex digits'],
    ['hash with a g', { hash: `g${'a'.repeat(63)}` }, 'hash is not 64 lower-case hex digits'],
    ['mac upper-case', { mac: 'A'.repeat(64) }, 'mac is not 64 lower-case hex digits'],
    ['mac with text before', { mac: `x${'a'.repeat(64)}` }, 'mac is not 64 lower-case hex digits'],
  ])('%s is refused', (_what, change, reason) => {
    expect(recordValueProblem({ ...good(), ...change })).toBe(reason);
  });

  it.each([
    'client',
    'person',
    'organisation',
    'sector',
    'toSector',
    'token',
    'legalBasis',
    'caseId',
    'purpose',
    'requestId',
  ])('%s may be a string or null, nothing else', (field) => {
    expect(recordValueProblem({ ...good(), [field]: null })).toBeUndefined();
    expect(recordValueProblem({ ...good(), [field]: 'x' })).toBeUndefined();
    expect(recordValueProblem({ ...good(), [field]: 1 })).toBe(`${field} is neither a string nor null`);
    expect(recordValueProblem({ ...good(), [field]: {} })).toBe(`${field} is neither a string nor null`);
  });

  it('a count of 1 or more on an unauthenticated refusal is allowed, and null anywhere', () => {
    for (const count of [1, 2, 1000])
      expect(recordValueProblem({ ...good(), count, outcome: 'unauthenticated' })).toBeUndefined();
    expect(recordValueProblem({ ...good(), count: null })).toBeUndefined();
  });

  it('every act, and every outcome but audit_unavailable, is allowed', () => {
    for (const act of [
      'reverse',
      'reverse-request',
      'approve',
      'deny',
      'release',
      'expire',
      'translate',
      'translate-request',
    ])
      expect(recordValueProblem({ ...good(), act })).toBeUndefined();
    expect(AUDIT_OUTCOMES.slice(0, 3)).toEqual(['ok', 'pending', 'expired']);
    expect(AUDIT_OUTCOMES).toContain('unauthenticated');
    expect(AUDIT_OUTCOMES).not.toContain('audit_unavailable');
    for (const outcome of AUDIT_OUTCOMES) expect(recordValueProblem({ ...good(), outcome })).toBeUndefined();
  });

  it('a time is exactly what toISOString gives for a year 0000–9999', () => {
    expect(isAuditTime('2026-11-30T10:00:01.000Z')).toBe(true);
    expect(isAuditTime('0000-01-01T00:00:00.000Z')).toBe(true);
    expect(isAuditTime('9999-12-31T23:59:59.999Z')).toBe(true);
    for (const t of [
      '2026-11-30T10:00:01Z',
      '2026-11-30T10:00:01.000',
      '2026-11-30 10:00:01.000Z',
      '2026-02-30T10:00:00.000Z',
      '2026-11-30T24:00:00.000Z',
      '',
      null,
    ])
      expect(isAuditTime(t)).toBe(false);
  });
});

describe('checkpointValueProblem: the form of §4 and its reason', () => {
  const { privateKey } = generateKeyPairSync('ed25519');
  const jwk = privateKey.export({ format: 'jwk' });
  const signer = checkpointSigner({ d: jwk.d!, x: jwk.x! });
  const good = signer.sign({ instance: 'i1', size: 3, headHash: 'c'.repeat(64), time: '2026-11-30T10:00:09.000Z' });

  it('a signed checkpoint keeps the form, and so does one of size 0 at the genesis hash', () => {
    expect(checkpointValueProblem(good)).toBeUndefined();
    expect(checkpointValueProblem({ ...good, size: 0, headHash: GENESIS })).toBeUndefined();
  });

  it.each<[string, unknown, string]>([
    ['null', null, 'not a JSON object'],
    ['an array', [good], 'not a JSON object'],
    ['a string', 'checkpoint', 'not a JSON object'],
    ['format 2', { ...good, format: 'sectoken-checkpoint/2' }, 'format is not sectoken-checkpoint/1'],
    [
      'a field more',
      { ...good, note: 'x' },
      'fields are not exactly format, instance, size, headHash, time, publicKey, signature',
    ],
    [
      'a field less',
      { ...good, time: undefined },
      'fields are not exactly format, instance, size, headHash, time, publicKey, signature',
    ],
    ['instance 7', { ...good, instance: 7 }, 'instance is not 1–64 of A–Z a–z 0–9 . _ -'],
    ['instance "a b"', { ...good, instance: 'a b' }, 'instance is not 1–64 of A–Z a–z 0–9 . _ -'],
    ['size -1', { ...good, size: -1 }, 'size is not an integer ≥ 0'],
    ['size 1.5', { ...good, size: 1.5 }, 'size is not an integer ≥ 0'],
    ['size "3"', { ...good, size: '3' }, 'size is not an integer ≥ 0'],
    ['headHash 7', { ...good, headHash: 7 }, 'headHash is not 64 lower-case hex digits'],
    [
      'headHash an array of its hex',
      { ...good, headHash: ['c'.repeat(64)] },
      'headHash is not 64 lower-case hex digits',
    ],
    ['headHash upper-case', { ...good, headHash: 'C'.repeat(64) }, 'headHash is not 64 lower-case hex digits'],
    ['size 0 with another head', { ...good, size: 0 }, 'size 0 with a headHash other than 64 zeros'],
    [
      'time without milliseconds',
      { ...good, time: '2026-11-30T10:00:09Z' },
      'time is not an ISO 8601 UTC time with milliseconds',
    ],
    ['publicKey 7', { ...good, publicKey: 7 }, 'publicKey or signature is not a string'],
    ['signature null', { ...good, signature: null }, 'publicKey or signature is not a string'],
  ])('%s is refused', (_what, cp, reason) => {
    expect(checkpointValueProblem(JSON.parse(JSON.stringify(cp)) as unknown)).toBe(reason);
  });

  it('a signature holds under the key it was made with only, and a key that is no key fails, not throws', () => {
    expect(checkpointSignatureValid(good, signer.publicKey)).toBe(true);
    const { privateKey: other } = generateKeyPairSync('ed25519');
    expect(checkpointSignatureValid(good, other.export({ format: 'jwk' }).x!)).toBe(false);
    expect(checkpointSignatureValid(good, 'not a key')).toBe(false);
    expect(checkpointSignatureValid({ ...good, instance: 'i2' }, signer.publicKey)).toBe(false);
  });
});

describe('the walk: each reason a line stops it', () => {
  const records = chain(3);
  const [l1, l2, l3] = records.map(recordLine);
  /** `key` null: verified without the MAC key. */
  const firstBad = (content: string | Buffer, key: Uint8Array | null = macKey, name = NAME) =>
    verifyChain(name, content, key ?? undefined).firstBad;

  it('a clean chain: its records, head hash and every hash, nothing bad', () => {
    const report = verifyChain(NAME, text(records), macKey);
    expect(report).toEqual({
      name: NAME,
      instance: 'i1',
      records: 3,
      headHash: records[2]!.hash,
      hashes: records.map((r) => r.hash),
    });
    expect(verifyChain(NAME, '')).toEqual({ name: NAME, instance: 'i1', records: 0, headHash: GENESIS, hashes: [] });
    // A reader that does not keep hashes.
    expect(walkAll(chainWalk(NAME, text(records), macKey, false)).hashes).toEqual([]);
    const seen: number[] = [];
    walkAll(chainWalk(NAME, text(records)), (r) => seen.push(r.seq));
    expect(seen).toEqual([1, 2, 3]);
  });

  it.each<[string, string | Buffer, { line: number; reason: string }]>([
    [
      'bytes that are not UTF-8',
      Buffer.concat([Buffer.from(l1!), Buffer.from([0xff, 0x0a])]),
      { line: 2, reason: 'not UTF-8 (its bytes were changed: a record is UTF-8 text)' },
    ],
    ['text that is not JSON', `${l1}{"v":2,\n`, { line: 2, reason: 'not a JSON record' }],
    ['an empty line', `${l1}\n`, { line: 2, reason: 'not a JSON record' }],
    ['a JSON array', `${l1}[1,2]\n`, { line: 2, reason: 'not a JSON record' }],
    ['JSON null', `${l1}null\n`, { line: 2, reason: 'not a JSON record' }],
    ['a JSON number', `${l1}42\n`, { line: 2, reason: 'not a JSON record' }],
    ['a JSON string', `${l1}"record"\n`, { line: 2, reason: 'not a JSON record' }],
    [
      'an object without v',
      `${l1}{"id":"i1:2"}\n`,
      { line: 2, reason: 'v is not a record form of docs/AUDIT.md §1 (1 or 2)' },
    ],
    [
      'fields out of order',
      `${l1}${JSON.stringify({ id: records[1]!.id, ...records[1] })}\n`,
      { line: 2, reason: 'fields missing, added or out of order (form v 2)' },
    ],
    [
      'a field missing',
      `${l1}${JSON.stringify({ ...records[1], count: undefined })}\n`,
      { line: 2, reason: 'fields missing, added or out of order (form v 2)' },
    ],
    [
      'a changed field',
      `${l1}${l2!.replace('"caseId":"C"', '"caseId":"D"')}`,
      { line: 2, reason: 'record modified (hash does not match its content)' },
    ],
    ['a cut last line', `${l1}${l2!.slice(0, 40)}`, { line: 2, reason: 'the last record is cut short (no line end)' }],
    [
      'a record again',
      `${l1}${l1}`,
      { line: 2, reason: 'expected record 2, found 1 (records removed, inserted or reordered)' },
    ],
    [
      'a record left out',
      `${l1}${l3}`,
      { line: 2, reason: 'expected record 2, found 3 (records removed, inserted or reordered)' },
    ],
  ])('%s', (_what, content, bad) => {
    expect(firstBad(content)).toEqual(bad);
  });

  it('a cut last line is reported as such, after the records before it, which count', () => {
    const report = verifyChain(NAME, `${l1}${l2}{"v":2`, macKey);
    expect(report).toMatchObject({ records: 2, headHash: records[1]!.hash, tailCut: true });
    expect(report.firstBad).toEqual({ line: 3, reason: 'the last record is cut short (no line end)' });
    expect(
      verifyChain(NAME, `${l1}${l2!.replace('"caseId":"C"', '"caseId":"D"')}{"v":2`, macKey).tailCut,
    ).toBeUndefined();
  });

  it('a MAC is checked only with the key, and one that is not 64 hex digits is invalid, not an error', () => {
    const shortMac = l1!.replace(/"mac":"[0-9a-f]+"/, '"mac":"abcd"');
    expect(firstBad(shortMac)).toEqual({ line: 1, reason: 'MAC invalid (forged or modified record)' });
    expect(firstBad(shortMac, null)).toEqual({
      line: 1,
      reason: 'value not allowed: mac is not 64 lower-case hex digits',
    });
    expect(macMatches(macKey, records[0]!.hash, 'abcd')).toBe(false);
    expect(macMatches(macKey, records[0]!.hash, records[0]!.mac)).toBe(true);
    expect(macMatches(new Uint8Array(32), records[0]!.hash, records[0]!.mac)).toBe(false);
    const otherKey = lineOf({ ...records[0] }, new Uint8Array(32).fill(12));
    expect(firstBad(otherKey)).toEqual({ line: 1, reason: 'MAC invalid (forged or modified record)' });
    expect(firstBad(otherKey, null)).toBeUndefined();
  });

  it('a value the rules refuse, hashed and MACed, is named with its rule', () => {
    const line = lineOf({ ...records[0], outcome: 'maybe' });
    expect(firstBad(line)).toEqual({
      line: 1,
      reason: 'value not allowed: outcome is not one of the outcomes of docs/AUDIT.md §1',
    });
  });

  it('a record of another instance in the file named for one, or after records of another in an unnamed file', () => {
    const other = text(chain(2, 'i2'));
    expect(firstBad(other)).toEqual({ line: 1, reason: 'record of instance i2 in the file of instance i1' });
    const mixed = `${l1}${lineOf({ ...chain(2, 'i2')[1], prev: records[0]!.hash })}`;
    expect(firstBad(mixed, macKey, 'copy.jsonl')).toEqual({ line: 2, reason: 'record of another instance' });
    const unnamed = verifyChain('copy.jsonl', text(records), macKey);
    expect(unnamed).toMatchObject({ instance: 'i1', records: 3 });
    expect(unnamed.firstBad).toBeUndefined();
  });

  it('a broken link is named as such', () => {
    const relinked = `${l1}${lineOf({ ...records[1], prev: 'a'.repeat(64) })}`;
    expect(firstBad(relinked)).toEqual({
      line: 2,
      reason: 'chain broken (previous hash differs: records removed, inserted or reordered)',
    });
  });

  it('a chain goes on from form 1 to form 2, never back', () => {
    const old = lineOf(form1(1, GENESIS));
    const oldHash = (JSON.parse(old) as { hash: string }).hash;
    const next = lineOf({
      ...sealRecord(macKey, entry, { instance: 'i1', seq: 2, time: '2026-11-30T10:00:02.000Z', prev: oldHash }),
    });
    const report = verifyChain(NAME, old + next, macKey);
    expect(report.firstBad).toBeUndefined();
    expect(report.records).toBe(2);
    const nextHash = (JSON.parse(next) as { hash: string }).hash;
    const back = lineOf(form1(3, nextHash));
    expect(verifyChain(NAME, old + next + back, macKey).firstBad).toEqual({
      line: 3,
      reason: "record of form v 1 after one of form v 2: a chain's form never goes back",
    });
    const twoOld = old + lineOf(form1(2, oldHash));
    expect(verifyChain(NAME, twoOld, macKey)).toMatchObject({ records: 2 });
  });

  it('reads a file as its text does, up to the bytes asked', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sectoken-chain-edges-'));
    try {
      const path = join(dir, NAME);
      writeFileSync(path, text(records));
      expect(verifyChain(NAME, fileLines(path), macKey)).toMatchObject({ records: 3 });
      expect(verifyChain(NAME, fileLines(path, Buffer.byteLength(l1! + l2!)), macKey)).toMatchObject({ records: 2 });
      expect(verifyChain(NAME, fileLines(path, Buffer.byteLength(l1!) + 5, 7), macKey)).toMatchObject({
        records: 1,
        tailCut: true,
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('record forms and names', () => {
  it('the fields of each form, in order', () => {
    expect(FIELDS).toEqual(RECORD_FORMS[2]);
    expect(RECORD_FORMS[2]).toEqual([...Object.keys(JSON.parse(body(chain(1)[0]!)) as object), 'hash', 'mac']);
    expect(RECORD_FORMS[1]).toEqual(RECORD_FORMS[2].filter((f) => !['person', 'organisation', 'count'].includes(f)));
    expect([recordForm(1), recordForm(2), recordForm(3), recordForm('2'), recordForm(undefined)]).toEqual([
      1,
      2,
      undefined,
      undefined,
      undefined,
    ]);
  });

  it('a record of form 2 keeps its shape; one of form 1 reads with person, organisation and count null', () => {
    const r = chain(1)[0]!;
    expect(asCurrentShape(r)).toBe(r);
    expect(asCurrentShape({ ...r, v: 1, person: 'x', organisation: 'y', count: 3 })).toEqual({
      ...r,
      v: 1,
      person: null,
      organisation: null,
      count: null,
    });
  });

  it('an audit file is audit-<instance>.jsonl, nothing else', () => {
    expect(auditFileName('host-w1')).toBe('audit-host-w1.jsonl');
    expect(instanceOfFileName('audit-host-w1.jsonl')).toBe('host-w1');
    expect(instanceOfFileName(`audit-${'a'.repeat(64)}.jsonl`)).toBe('a'.repeat(64));
    for (const name of [
      'audit-.jsonl',
      `audit-${'a'.repeat(65)}.jsonl`,
      'audit-a.json',
      'audit-a.jsonl.tmp',
      'xaudit-a.jsonl',
      'audit-a b.jsonl',
      'audit-a/b.jsonl',
      'audit-aXjsonl',
    ])
      expect(instanceOfFileName(name)).toBeNull();
  });
});

describe('verifyAudit: a set of files, checkpoints and the live head', () => {
  const { privateKey } = generateKeyPairSync('ed25519');
  const jwk = privateKey.export({ format: 'jwk' });
  const signer = checkpointSigner({ d: jwk.d!, x: jwk.x! });
  const records = chain(3);
  const cp = signer.sign({ instance: 'i1', size: 2, headHash: records[1]!.hash, time: '2026-12-01T00:00:00.000Z' });

  it('when all is well, then ok, with each file without its hashes', () => {
    const report = verifyAudit([{ name: NAME, text: text(records) }], { checkpoints: [cp] });
    expect(report).toEqual({
      ok: true,
      macChecked: false,
      files: [{ name: NAME, instance: 'i1', records: 3, headHash: records[2]!.hash }],
      checkpoints: [{ instance: 'i1', size: 2, ok: true }],
      problems: [],
    });
    expect(verifyAudit([])).toEqual({ ok: true, macChecked: false, files: [], checkpoints: [], problems: [] });
  });

  it('when a file is cut short, then it is not ok, and its report keeps no tailCut', () => {
    const report = verifyAudit([{ name: NAME, text: `${text(records)}{"v"` }]);
    expect(report.ok).toBe(false);
    expect(report.files).toEqual([
      {
        name: NAME,
        instance: 'i1',
        records: 3,
        headHash: records[2]!.hash,
        firstBad: { line: 4, reason: 'the last record is cut short (no line end)' },
      },
    ]);
  });

  it('when a file is not named for an instance, or two hold one instance, then each is a problem', () => {
    const report = verifyAudit(
      [
        { name: NAME, text: text(records) },
        { name: 'copy.jsonl', text: text(records) },
        { name: 'audit-i2.jsonl', text: text(chain(1, 'i2')) },
        { name: 'empty.jsonl', text: '' },
      ],
      { checkpoints: [cp] },
    );
    expect(report.ok).toBe(false);
    expect(report.problems).toEqual([
      'copy.jsonl: not named audit-<instance>.jsonl, so it is bound to no instance',
      'empty.jsonl: not named audit-<instance>.jsonl, so it is bound to no instance',
      '2 files hold a chain of instance i1 (audit-i1.jsonl, copy.jsonl): an instance has one chain',
    ]);
    expect(report.checkpoints).toEqual([
      { instance: 'i1', size: 2, ok: false, reason: 'several logs of this instance were given' },
    ]);
    // A problem alone makes the whole not ok; files bound to no instance are no chain of one.
    expect(verifyAudit([{ name: 'copy.jsonl', text: text(records) }])).toMatchObject({
      ok: false,
      problems: [expect.any(String)],
    });
    expect(
      verifyAudit([
        { name: NAME, text: text(records) },
        { name: NAME, text: text(records) },
      ]).ok,
    ).toBe(false);
    expect(
      verifyAudit([
        { name: 'a.jsonl', text: '' },
        { name: 'b.jsonl', text: '' },
      ]).problems,
    ).toEqual([
      'a.jsonl: not named audit-<instance>.jsonl, so it is bound to no instance',
      'b.jsonl: not named audit-<instance>.jsonl, so it is bound to no instance',
    ]);
  });

  it('when a checkpoint is of another form, signed by another key, or of no log given, then it fails with why', () => {
    const check = (c: unknown, trustedPublicKey?: string) =>
      verifyAudit([{ name: NAME, text: text(records) }], {
        checkpoints: [c as Checkpoint],
        ...(trustedPublicKey ? { trustedPublicKey } : {}),
      }).checkpoints[0];
    expect(check({ ...cp, size: -1 })).toEqual({
      instance: 'i1',
      size: -1,
      ok: false,
      reason: 'not a sectoken checkpoint: size is not an integer ≥ 0',
    });
    const { privateKey: other } = generateKeyPairSync('ed25519');
    expect(check(cp, other.export({ format: 'jwk' }).x)).toEqual({
      instance: 'i1',
      size: 2,
      ok: false,
      reason: 'checkpoint signature invalid',
    });
    expect(check(cp, signer.publicKey)).toEqual({ instance: 'i1', size: 2, ok: true });
    const ofI2 = signer.sign({ instance: 'i2', size: 1, headHash: records[0]!.hash, time: cp.time });
    expect(check(ofI2)).toEqual({ instance: 'i2', size: 1, ok: false, reason: 'no log of this instance was given' });
    const beyond = signer.sign({ instance: 'i1', size: 4, headHash: records[2]!.hash, time: cp.time });
    expect(check(beyond)).toEqual({
      instance: 'i1',
      size: 4,
      ok: false,
      reason: 'the log has 3 records, the checkpoint 4: its tail was cut',
    });
    const rewritten = signer.sign({ instance: 'i1', size: 3, headHash: records[1]!.hash, time: cp.time });
    expect(check(rewritten)).toEqual({
      instance: 'i1',
      size: 3,
      ok: false,
      reason: 'the log does not extend the checkpoint (rewritten)',
    });
  });

  it('notExtending: invalid inside, cut, rewritten, or extending (size 0 always extends a valid log)', () => {
    const file = verifyChain(NAME, text(records));
    expect(notExtending(file, 3, records[2]!.hash)).toBeUndefined();
    expect(notExtending(file, 1, records[0]!.hash)).toBeUndefined();
    expect(notExtending(file, 0, 'anything')).toBeUndefined();
    expect(notExtending(file, 2, records[2]!.hash, 'the head')).toBe('the log does not extend the head (rewritten)');
    const bad = verifyChain(
      NAME,
      `${recordLine(records[0]!)}${recordLine(records[1]!).replace('"caseId":"C"', '"caseId":"D"')}`,
    );
    expect(notExtending(bad, 2, records[1]!.hash)).toBe('the log is invalid at record 2, inside the checkpoint');
    expect(notExtending(bad, 1, records[0]!.hash)).toBeUndefined();
    expect(notExtending(bad, 3, records[2]!.hash, 'X')).toBe('the log is invalid at record 2, inside X');
  });

  it('when a live head is given, then the own file is checked against it, and a missing own file fails', () => {
    const files = [{ name: NAME, text: text(records) }];
    const live = (size: number, headHash: string, instance = 'i1') =>
      verifyAudit(files, { live: { instance, size, headHash } });
    expect(live(3, records[2]!.hash)).toMatchObject({
      ok: true,
      live: { instance: 'i1', file: NAME, head: { size: 3, headHash: records[2]!.hash }, ok: true },
    });
    expect(live(3, records[2]!.hash).live).not.toHaveProperty('reason');
    expect(live(3, records[1]!.hash)).toMatchObject({
      ok: false,
      live: { ok: false, reason: 'the log does not extend the head in memory (rewritten)' },
    });
    expect(live(1, GENESIS, 'i9')).toMatchObject({
      ok: false,
      live: { instance: 'i9', file: 'audit-i9.jsonl', ok: false, reason: 'the file of this instance is missing' },
    });
    expect(verifyAudit(files, { macKey }).macChecked).toBe(true);
    expect(verifyAudit(files)).not.toHaveProperty('live');
  });
});

describe('what is read, and what is sealed', () => {
  it('a line that begins with a byte order mark is no JSON record (the mark is not stripped)', () => {
    const [l1] = chain(1).map(recordLine);
    const withBom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(l1!, 'utf8')]);
    expect(verifyChain(NAME, withBom, macKey).firstBad).toEqual({ line: 1, reason: 'not a JSON record' });
  });

  it('a file cut while it is read ends the lines where it was cut, with what was read before', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sectoken-chain-cut-'));
    try {
      const path = join(dir, NAME);
      writeFileSync(path, 'one\ntwo\nthree\n');
      const lines = fileLines(path, undefined, 6).lines()[Symbol.iterator]();
      expect(lines.next().value?.bytes.toString('utf8')).toBe('one');
      writeFileSync(path, '');
      const rest = [...{ [Symbol.iterator]: () => lines }].map((l) => [l.bytes.toString('utf8'), l.cut]);
      expect(rest).toEqual([['tw', true]]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a sealed record holds every field of its entry, null for those not given, at its place in the chain', () => {
    const full: AuditEntry = {
      act: 'translate',
      client: 'c',
      person: 'p',
      organisation: 'o',
      sector: 's',
      toSector: 't',
      token: 'k',
      legalBasis: 'l',
      caseId: 'i',
      purpose: 'u',
      requestId: 'r',
      outcome: 'unauthenticated',
      count: 4,
    };
    const place = { instance: 'i1', seq: 7, time: '2026-11-30T10:00:00.000Z', prev: 'e'.repeat(64) };
    const sealed = sealRecord(macKey, full, place);
    const { hash, mac, ...rest } = sealed;
    expect(rest).toEqual({ v: 2, id: 'i1:7', ...place, ...full });
    expect(hash).toBe(chainHash(body(sealed)));
    expect(mac).toBe(chainMac(macKey, hash));
    const bare = sealRecord(macKey, { act: 'reverse', client: null, outcome: 'ok' }, place);
    for (const f of [
      'person',
      'organisation',
      'sector',
      'toSector',
      'token',
      'legalBasis',
      'caseId',
      'purpose',
      'requestId',
      'count',
    ] as const)
      expect(bare[f]).toBeNull();
  });
});
