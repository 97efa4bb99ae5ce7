/**
 * Two instances on one Redis (SPEC "Redis", scale-out): the same tokens, and dual-control
 * requests that any instance can decide or release, with the release handed out exactly once
 * even when both instances race for it, and an expiry seen by all.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AuditRecord } from '../../src/audit/chain/record.js';
import type { Service } from '../../src/service.js';
import request from 'supertest';
import { bearer, type TestService } from '../helpers/service.js';
import {
  approve,
  askReverse,
  configWith,
  deny,
  fetchResult,
  randomNationalIds,
  tokenize,
  tokenizeBatch,
  twoInstances,
  type InstancePair,
} from './helpers.js';

const auditOf = (a: TestService, instance: string): AuditRecord[] =>
  readFileSync(join(a.settings.auditDir, `audit-${instance}.jsonl`), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as AuditRecord);

describe('two instances sharing Redis', () => {
  let a: TestService;
  let b: Service;
  let pair: InstancePair | undefined;

  beforeAll(async () => {
    // No token cache in Redis here: equal tokens must come from the shared keyring, not the cache.
    pair = await twoInstances(configWith({ cache: { redis: { reversible: false, 'one-way': false } } }));
    ({ a, b } = pair);
  });
  afterAll(() => pair?.close());

  const healthToken = (id: string): string => a.tokenizer().tokenize('health', id).token;

  it('when A and B tokenize the same people, then they give identical tokens in every sector', async () => {
    const ids = randomNationalIds(4);
    for (const sector of ['health', 'tax', 'finance', 'social', 'telecom']) {
      const fromA = await tokenizeBatch(a, sector, ids);
      const fromB = await tokenizeBatch(b, sector, ids);
      expect([fromA.status, fromB.status]).toEqual([200, 200]);
      expect(fromB.body.results).toEqual(fromA.body.results);
      const single = await tokenize(b, sector, ids[0]!.toLowerCase());
      expect(single.body.token).toBe(fromA.body.results[0].token);
    }
  });

  it('when a request is made on A, then B sees it pending and approves it, and A releases the national ID once', async () => {
    const [id] = randomNationalIds(1) as [string];
    const requestId = await askReverse(a, healthToken(id));
    const pending = await fetchResult(b, requestId);
    expect([pending.status, pending.body.status]).toEqual([202, 'pending']);

    const approved = await approve(b, requestId);
    expect([approved.status, approved.body.status]).toEqual([200, 'approved']);
    const twice = await approve(a, requestId);
    expect([twice.status, twice.body.error?.code]).toEqual([409, 'request_closed']);

    const released = await fetchResult(a, requestId);
    expect([released.status, released.body.status, released.body.nationalId]).toEqual([200, 'released', id]);
    for (const service of [a, b]) {
      const again = await fetchResult(service, requestId);
      expect([again.status, again.body.error?.code]).toEqual([409, 'request_closed']);
    }
    // Each instance audited its own acts in its own chain.
    expect(
      auditOf(a, 'a')
        .filter((r) => r.requestId === requestId)
        .map((r) => `${r.act}:${r.outcome}`),
    ).toEqual(['reverse-request:pending', 'approve:request_closed', 'release:ok', 'release:request_closed']);
    expect(
      auditOf(a, 'b')
        .filter((r) => r.requestId === requestId)
        .map((r) => `${r.act}:${r.outcome}`),
    ).toEqual(['approve:ok', 'release:request_closed']);
  });

  it('when a request is denied on B, then A cannot fetch it', async () => {
    const [id] = randomNationalIds(1) as [string];
    const requestId = await askReverse(a, healthToken(id));
    expect((await deny(b, requestId)).body.status).toBe('denied');
    const res = await fetchResult(a, requestId);
    expect([res.status, res.body.error?.code]).toEqual([409, 'request_closed']);
    expect(JSON.stringify(res.body)).not.toContain(id);
  });

  it('when A and B race to fetch an approved result, then exactly one gets the national ID and the other request_closed', async () => {
    const ids = randomNationalIds(8);
    const requestIds: string[] = [];
    for (const id of ids) {
      const requestId = await askReverse(a, healthToken(id));
      requestIds.push(requestId);
      expect((await approve(b, requestId)).status).toBe(200);
      const answers = await Promise.all([fetchResult(a, requestId), fetchResult(b, requestId)]);
      const ok = answers.filter((r) => r.status === 200);
      const closed = answers.filter((r) => r.status === 409);
      expect(ok).toHaveLength(1);
      expect(ok[0]!.body).toMatchObject({ status: 'released', requestId, nationalId: id });
      expect(closed).toHaveLength(1);
      expect(closed[0]!.body.error.code).toBe('request_closed');
      expect(JSON.stringify(closed[0]!.body)).not.toContain(id);
    }
    // Each race left one `release ok` and one `release request_closed`, over the two chains.
    const releases = [...auditOf(a, 'a'), ...auditOf(a, 'b')].filter((r) => r.act === 'release');
    for (const requestId of requestIds) {
      expect(
        releases
          .filter((r) => r.requestId === requestId)
          .map((r) => r.outcome)
          .sort(),
      ).toEqual(['ok', 'request_closed']);
    }
  });

  it('when A sweeps a request past its time, then B answers 410 request_expired to a decision and to a fetch', async () => {
    const [x, y] = randomNationalIds(2) as [string, string];
    const pendingId = await askReverse(a, healthToken(x));
    const approvedId = await askReverse(a, healthToken(y));
    expect((await approve(b, approvedId)).status).toBe(200);

    const realNow = a.regulators.now;
    a.regulators.now = () => realNow() + 3600_000;
    try {
      expect(await a.expireRequests()).toBeGreaterThanOrEqual(1);
    } finally {
      a.regulators.now = realNow;
    }
    expect(
      auditOf(a, 'a').some((r) => r.act === 'expire' && r.requestId === pendingId && r.outcome === 'expired'),
    ).toBe(true);

    const late = await approve(b, pendingId);
    expect([late.status, late.body.error?.code]).toEqual([410, 'request_expired']);
    const lateFetch = await fetchResult(b, pendingId);
    expect([lateFetch.status, lateFetch.body.error?.code]).toEqual([410, 'request_expired']);
    expect(JSON.stringify(lateFetch.body)).not.toContain(x);
    const view = await request(b.app).get(`/v1/requests/${pendingId}`).set('Authorization', bearer('regulator-health'));
    expect([view.status, view.body.state]).toEqual([200, 'expired']);
    expect(
      auditOf(a, 'a').some((r) => r.act === 'expire' && r.requestId === approvedId && r.outcome === 'expired'),
    ).toBe(true);

    // The approved request was swept too: its result can no longer be collected anywhere.
    const realNowB = b.regulators.now;
    b.regulators.now = () => realNowB() + 3600_000;
    try {
      const expired = await fetchResult(b, approvedId);
      expect([expired.status, expired.body.error?.code]).toEqual([410, 'request_expired']);
    } finally {
      b.regulators.now = realNowB;
    }
    const afterwards = await fetchResult(a, approvedId);
    expect([afterwards.status, afterwards.body.error?.code]).toEqual([410, 'request_expired']);
  });
  it('when A and B sweep at the same time, then each overdue request is expired once, with one expire record', async () => {
    const ids = randomNationalIds(3);
    const requestIds: string[] = [];
    for (const id of ids) requestIds.push(await askReverse(a, healthToken(id)));
    const [realA, realB] = [a.regulators.now, b.regulators.now];
    a.regulators.now = () => realA() + 3600_000;
    b.regulators.now = () => realB() + 3600_000;
    let counts: number[];
    try {
      counts = await Promise.all([a.expireRequests(), b.expireRequests()]);
    } finally {
      a.regulators.now = realA;
      b.regulators.now = realB;
    }
    expect(counts[0]! + counts[1]!).toBe(3);
    const expires = [...auditOf(a, 'a'), ...auditOf(a, 'b')].filter(
      (r) => r.act === 'expire' && requestIds.includes(r.requestId!),
    );
    expect(expires.map((r) => r.requestId).sort()).toEqual([...requestIds].sort());
    for (const requestId of requestIds) {
      const res = await approve(b, requestId);
      expect([res.status, res.body.error?.code]).toEqual([410, 'request_expired']);
    }
  });
});
