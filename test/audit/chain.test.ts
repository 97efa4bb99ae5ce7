/**
 * The audit log at unit level (src/audit/writer/log.ts): durability before append resolves, ordering under
 * concurrency (group commit), continuation of the chain across restarts, recovery of a cut tail,
 * and, through the real HTTP service, that no national ID ever reaches a record.
 */
import { randomBytes } from 'node:crypto';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { auditFileName } from '../../src/audit/chain/files.js';
import { openAuditLog, type AuditLog } from '../../src/audit/writer/log.js';
import { GENESIS, type AuditEntry, type AuditRecord } from '../../src/audit/chain/record.js';
import { verifyAudit } from '../../src/audit/chain/verify.js';
import { bearer, startTestService } from '../helpers/service.js';

const INSTANCE = 'unit-instance';
const dirs: string[] = [];
const logs: AuditLog[] = [];

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sectoken-audit-chain-'));
  dirs.push(dir);
  return dir;
}

function open(dir: string, macKey: Uint8Array): AuditLog {
  const log = openAuditLog({ dir, instance: INSTANCE, macKey });
  logs.push(log);
  return log;
}

const entry = (i: number): AuditEntry => ({
  act: 'reverse',
  client: 'regulator-cndp',
  sector: 'tax',
  token: `TOK${i}`,
  legalBasis: 'LOI-09-08-ART-4',
  caseId: `CASE-${i}`,
  purpose: 'unit test',
  outcome: 'ok',
});

const fileOf = (dir: string): string => join(dir, auditFileName(INSTANCE));
const linesOf = (dir: string): string[] => readFileSync(fileOf(dir), 'utf8').split('\n').filter(Boolean);
const recordsOf = (dir: string): AuditRecord[] => linesOf(dir).map((l) => JSON.parse(l) as AuditRecord);
const verify = (dir: string, macKey: Uint8Array) =>
  verifyAudit([{ name: auditFileName(INSTANCE), text: readFileSync(fileOf(dir), 'utf8') }], { macKey });

