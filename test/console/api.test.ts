/**
 * The console's endpoints through HTTP (supertest, in process): GET /v1/me, GET /v1/legal-bases,
 * GET /v1/audit/stats, the new filters of GET /v1/audit, and the console's static files with their
 * Content-Security-Policy. Every answer of the new endpoints matches what /openapi.json documents.
 */
import { generateKeyPairSync, sign } from 'node:crypto';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import AjvModule from 'ajv/dist/2020.js';
import request from 'supertest';
import { checkpointMessage, type Checkpoint } from '../../src/audit/chain/checkpoint.js';
import { CONSOLE_CSP, CONSOLE_DIR } from '../../src/http/routes/console.js';
import { bearer, SAMPLE_CNDP_BASIS, startTestService, type TestService } from '../helpers/service.js';
import { act, tokenOf } from '../acts/helpers.js';

type Json = Record<string, unknown>;
const Ajv2020 = AjvModule.default;
const ajv = new Ajv2020({ strict: false, allErrors: true });

let service: TestService;
let doc: {
  paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: Json }> }> }>>;
  components: Json;
};

beforeAll(async () => {
  service = startTestService();
  doc = (await request(service.app).get('/openapi.json')).body;
});
afterAll(() => rmSync(service.dir, { recursive: true, force: true }));

const get = (client: string, path: string) => request(service.app).get(path).set('Authorization', bearer(client));
const post = (client: string, path: string, body: object = {}) =>
  request(service.app).post(path).set('Authorization', bearer(client)).send(body);

/** The answer is documented for its path and status, and its body matches the documented schema. */
function expectDocumented(path: string, res: request.Response, method: 'get' | 'post' = 'get'): void {
  const schema = doc.paths[path]?.[method]?.responses[String(res.status)]?.content?.['application/json']?.schema;
  expect(schema).toBeDefined();
  const validate = ajv.compile({ ...schema!, components: doc.components });
  const valid = validate(res.body);
  expect(valid ? [] : validate.errors).toEqual([]);
}

/** Without identities windows (the tests' configuration), the batch limit is limits.maxBatchSize. */
const NO_LIMITS = { batchSize: 1000, identities: [] };

describe('GET /v1/me', () => {
  it.each([
    [
      'regulator-cndp',
      {
        client: 'regulator-cndp',
        role: 'regulator',
        person: 'Amina Benali (investigator)',
        organisation: 'CNDP',
        sectors: ['finance', 'health', 'social', 'tax', 'telecom'],
        limits: NO_LIMITS,
      },
    ],
    [
      'auditor',
      { client: 'auditor', role: 'auditor', person: null, organisation: null, sectors: [], limits: NO_LIMITS },
    ],
    [
      'hospital-backend',
      {
        client: 'hospital-backend',
        role: 'service',
        person: null,
        organisation: null,
        sectors: ['health'],
        limits: NO_LIMITS,
      },
    ],
    [
      'operator',
      { client: 'operator', role: 'operator', person: null, organisation: null, sectors: [], limits: NO_LIMITS },
    ],
  ])('when %s asks, then it is told who it is', async (client, expected) => {
    const res = await get(client, '/v1/me');
    expect([res.status, res.body]).toEqual([200, expected]);
    expectDocumented('/v1/me', res);
  });

  it('when the key is wrong, then 401 unauthenticated, and other methods 405', async () => {
    const res = await request(service.app).get('/v1/me').set('Authorization', 'Bearer stk_wrong');
    expect([res.status, res.body.error.code]).toEqual([401, 'unauthenticated']);
    expect((await post('auditor', '/v1/me')).status).toBe(405);
  });
});

describe('GET /v1/legal-bases', () => {
  it('when a regulator asks, then it gets every basis with what it covers', async () => {
    const res = await get('regulator-health', '/v1/legal-bases');
    expect(res.status).toBe(200);
    expect(res.body.legalBases.map((b: { id: string }) => b.id)).toEqual([
      'CNDP-D-97-2020',
      'LOI-09-08-ART-4',
      'CSS-FRAUD-2026',
    ]);
    expect(res.body.legalBases[0]).toEqual(SAMPLE_CNDP_BASIS);
    expectDocumented('/v1/legal-bases', res);
  });

  it.each(['auditor', 'hospital-backend', 'operator'])('when %s asks, then 403 forbidden', async (client) => {
    const res = await get(client, '/v1/legal-bases');
    expect([res.status, res.body.error.code]).toEqual([403, 'forbidden']);
    expectDocumented('/v1/legal-bases', res);
  });
});

