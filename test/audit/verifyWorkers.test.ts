/**
 * Workers (docs/AUDIT.md §4): each worker writes its own chain in one audit directory, and
 * whichever worker answers GET /v1/audit/checkpoint signs a checkpoint of any of them with
 * ?instance=; the offline verifier accepts it against the other worker's file. A chain that no
 * longer verifies up to its head marker gets no checkpoint; an unknown instance is 404.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import type { Checkpoint } from '../../src/audit/chain/checkpoint.js';
import { auditFiles } from '../../src/audit/reader/read.js';
import { verifyAudit } from '../../src/audit/chain/verify.js';
import { createLogger } from '../../src/log.js';
import { createService, type Service } from '../../src/service.js';
import { bearer, startTestService, type TestService } from '../helpers/service.js';

let w1: TestService;
let w2: Service;

beforeAll(() => {
  w1 = startTestService({ settings: { instanceId: 'host-w1' } });
  // The second worker: same keyring, configuration and directory, its own chain.
  w2 = createService({ ...w1.settings, instanceId: 'host-w2' }, createLogger('silent'));
});
afterAll(async () => {
  await w2.close();
  await w1.close();
  rmSync(w1.dir, { recursive: true, force: true });
});

async function reverseOn(service: Service, n: number): Promise<void> {
  const token = (
    await request(service.app)
      .post('/v1/tokens')
      .set('Authorization', bearer('tax-backend'))
      .send({ sector: 'tax', nationalId: 'AB123456' })
  ).body.token as string;
  for (let i = 0; i < n; i++) {
    const res = await request(service.app)
      .post('/v1/reverse')
      .set('Authorization', bearer('regulator-cndp'))
      .send({ sector: 'tax', token, legalBasis: 'LOI-09-08-ART-4', caseId: `C-${i}`, purpose: 'workers' });
    expect(res.status).toBe(200);
  }
}

const checkpointFrom = (service: Service, query = '') =>
  request(service.app).get(`/v1/audit/checkpoint${query}`).set('Authorization', bearer('auditor'));

it("when worker 1 is asked for worker 2's checkpoint, then it signs worker 2's durable head, and the offline verifier accepts it", async () => {
  await reverseOn(w1, 2);
  await reverseOn(w2, 3);
  const own = await checkpointFrom(w1);
  expect(own.body).toMatchObject({ instance: 'host-w1', size: 2 });
  const other = await checkpointFrom(w1, '?instance=host-w2');
  expect(other.status).toBe(200);
  expect(other.body).toMatchObject({
    format: 'sectoken-checkpoint/1',
    instance: 'host-w2',
    size: 3,
    headHash: (await checkpointFrom(w2)).body.headHash,
  });
  const report = verifyAudit(auditFiles(w1.settings.auditDir), {
    checkpoints: [own.body as Checkpoint, other.body as Checkpoint],
    trustedPublicKey: (own.body as Checkpoint).publicKey,
  });
  expect(report.checkpoints.map((c) => c.ok)).toEqual([true, true]);
  expect(report.ok).toBe(true);
  // GET /v1/audit/verify on either worker reports both chains.
  const verify = await request(w2.app).get('/v1/audit/verify').set('Authorization', bearer('auditor'));
  expect((verify.body.files as { instance: string }[]).map((f) => f.instance).sort()).toEqual(['host-w1', 'host-w2']);
});

it('when the instance has no chain in the directory, then 404; when it is not an instance name, then 400', async () => {
  expect((await checkpointFrom(w1, '?instance=host-w9')).status).toBe(404);
  expect((await checkpointFrom(w1, '?instance=..%2Fx')).status).toBe(400);
});

it("when worker 2's file was rewritten behind its back, then worker 1 signs no checkpoint of it", async () => {
  const path = join(w1.settings.auditDir, 'audit-host-w2.jsonl');
  const text = readFileSync(path, 'utf8');
  writeFileSync(path, text.replace('"caseId":"C-0"', '"caseId":"C-X"'));
  const res = await checkpointFrom(w1, '?instance=host-w2');
  expect(res.status).toBe(503);
  expect(res.body.error.code).toBe('audit_unavailable');
});