afterAll(async () => {
  for (const log of logs) await log.close().catch(() => undefined);
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('audit log: durability and order', () => {
  it('when append resolves, then its record is already in the file, and head() counts only durable records', async () => {
    const dir = tempDir();
    const macKey = randomBytes(32);
    const log = open(dir, macKey);
    expect(log.writable()).toBe(true);
    expect(log.head()).toEqual({ size: 0, headHash: GENESIS });

    const pending = log.append(entry(1));
    // Not yet durable: the checkpointed head must not claim it.
    expect(log.head().size).toBe(0);
    const record = await pending;
    // Read synchronously right after resolution: nothing else could have written it in between.
    const lines = linesOf(dir);
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toEqual(record);
    expect(record).toMatchObject({ seq: 1, id: `${INSTANCE}:1`, instance: INSTANCE, prev: GENESIS, caseId: 'CASE-1' });
    expect(log.head()).toEqual({ size: 1, headHash: record.hash });

    const second = await log.append(entry(2));
    expect(recordsOf(dir).at(-1)).toEqual(second);
    expect(second.prev).toBe(record.hash);
    expect(statSync(fileOf(dir)).mode & 0o777).toBe(0o600);
  });

  it('when 200 appends arrive at once, then all resolve, in order, seq 1..200, with a valid chain', async () => {
    const dir = tempDir();
    const macKey = randomBytes(32);
    const log = open(dir, macKey);
    const results = await Promise.all(Array.from({ length: 200 }, (_, i) => log.append(entry(i + 1))));

    expect(results.map((r) => r.seq)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    expect(results.map((r) => r.caseId)).toEqual(Array.from({ length: 200 }, (_, i) => `CASE-${i + 1}`));
    const onDisk = recordsOf(dir);
    expect(onDisk.map((r) => r.seq)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    expect(onDisk).toEqual(results);
    for (let i = 1; i < onDisk.length; i++) expect(onDisk[i]!.prev).toBe(onDisk[i - 1]!.hash);
    expect(new Set(onDisk.map((r) => r.id)).size).toBe(200);

    const report = verify(dir, macKey);
    expect(report.ok).toBe(true);
    expect(report.macChecked).toBe(true);
    expect(report.files[0]).toMatchObject({ instance: INSTANCE, records: 200, headHash: results[199]!.hash });
    expect(log.head()).toEqual({ size: 200, headHash: results[199]!.hash });
  });

  it('when appends arrive in waves while a sync runs, then every wave is durable and ordered', async () => {
    const dir = tempDir();
    const macKey = randomBytes(32);
    const log = open(dir, macKey);
    const all: Promise<AuditRecord>[] = [];
    for (let wave = 0; wave < 5; wave++) {
      for (let i = 0; i < 20; i++) all.push(log.append(entry(wave * 20 + i + 1)));
      await new Promise((r) => setImmediate(r));
    }
    const results = await Promise.all(all);
    expect(results.map((r) => r.seq)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    expect(recordsOf(dir)).toEqual(results);
    expect(verify(dir, macKey).ok).toBe(true);
  });
});

describe('audit log: restarts', () => {
  it('when the log is closed and reopened, then the chain continues (seq and prev) and verifies', async () => {
    const dir = tempDir();
    const macKey = randomBytes(32);
    const first = open(dir, macKey);
    await Promise.all([1, 2, 3].map((i) => first.append(entry(i))));
    const head = first.head();
    await first.close();

    const second = open(dir, macKey);
    expect(second.head()).toEqual(head);
    const next = await second.append(entry(4));
    expect(next.seq).toBe(4);
    expect(next.id).toBe(`${INSTANCE}:4`);
    expect(next.prev).toBe(head.headHash);
    await second.close();

    const third = open(dir, macKey);
    const last = await Promise.all([5, 6].map((i) => third.append(entry(i))));
    expect(last.map((r) => r.seq)).toEqual([5, 6]);
    expect(recordsOf(dir).map((r) => r.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    const report = verify(dir, macKey);
    expect(report.ok).toBe(true);
    expect(report.files[0]!.records).toBe(6);
  });

  it('when the last line is cut short (a write cut before its fsync), then reopening cuts it and the chain goes on', async () => {
    const dir = tempDir();
    const macKey = randomBytes(32);
    const first = open(dir, macKey);
    const written = await Promise.all([1, 2].map((i) => first.append(entry(i))));
    await first.close();
    const goodSize = statSync(fileOf(dir)).size;
    const goodText = readFileSync(fileOf(dir), 'utf8');

    appendFileSync(fileOf(dir), '{"v":1,"id":"unit-instance:3","seq":3,"time":"2026-');
    // The verifier reports the cut tail as it stands.
    const before = verify(dir, macKey);
    expect(before.ok).toBe(false);
    expect(before.files[0]!.firstBad).toEqual({ line: 3, reason: expect.stringContaining('cut short') });

    const second = open(dir, macKey);
    expect(statSync(fileOf(dir)).size).toBe(goodSize);
    expect(readFileSync(fileOf(dir), 'utf8')).toBe(goodText);
    expect(second.head()).toEqual({ size: 2, headHash: written[1]!.hash });
    const next = await second.append(entry(3));
    expect(next).toMatchObject({ seq: 3, prev: written[1]!.hash });
    const report = verify(dir, macKey);
    expect(report.ok).toBe(true);
    expect(report.files[0]!.records).toBe(3);
  });

  it('when the file holds nothing but a partial line, then reopening empties it and the chain starts at 1', async () => {
    const dir = tempDir();
    const macKey = randomBytes(32);
    writeFileSync(fileOf(dir), '{"v":1,"id":"unit-instance:1","se', { mode: 0o600 });
    const log = open(dir, macKey);
    expect(statSync(fileOf(dir)).size).toBe(0);
    expect(log.head()).toEqual({ size: 0, headHash: GENESIS });
    const first = await log.append(entry(1));
    expect(first).toMatchObject({ seq: 1, prev: GENESIS });
    expect(verify(dir, macKey).ok).toBe(true);
  });
});

describe('audit records never hold a national ID', () => {
  const service = startTestService();
  afterAll(async () => {
    await service.close();
    rmSync(service.dir, { recursive: true, force: true });
  });

  it('when a regulator reverses a token over HTTP, then the answer has the national ID and the audit file does not', async () => {
    const nationalIds = ['ZQ987654', 'XK314159'];
    const returned: string[] = [];
    for (const given of nationalIds) {
      const tokenRes = await request(service.app)
        .post('/v1/tokens')
        .set('Authorization', bearer('tax-backend'))
        .send({ sector: 'tax', nationalId: given.toLowerCase() });
      expect(tokenRes.status).toBe(200);
      const token = tokenRes.body.token as string;
      const res = await request(service.app).post('/v1/reverse').set('Authorization', bearer('regulator-cndp')).send({
        sector: 'tax',
        token,
        legalBasis: 'LOI-09-08-ART-4',
        caseId: 'CASE-PII-1',
        purpose: 'check that no ID is logged',
      });
      expect(res.status).toBe(200);
      expect(res.body.nationalId).toBe(given);
      returned.push(res.body.nationalId as string);
      // A refused attempt on the same token is audited too.
      const refused = await request(service.app)
        .post('/v1/reverse')
        .set('Authorization', bearer('tax-backend'))
        .send({ sector: 'tax', token, legalBasis: 'LOI-09-08-ART-4', caseId: 'CASE-PII-2', purpose: 'refused' });
      expect(refused.status).toBe(403);
    }

    const text = readFileSync(join(service.settings.auditDir, 'audit-test-instance.jsonl'), 'utf8');
    const records = text
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as AuditRecord);
    expect(records.filter((r) => r.act === 'reverse' && r.outcome === 'ok')).toHaveLength(2);
    expect(records.filter((r) => r.outcome === 'forbidden')).toHaveLength(2);
    for (const id of returned) {
      expect(text).not.toContain(id);
      expect(text.toLowerCase()).not.toContain(id.toLowerCase());
      // Nor its digits alone in any field but the hex digests (where six digits may occur by chance).
      for (const r of records) expect(JSON.stringify({ ...r, hash: '', prev: '', mac: '' })).not.toContain(id.slice(2));
    }
  });

  // A national ID sent by mistake where a token goes must not reach the log (src/audit/writer/tokenForAudit.ts).
  it('when a caller sends a national ID in the token field, then the refusal is audited without it', async () => {
    const nationalId = 'QW271828';
    const before = readFileSync(join(service.settings.auditDir, 'audit-test-instance.jsonl'), 'utf8')
      .split('\n')
      .filter(Boolean).length;
    const res = await request(service.app).post('/v1/reverse').set('Authorization', bearer('regulator-cndp')).send({
      sector: 'tax',
      token: nationalId,
      legalBasis: 'LOI-09-08-ART-4',
      caseId: 'CASE-PII-3',
      purpose: 'national ID given as a token',
    });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_token');
    const text = readFileSync(join(service.settings.auditDir, 'audit-test-instance.jsonl'), 'utf8');
    const records = text
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as AuditRecord);
    expect(records).toHaveLength(before + 1);
    expect(records.at(-1)).toMatchObject({ act: 'reverse', caseId: 'CASE-PII-3', outcome: 'invalid_token' });
    expect(text).not.toContain(nationalId);
  });
});