describe('GET /v1/audit/stats and the audit filters', () => {
  const today = new Date().toISOString().slice(0, 10);

  beforeAll(async () => {
    // Done at once (no dual control on tax under LOI-09-08-ART-4).
    expect(
      (
        await post('regulator-cndp', '/v1/reverse', {
          sector: 'tax',
          token: await tokenOf(service, 'tax', 'ST100'),
          legalBasis: 'LOI-09-08-ART-4',
          ...act,
        })
      ).status,
    ).toBe(200);
    // Refused: the basis does not cover translate.
    expect(
      (
        await post('regulator-cndp', '/v1/translate', {
          fromSector: 'tax',
          toSector: 'social',
          token: await tokenOf(service, 'tax', 'ST101'),
          legalBasis: 'LOI-09-08-ART-4',
          ...act,
        })
      ).status,
    ).toBe(403);
    // Dual control: one released, one denied.
    const health = await tokenOf(service, 'health', 'ST102');
    const ask = async () =>
      (
        await post('regulator-cndp', '/v1/reverse', {
          sector: 'health',
          token: health,
          legalBasis: 'CNDP-D-97-2020',
          ...act,
        })
      ).body.requestId as string;
    const released = await ask();
    expect((await post('regulator-health', `/v1/requests/${released}/approve`)).status).toBe(200);
    expect((await get('regulator-cndp', `/v1/requests/${released}`)).body.nationalId).toBe('ST102');
    const denied = await ask();
    expect((await post('regulator-health', `/v1/requests/${denied}/deny`)).status).toBe(200);
  });

  it('when an auditor asks, then acts are counted per day by regulator and legal basis, refusals by code, and how requests ended', async () => {
    const res = await get('auditor', '/v1/audit/stats');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      from: null,
      to: null,
      records: 7,
      days: [today],
      actsByRegulator: [{ day: today, key: 'regulator-cndp', count: 3 }],
      actsByLegalBasis: [
        { day: today, key: 'CNDP-D-97-2020', count: 2 },
        { day: today, key: 'LOI-09-08-ART-4', count: 1 },
      ],
      refusalsByCode: [{ day: today, key: 'forbidden', count: 1 }],
      failuresByCode: [],
      requestsEnded: { released: 1, denied: 1, expired: 0 },
      chains: [{ file: 'audit-test-instance.jsonl', instance: 'test-instance', records: 7, verified: true }],
    });
    expectDocumented('/v1/audit/stats', res);
  });

  it('when a range is given, then only its records are counted; a malformed one is 400; a non-auditor 403', async () => {
    const past = await get('auditor', '/v1/audit/stats?from=2020-01-01T00:00:00Z&to=2020-01-02T00:00:00Z');
    expect([past.status, past.body.records, past.body.days, past.body.requestsEnded]).toEqual([
      200,
      0,
      [],
      { released: 0, denied: 0, expired: 0 },
    ]);
    expect((await get('auditor', `/v1/audit/stats?from=${today}T00:00:00Z`)).body.records).toBe(7);
    const bad = await get('auditor', '/v1/audit/stats?from=yesterday');
    expect([bad.status, bad.body.error.code]).toEqual([400, 'invalid_request']);
    expectDocumented('/v1/audit/stats', bad);
    const refused = await get('regulator-cndp', '/v1/audit/stats');
    expect([refused.status, refused.body.error.code]).toEqual([403, 'forbidden']);
    expect((await post('auditor', '/v1/audit/stats')).status).toBe(405);
  });

  it('when GET /v1/audit is filtered by legal basis, act and outcome, then only those records come back', async () => {
    const byBasis = await get('auditor', '/v1/audit?legalBasis=LOI-09-08-ART-4');
    expect(byBasis.body.records.map((r: { act: string; outcome: string }) => `${r.act}:${r.outcome}`)).toEqual([
      'reverse:ok',
      'translate:forbidden',
    ]);
    const byAct = await get('auditor', '/v1/audit?act=approve&outcome=ok');
    expect([byAct.body.total, byAct.body.records[0].client]).toEqual([1, 'regulator-health']);
    const refusals = await get('auditor', '/v1/audit?outcome=forbidden&client=regulator-cndp');
    expect(refusals.body.total).toBe(1);
    const paged = await get('auditor', '/v1/audit?legalBasis=CNDP-D-97-2020&limit=2&offset=2');
    expect([paged.body.total, paged.body.offset, paged.body.records.length]).toEqual([5, 2, 2]);
    // A page is that slice of the whole sorted listing (only offset + limit records are held to make it).
    const whole = await get('auditor', '/v1/audit?legalBasis=CNDP-D-97-2020');
    expect(paged.body.records.map((r: { id: string }) => r.id)).toEqual(
      whole.body.records.slice(2, 4).map((r: { id: string }) => r.id),
    );
    const bad = await get('auditor', '/v1/audit?act=tokenize');
    expect([bad.status, bad.body.error.code]).toEqual([400, 'invalid_request']);
  });
});

