/**
 * What auditors read is what verifies (docs/AUDIT.md §6), through HTTP on real files: a forged
 * record in a foreign file, or a record modified in place, never reaches GET /v1/audit or
 * GET /v1/audit/stats, and each answer names the chains it read, whether each verified and up to
 * which record. Pages go by cursor: every record exactly once, however deep; `offset` is bounded.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { GENESIS, recordLine, sealRecord, type AuditRecord } from '../../src/audit/chain/record.js';
import { parseKek } from '../../src/keys/seal.js';
import { openKeyringFile } from '../../src/keys/store.js';
import { bearer, startTestService, type TestService } from '../helpers/service.js';

const services: TestService[] = [];
afterAll(async () => {
  for (const s of services) {
    await s.close().catch(() => undefined);
    rmSync(s.dir, { recursive: true, force: true });
  }
});
function start(): TestService {
  const service = startTestService();
  services.push(service);
  return service;
}

const get = (service: TestService, path: string) =>
  request(service.app).get(path).set('Authorization', bearer('auditor'));
const macKeyOf = (service: TestService): Uint8Array =>
  openKeyringFile(service.settings.keyringPath, parseKek(service.settings.kek!, 'test KEK')).auditMac;

/** n records of `instance`, all in one millisecond (ties broken by id), sealed under `macKey`. */
function chainText(macKey: Uint8Array, instance: string, n: number, act: AuditRecord['act'] = 'reverse'): string {
  let prev = GENESIS;
  let text = '';
  for (let seq = 1; seq <= n; seq++) {
    const record = sealRecord(
      macKey,
      {
        act,
        client: 'regulator-cndp',
        person: 'Amina Benali',
        organisation: 'CNDP',
        sector: 'tax',
        legalBasis: 'LOI-09-08-ART-4',
        caseId: `${instance}-${seq}`,
        purpose: 'p',
        outcome: 'ok',
      },
      { instance, seq, time: '2026-11-30T10:00:00.000Z', prev },
    );
    prev = record.hash;
    text += recordLine(record);
  }
  return text;
}

describe('records that do not verify are left out, and the answer names the chains', () => {
  const service = start();

  beforeAll(() => {
    const macKey = macKeyOf(service);
    writeFileSync(join(service.settings.auditDir, 'audit-peer.jsonl'), chainText(macKey, 'peer', 4));
    // A foreign file: well-formed, hashed and chained, but sealed under a key that is not the service's.
    writeFileSync(join(service.settings.auditDir, 'audit-evil.jsonl'), chainText(randomBytes(32), 'evil', 2, 'deny'));
  });

  it('when a foreign file holds forged denials, then neither the search nor the charts count them, and it is named as not verified', async () => {
    const page = await get(service, '/v1/audit?act=deny');
    expect(page.status).toBe(200);
    expect([page.body.total, page.body.records]).toEqual([0, []]);
    expect(page.body.chains).toEqual([
      {
        file: 'audit-evil.jsonl',
        instance: 'evil',
        records: 0,
        verified: false,
        firstBad: { line: 1, reason: expect.stringContaining('MAC invalid') },
      },
      { file: 'audit-peer.jsonl', instance: 'peer', records: 4, verified: true },
      { file: 'audit-test-instance.jsonl', instance: 'test-instance', records: 0, verified: true },
    ]);
    const stats = await get(service, '/v1/audit/stats');
    expect([stats.body.records, stats.body.requestsEnded.denied]).toEqual([4, 0]);
    expect(stats.body.chains).toEqual(page.body.chains);
  });

  it('when a record of a chain is modified in place, then it and the records after it are left out, and the chain says from which line', async () => {
    const path = join(service.settings.auditDir, 'audit-peer.jsonl');
    writeFileSync(path, readFileSync(path, 'utf8').replace('"caseId":"peer-3"', '"caseId":"peer-8"'));
    const page = await get(service, '/v1/audit');
    expect(page.body.records.map((r: AuditRecord) => r.caseId)).toEqual(['peer-1', 'peer-2']);
    expect(page.body.chains).toContainEqual({
      file: 'audit-peer.jsonl',
      instance: 'peer',
      records: 2,
      verified: false,
      firstBad: { line: 3, reason: expect.stringContaining('record modified') },
    });
    expect((await get(service, '/v1/audit/stats')).body.records).toBe(2);
  });
});

describe('paging', () => {
  const service = start();
  const PER_CHAIN = 23;

  beforeAll(() => {
    const macKey = macKeyOf(service);
    for (const instance of ['a', 'b', 'c'])
      writeFileSync(join(service.settings.auditDir, `audit-${instance}.jsonl`), chainText(macKey, instance, PER_CHAIN));
  });

  it('when an auditor follows `next` page after page, then every record comes exactly once, in time then id order', async () => {
    const whole = await get(service, '/v1/audit?limit=500');
    const expected = (whole.body.records as AuditRecord[]).map((r) => r.id);
    expect(expected).toHaveLength(3 * PER_CHAIN);
    const seen: string[] = [];
    let next: string | null = null;
    let pages = 0;
    do {
      const res: request.Response = await get(service, `/v1/audit?limit=7${next === null ? '' : `&after=${next}`}`);
      expect(res.status).toBe(200);
      expect(res.body.total).toBe(3 * PER_CHAIN);
      seen.push(...(res.body.records as AuditRecord[]).map((r) => r.id));
      next = res.body.next as string | null;
      pages += 1;
    } while (next !== null && pages < 100);
    expect(seen).toEqual(expected);
    expect(pages).toBe(Math.ceil((3 * PER_CHAIN) / 7));
  });

  it('when an auditor asks order=desc, then `next` pages from the newest record back to the oldest, each once', async () => {
    const whole = await get(service, '/v1/audit?limit=500');
    const expected = (whole.body.records as AuditRecord[]).map((r) => r.id).reverse();
    const seen: string[] = [];
    let next: string | null = null;
    let pages = 0;
    do {
      const res: request.Response = await get(
        service,
        `/v1/audit?order=desc&limit=10${next === null ? '' : `&after=${next}`}`,
      );
      expect([res.status, res.body.total]).toEqual([200, 3 * PER_CHAIN]);
      seen.push(...(res.body.records as AuditRecord[]).map((r) => r.id));
      next = res.body.next as string | null;
      pages += 1;
    } while (next !== null && pages < 100);
    expect(seen).toEqual(expected);
    expect((await get(service, '/v1/audit?order=newest')).status).toBe(400);
  });

  it('when a filter is given, then the cursor pages through the matching records only', async () => {
    const first = await get(service, '/v1/audit?client=regulator-cndp&caseId=b-5&limit=1');
    expect([first.body.total, first.body.records.length, first.body.next]).toEqual([1, 1, null]);
  });

  it('when offset is deeper than 10000 or the cursor is not one the API gave, then 400 invalid_request', async () => {
    expect((await get(service, '/v1/audit?offset=10000')).status).toBe(200);
    for (const query of [
      'offset=10001',
      'offset=150000',
      'after=bm90IGEgY3Vyc29y',
      'after=%00',
      `after=${'A'.repeat(300)}`,
    ]) {
      const res = await get(service, `/v1/audit?${query}`);
      expect([query, res.status, res.body.error?.code]).toEqual([query, 400, 'invalid_request']);
    }
  });
});
