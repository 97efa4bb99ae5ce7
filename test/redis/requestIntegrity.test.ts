/**
 * Dual-control requests that cannot be walked past through Redis, with two instances on a real
 * Redis: whoever can write to Redis cannot approve, re-open, extend or swap a request; a decision
 * or a release whose audit record cannot be written takes no effect on any instance.
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import type { AuditRecord } from '../../src/audit/chain/record.js';
import type { Service } from '../../src/service.js';
import { bearer, startTestService, type TestService } from '../helpers/service.js';
import {
  askReverse,
  configWith,
  randomNationalIds,
  redisReady,
  redisSettings,
  secondInstance,
  sharedRedis,
  twoInstances,
  type InstancePair,
  type SharedTestRedis,
} from './helpers.js';

const recordsOf = (service: TestService, instance: string): AuditRecord[] => {
  try {
    return readFileSync(join(service.settings.auditDir, `audit-${instance}.jsonl`), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as AuditRecord);
  } catch {
    return [];
  }
};
const approve = (s: Service, id: string, client = 'regulator-health') =>
  request(s.app).post(`/v1/requests/${id}/approve`).set('Authorization', bearer(client));
const read = (s: Service, id: string, client = 'regulator-cndp') =>
  request(s.app).get(`/v1/requests/${id}`).set('Authorization', bearer(client));

describe('request integrity in Redis', () => {
  let shared: SharedTestRedis;
  let a: TestService;
  let b: Service;
  const key = (id: string): string => `${shared.prefix}{req}:${id}`;
  const healthToken = (id: string): string => a.tokenizer().tokenize('health', id).token;
  let pair: InstancePair | undefined;

  beforeAll(async () => {
    pair = await twoInstances(configWith());
    ({ shared, a, b } = pair);
  });
  afterAll(() => pair?.close());

  it('holds nothing readable: one sealed value per request, no state, person or case in clear', async () => {
    const [nid] = randomNationalIds(1) as [string];
    const id = await askReverse(a, healthToken(nid));
    const value = (await shared.client.get(key(id)))!;
    expect(value).toMatch(/^[A-Za-z0-9_-]+$/);
    for (const clear of ['pending', 'regulator-cndp', 'Amina', 'CASE-2026', 'health', nid])
      expect(value).not.toContain(clear);
  });

  it('when the value is overwritten, then every act on it is refused as tampered, and the refusal recorded', async () => {
    const id = await askReverse(a, healthToken(randomNationalIds(1)[0]!));
    const value = (await shared.client.get(key(id)))!;
    const flipped = value.slice(0, 40) + (value[40] === 'A' ? 'B' : 'A') + value.slice(41);
    await shared.client.set(key(id), flipped, 'KEEPTTL');
    const res = await approve(b, id);
    expect([res.status, res.body.error.code]).toEqual([409, 'request_tampered']);
    expect(recordsOf(a, 'b').at(-1)).toMatchObject({
      act: 'approve',
      client: 'regulator-health',
      requestId: id,
      outcome: 'request_tampered',
    });
    const collect = await read(a, id);
    expect([collect.status, collect.body.error.code]).toEqual([409, 'request_tampered']);
    expect(recordsOf(a, 'a').at(-1)).toMatchObject({ act: 'release', requestId: id, outcome: 'request_tampered' });
  });

  it('when a forged state is written as a hash (HSET state approved), then collecting is refused as tampered', async () => {
    const id = await askReverse(a, healthToken(randomNationalIds(1)[0]!));
    await shared.client.del(key(id));
    await shared.client.hset(key(id), { state: 'approved', decidedBy: 'regulator-health' });
    const res = await read(b, id);
    expect([res.status, res.body.error.code]).toEqual([409, 'request_tampered']);
    expect(JSON.stringify(res.body)).not.toMatch(/nationalId/);
  });

  it("when an approved request's value is copied over a pending one, then the pending one is not released", async () => {
    const [x, y] = randomNationalIds(2) as [string, string];
    const approvedId = await askReverse(a, healthToken(x));
    const pendingId = await askReverse(a, healthToken(y));
    expect((await approve(b, approvedId)).status).toBe(200);
    await shared.client.set(key(pendingId), (await shared.client.get(key(approvedId)))!, 'KEEPTTL');
    const res = await read(a, pendingId);
    expect([res.status, res.body.error.code]).toEqual([409, 'request_tampered']);
    expect(JSON.stringify(res.body)).not.toContain(x);
  });

  it('when the approved value is put back after the release, then the instance that released refuses a second release', async () => {
    const [nid] = randomNationalIds(1) as [string];
    const id = await askReverse(a, healthToken(nid));
    expect((await approve(b, id)).status).toBe(200);
    const approvedValue = (await shared.client.get(key(id)))!;
    const first = await read(a, id);
    expect(first.body).toMatchObject({ status: 'released', nationalId: nid });
    await shared.client.set(key(id), approvedValue, 'KEEPTTL');
    const second = await read(a, id);
    expect([second.status, second.body.error?.code]).toEqual([409, 'request_tampered']);
    expect(JSON.stringify(second.body)).not.toContain(nid);
  });

  it("when the key's time to live is extended, then the request still expires at its sealed time", async () => {
    const id = await askReverse(a, healthToken(randomNationalIds(1)[0]!));
    await shared.client.persist(key(id));
    const realNow = b.regulators.now;
    b.regulators.now = () => realNow() + 3600_000;
    try {
      const late = await approve(b, id);
      expect([late.status, late.body.error.code]).toEqual([410, 'request_expired']);
    } finally {
      b.regulators.now = realNow;
    }
  });
});

describe('a decision or release whose record fails takes no effect, on any instance', () => {
  let shared: SharedTestRedis;
  let a: TestService;
  let b: Service;
  let c: Service;
  const healthToken = (id: string): string => a.tokenizer().tokenize('health', id).token;

  beforeAll(async () => {
    shared = await sharedRedis();
    a = startTestService({
      config: configWith(),
      settings: { instanceId: 'a', redis: redisSettings({ url: shared.url }, shared.prefix) },
    });
    b = secondInstance(a, 'b');
    c = secondInstance(a, 'c');
    await Promise.all([redisReady(a), redisReady(b), redisReady(c)]);
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await c?.close();
    await shared?.cleanup();
  });

  it('when B cannot record an approval, then it answers 503, the request stays pending everywhere, and C may approve it', async () => {
    const [x, y] = randomNationalIds(2) as [string, string];
    const id = await askReverse(a, healthToken(x));
    // A second request approved on C before B's log goes, to collect through B below.
    const approvedId = await askReverse(a, healthToken(y));
    expect((await approve(c, approvedId)).status).toBe(200);

    rmSync(join(a.settings.auditDir, 'audit-b.jsonl'));
    const refused = await approve(b, id);
    expect([refused.status, refused.body.error.code]).toEqual([503, 'audit_unavailable']);
    expect(recordsOf(a, 'b').some((r) => r.act === 'approve' && r.requestId === id)).toBe(false);

    const onA = await read(a, id);
    expect([onA.status, onA.body.state]).toEqual([200, 'pending']);
    const alias = await request(a.app).get(`/v1/reverse/requests/${id}`).set('Authorization', bearer('regulator-cndp'));
    expect(alias.status).toBe(202);

    expect((await approve(c, id)).status).toBe(200);
    expect((await read(a, id)).body).toMatchObject({ status: 'released', nationalId: x });

    // A release that B cannot record is undone: the requester collects it on A instead.
    const onB = await read(b, approvedId);
    expect([onB.status, onB.body.error.code]).toEqual([503, 'audit_unavailable']);
    expect(JSON.stringify(onB.body)).not.toContain(y);
    expect((await read(a, approvedId)).body).toMatchObject({ status: 'released', nationalId: y });
  });
});
