/**
 * The auditors' acts in process (src/acts/audit/): read a page of the log, count it, take a
 * signed checkpoint of this instance's chain or of another worker's, verify every chain. Two real
 * audit logs in a temporary directory (this instance's, still open, and another worker's, closed);
 * the reader's jobs run in process (src/audit/reader/readerJobs.ts, what the reader thread runs).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { Principal } from '../../src/access/apiKeys.js';
import type { AuditDeps } from '../../src/acts/audit/auditDeps.js';
import { auditStatsOf } from '../../src/acts/audit/auditStats.js';
import { readAudit } from '../../src/acts/audit/readAudit.js';
import { takeCheckpoint } from '../../src/acts/audit/takeCheckpoint.js';
import { verifyAudit } from '../../src/acts/audit/verifyAudit.js';
import { checkpointSignatureValid, checkpointSigner } from '../../src/audit/chain/checkpoint.js';
import type { AuditEntry } from '../../src/audit/chain/record.js';
import type { AuditReader } from '../../src/audit/reader/auditReader.js';
import { cursorOf } from '../../src/audit/reader/cursor.js';
import { runReaderJob, type ReaderJob } from '../../src/audit/reader/readerJobs.js';
import { openAuditLog, type AuditLog } from '../../src/audit/writer/log.js';
import { refusalRecorder } from '../../src/audit/writer/refusals.js';
import { generateKeyring } from '../../src/keys/keyring.js';
import { createLogger } from '../../src/log.js';

const auditor: Principal = { id: 'auditor', role: 'auditor', sectors: new Set(), person: null, organisation: null };
const regulator: Principal = {
  id: 'regulator-cndp',
  role: 'regulator',
  sectors: new Set(['tax']),
  person: 'Amina',
  organisation: 'CNDP',
};

const entry = (client: string, outcome: AuditEntry['outcome'] = 'ok'): AuditEntry => ({
  act: 'reverse',
  client,
  person: 'Amina',
  organisation: 'CNDP',
  sector: 'tax',
  token: null,
  legalBasis: 'LOI-09-08-ART-4',
  caseId: 'C-1',
  purpose: 'p',
  outcome,
});

/** The reader thread's jobs, run on the caller's thread. */
const inProcessReader: AuditReader = {
  run: (async (job: ReaderJob) => runReaderJob(job)) as AuditReader['run'],
  close: async () => undefined,
};