describe('POST /v1/audit/verify', () => {
  interface Report {
    ok: boolean;
    checkpoints: { instance: string; size: number; ok: boolean; reason?: string }[];
    live: { lastCheckpoint: unknown };
  }

  it('when an auditor gives checkpoints kept off-host, then each is judged: one of this log holds, a changed or foreign one does not', async () => {
    const reversed = await post('regulator-cndp', '/v1/reverse', {
      sector: 'tax',
      token: await tokenOf(service, 'tax', 'EF222222'),
      legalBasis: 'LOI-09-08-ART-4',
      caseId: 'KEPT-1',
      purpose: 'a record to checkpoint',
    });
    expect(reversed.status).toBe(200);
    const kept = (await get('auditor', '/v1/audit/checkpoint')).body as Json;
    const changed = { ...kept, size: (kept.size as number) + 1 };
    // Well formed and validly signed, but by another key than this service's.
    const other = generateKeyPairSync('ed25519');
    const publicKey = (other.publicKey.export({ format: 'jwk' }) as { x: string }).x;
    const foreign = {
      ...kept,
      publicKey,
      signature: sign(null, checkpointMessage(kept as unknown as Checkpoint), other.privateKey).toString('base64url'),
    };
    const res = await post('auditor', '/v1/audit/verify', { checkpoints: [kept, changed, foreign] });
    expect(res.status).toBe(200);
    expectDocumented('/v1/audit/verify', res, 'post');
    const report = res.body as Report;
    // The last one this process issued comes first, then the given ones in order.
    expect(report.checkpoints.map((c) => c.ok)).toEqual([true, true, false, false]);
    expect(report.checkpoints[2]!.reason).toMatch(/signature invalid/);
    expect(report.checkpoints[3]!.reason).toMatch(/signature invalid/);
    expect(report.ok).toBe(false);
    expect((await post('auditor', '/v1/audit/verify', { checkpoints: [kept] })).body.ok).toBe(true);
  });

  it.each<[string, object]>([
    ['no checkpoints', {}],
    ['an empty list', { checkpoints: [] }],
    [
      '101 checkpoints',
      {
        checkpoints: Array(101).fill({
          format: 'f',
          instance: 'i',
          size: 0,
          headHash: 'h',
          time: 't',
          publicKey: 'k',
          signature: 's',
        }),
      },
    ],
    [
      'an unknown field',
      {
        checkpoints: [
          { format: 'f', instance: 'i', size: 0, headHash: 'h', time: 't', publicKey: 'k', signature: 's', extra: 1 },
        ],
      },
    ],
    [
      'a negative size',
      {
        checkpoints: [
          { format: 'f', instance: 'i', size: -1, headHash: 'h', time: 't', publicKey: 'k', signature: 's' },
        ],
      },
    ],
  ])('when the body has %s, then 400 invalid_request', async (_what, body) => {
    const res = await post('auditor', '/v1/audit/verify', body);
    expect([res.status, res.body.error.code]).toEqual([400, 'invalid_request']);
  });

  it('when the checkpoint is not a sectoken checkpoint, then it is reported as such, not guessed at', async () => {
    const res = await post('auditor', '/v1/audit/verify', {
      checkpoints: [
        {
          format: 'other/2',
          instance: 'x',
          size: 0,
          headHash: '0'.repeat(64),
          time: '2026-11-30T00:00:00.000Z',
          publicKey: 'k',
          signature: 's',
        },
      ],
    });
    expect(res.status).toBe(200);
    expect((res.body as Report).checkpoints.at(-1)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/not a sectoken checkpoint/),
    });
  });

  it('when anyone but an auditor asks, then 403', async () => {
    const res = await post('regulator-cndp', '/v1/audit/verify', {
      checkpoints: [{ format: 'f', instance: 'i', size: 0, headHash: 'h', time: 't', publicKey: 'k', signature: 's' }],
    });
    expect([res.status, res.body.error.code]).toEqual([403, 'forbidden']);
  });
});

describe('/console/', () => {
  it('when the console is fetched, then it is served under the strict Content-Security-Policy, without authentication', async () => {
    // npm test builds dist/ first (npm run build includes the console).
    expect(existsSync(join(CONSOLE_DIR, 'index.html'))).toBe(true);
    const page = await request(service.app).get('/console/');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.headers['content-security-policy']).toBe(CONSOLE_CSP);
    expect(CONSOLE_CSP).toBe(
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; object-src 'none'; base-uri 'none'; form-action 'none'",
    );
    expect(page.text).toMatch(/<script type="module" src="app.js"><\/script>/);
    expect(page.text).not.toMatch(/<script>|<style|style=|https?:\/\//);
    const script = await request(service.app).get('/console/app.js');
    expect([script.status, script.headers['content-type']]).toEqual([200, expect.stringMatching(/javascript/)]);
    expect((await request(service.app).get('/console/app.css')).headers['content-security-policy']).toBe(CONSOLE_CSP);
    expect((await request(service.app).get('/console')).status).toBe(301);
  });

  it('when the bundle is read, then it fetches nothing from elsewhere and evaluates no strings', async () => {
    const script = (await request(service.app).get('/console/app.js')).text;
    expect(script).not.toMatch(/\bnew Function\(|\beval\(/);
    expect(script).not.toMatch(/fetch\(["'`]https?:/);
  });

  it('when another method or a missing file is asked, then 405 or 404', async () => {
    const posted = await request(service.app).post('/console/');
    expect([posted.status, posted.headers.allow, posted.body.error.code]).toEqual([
      405,
      'GET, HEAD',
      'method_not_allowed',
    ]);
    const missing = await request(service.app).get('/console/nothing.js');
    expect([missing.status, missing.body.error.code]).toEqual([404, 'not_found']);
  });
});