let dir: string;
let own: AuditLog;
let deps: AuditDeps;
const logged: string[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sectoken-audit-acts-'));
  const keyring = generateKeyring([], false);
  const macKey = keyring.auditMac;
  // Another worker's chain in the same directory: three records, closed (its head marker written).
  const peer = openAuditLog({ dir, instance: 'worker-b', macKey });
  for (const client of ['b1', 'b2', 'b3']) await peer.append(entry(client));
  await peer.close();
  own = openAuditLog({ dir, instance: 'worker-a', macKey });
  for (const client of ['a1', 'a2', 'a3', 'a4']) await own.append(entry(client));
  await own.append(entry('a5', 'forbidden'));
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      logged.push(chunk.toString('utf8'));
      done();
    },
  });
  deps = {
    dir,
    log: own,
    macKey,
    signer: checkpointSigner(keyring.auditSigning),
    logger: createLogger('info', sink),
    refusals: refusalRecorder(own),
    issued: { last: undefined },
    reader: inProcessReader,
  };
});
afterAll(async () => {
  await deps?.refusals.close();
  await own?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('readAudit', () => {
  it('reads the records of every chain that verify, a page at a time after the cursor of the page before', async () => {
    const first = await readAudit(deps, auditor, { limit: 3, offset: 0 });
    expect(first.total).toBe(8);
    expect(first.offset).toBe(0);
    expect(first.records.map((r) => r.client)).toEqual(['b1', 'b2', 'b3']);
    expect(first.chains.map((c) => [c.file, c.records, c.verified])).toEqual([
      ['audit-worker-a.jsonl', 5, true],
      ['audit-worker-b.jsonl', 3, true],
    ]);
    const last = first.records.at(-1)!;
    expect(first.next).toBe(cursorOf({ time: last.time, id: last.id }));
    const second = await readAudit(deps, auditor, { limit: 3, offset: 0, after: first.next! });
    expect(second.records.map((r) => r.client)).toEqual(['a1', 'a2', 'a3']);
    const end = await readAudit(deps, auditor, { limit: 3, offset: 0, after: second.next! });
    expect(end.records.map((r) => r.client)).toEqual(['a4', 'a5']);
    expect(end.next).toBeNull();
  });

  it('answers the offset asked, and the filters', async () => {
    const page = await readAudit(deps, auditor, { limit: 10, offset: 1, outcome: 'forbidden' });
    expect(page).toMatchObject({ total: 1, offset: 1, records: [], next: null });
    const refused = await readAudit(deps, auditor, { limit: 10, offset: 0, outcome: 'forbidden' });
    expect(refused.records.map((r) => r.client)).toEqual(['a5']);
  });

  it('refuses a cursor it did not give, and any caller but an auditor', async () => {
    for (const after of ['', 'abc', cursorOf({ time: 'yesterday', id: 'worker-a:1' })])
      await expect(readAudit(deps, auditor, { limit: 3, offset: 0, after })).rejects.toMatchObject({
        code: 'invalid_request',
        message: 'after: not a cursor of this API (pass the `next` of the previous page as it came)',
      });
    await expect(readAudit(deps, regulator, { limit: 3, offset: 0 })).rejects.toMatchObject({ code: 'forbidden' });
  });
});

describe('auditStatsOf', () => {
  it('counts the records of every chain in the range, for auditors only', async () => {
    const stats = await auditStatsOf(deps, auditor, {});
    expect(stats.records).toBe(8);
    expect(stats.chains.map((c) => c.records)).toEqual([5, 3]);
    const none = await auditStatsOf(deps, auditor, { to: '2000-01-01T00:00:00.000Z' });
    expect(none.records).toBe(0);
    await expect(auditStatsOf(deps, regulator, {})).rejects.toMatchObject({ code: 'forbidden' });
  });
});

describe("this instance's own chain, read up to what is durable", () => {
  it('leaves out a record being written (past the durable size), in the pages and in the counts', async () => {
    const text = readFileSync(join(dir, 'audit-worker-a.jsonl'), 'utf8');
    const fourRecords = Buffer.byteLength(text.split('\n').slice(0, 4).join('\n') + '\n');
    const writing = { ...deps, log: { ...own, durableBytes: () => fourRecords } };
    const page = await readAudit(writing, auditor, { limit: 10, offset: 0 });
    expect([page.total, page.records.map((r) => r.client).at(-1)]).toEqual([7, 'a4']);
    const stats = await auditStatsOf(writing, auditor, {});
    expect([stats.records, stats.chains.map((c) => c.records)]).toEqual([7, [4, 3]]);
  });
});

describe('takeCheckpoint', () => {
  it("signs this instance's head as held in memory, keeps it as the last issued, and logs it", async () => {
    logged.length = 0;
    const before = new Date().toISOString();
    const checkpoint = await takeCheckpoint(deps, auditor);
    expect(checkpoint).toMatchObject({ instance: 'worker-a', size: 5, headHash: own.head().headHash });
    expect(checkpoint.time >= before && checkpoint.time <= new Date().toISOString()).toBe(true);
    expect(checkpointSignatureValid(checkpoint, deps.signer.publicKey)).toBe(true);
    expect(deps.issued.last).toBe(checkpoint);
    expect(logged).toHaveLength(1);
    const line = JSON.parse(logged[0]!) as { msg: string; checkpoint: object };
    expect(line.msg).toBe('audit checkpoint');
    expect(line.checkpoint).toEqual({
      instance: 'worker-a',
      size: 5,
      headHash: checkpoint.headHash,
      time: checkpoint.time,
      signature: checkpoint.signature,
    });
  });

  it("signs another worker's head once its chain verifies up to it, and keeps its own last checkpoint", async () => {
    const mine = await takeCheckpoint(deps, auditor, 'worker-a');
    expect(deps.issued.last).toBe(mine);
    const theirs = await takeCheckpoint(deps, auditor, 'worker-b');
    expect(theirs).toMatchObject({ instance: 'worker-b', size: 3 });
    expect(theirs.headHash).not.toBe(mine.headHash);
    expect(checkpointSignatureValid(theirs, deps.signer.publicKey)).toBe(true);
    expect(deps.issued.last).toBe(mine);
    await expect(takeCheckpoint(deps, auditor, 'worker-c')).rejects.toMatchObject({ code: 'not_found' });
  });

  it('is for auditors only', async () => {
    await expect(takeCheckpoint(deps, regulator)).rejects.toMatchObject({ code: 'forbidden' });
  });
});

describe('verifyAudit', () => {
  it("verifies every chain, this instance's against its head in memory and its last checkpoint, and the checkpoints kept", async () => {
    const kept = await takeCheckpoint(deps, auditor, 'worker-b');
    const last = await takeCheckpoint(deps, auditor);
    const report = await verifyAudit(deps, auditor, [kept]);
    expect(report.ok).toBe(true);
    expect(report.files.map((f) => [f.name, f.records])).toEqual([
      ['audit-worker-a.jsonl', 5],
      ['audit-worker-b.jsonl', 3],
    ]);
    expect(report.checkpoints.map((c) => [c.instance, c.size, c.ok])).toEqual([
      ['worker-a', 5, true],
      ['worker-b', 3, true],
    ]);
    expect(report.live).toMatchObject({
      instance: 'worker-a',
      ok: true,
      writable: true,
      lastCheckpoint: { size: 5, headHash: last.headHash, time: last.time },
    });
  });

  it('judges a kept checkpoint of another key as not holding, and checks none when none is kept', async () => {
    const other = checkpointSigner(generateKeyring([], false).auditSigning);
    const forged = other.sign({
      instance: 'worker-b',
      size: 3,
      headHash: own.head().headHash,
      time: new Date().toISOString(),
    });
    const report = await verifyAudit(deps, auditor, [forged]);
    expect(report.ok).toBe(false);
    expect(report.checkpoints.map((c) => [c.instance, c.ok])).toEqual([
      ['worker-a', true],
      ['worker-b', false],
    ]);
    expect((await verifyAudit(deps, auditor)).checkpoints).toHaveLength(1);
    await expect(verifyAudit(deps, regulator)).rejects.toMatchObject({ code: 'forbidden' });
  });
});
