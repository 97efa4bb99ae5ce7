/**
 * The log-leak check (SPEC "HTTP API", "Operations"): after a mixed set of requests, the captured
 * pino logs hold request lines with request ids, and none of the national IDs (in any case form),
 * TNIs, tokens, API keys or key material.
 */
import request from 'supertest';
import { rmSync } from 'node:fs';
import { openKeyringFile } from '../../src/keys/store.js';
import { canonicalNationalId, rankNationalId } from '../../src/derivation/nationalId.js';
import { tniAscii, tniCipher } from '../../src/derivation/tni.js';
import { bearer, devConfig, startTestService, type TestService } from '../helpers/service.js';

/** Distinctive national IDs, each used only in this file; some sent in lower or mixed case. */
const IDS = {
  health: ['QJ731904', 'wx58203', 'Vy9'],
  tax: ['KZ640017', 'kz640018'],
  finance: ['HU250836', ' hu250837 '],
  social: ['XF119375'],
  telecom: ['PM804462', 'Pm804463'],
};
const INVALID_IDS = ['QJ7319045', 'QJX73190', 'Q\u0410731904'];
const FORBIDDEN_ID = 'RT552901';
const UNAUTHENTICATED_ID = 'YV338812';
const SECTOR_CLIENT: Record<string, string> = {
  health: 'hospital-backend',
  tax: 'tax-backend',
  finance: 'bank-backend',
  social: 'welfare-backend',
  telecom: 'bank-backend',
};
const WRONG_AUTHORIZATIONS = [
  'Bearer stk_live_Qm9nJzN5aXRoZXJlX3RoaXNfaXNfbm90X2Ffa2V5',
  'Basic c3RrX2Rldl9ob3NwaXRhbC1iYWNrZW5kOnNlY3JldA==',
  'Bearer stk_dev_hospital-backenX',
];

const canonical = (id: string): string => id.trim().toUpperCase();
const ALL_IDS = [...Object.values(IDS).flat(), ...INVALID_IDS, FORBIDDEN_ID, UNAUTHENTICATED_ID];

interface LogLine {
  level: number;
  msg?: string;
  req?: { id?: string; method?: string; path?: string };
  res?: { statusCode?: number };
  clientId?: string;
  route?: string;
}

let service: TestService;
const tokens: string[] = [];
const responseIds: string[] = [];
let requestCount = 0;

/** Records the X-Request-Id of every response, and the tokens of successful ones. */
function record(res: request.Response): request.Response {
  requestCount++;
  const id = res.headers['x-request-id'];
  expect(typeof id).toBe('string');
  responseIds.push(id!);
  const body = res.body as { token?: unknown; results?: { token?: unknown }[] };
  if (typeof body.token === 'string') tokens.push(body.token);
  for (const item of body.results ?? []) if (typeof item.token === 'string') tokens.push(item.token);
  return res;
}

afterAll(() => rmSync(service.dir, { recursive: true, force: true }));
beforeAll(async () => {
  service = startTestService();
  const app = service.app;
  for (const [sector, ids] of Object.entries(IDS)) {
    const auth = bearer(SECTOR_CLIENT[sector]!);
    for (const nationalId of ids) {
      expect(
        record(await request(app).post('/v1/tokens').set('Authorization', auth).send({ sector, nationalId })).status,
      ).toBe(200);
    }
    const batch = record(
      await request(app)
        .post('/v1/tokens/batch')
        .set('Authorization', auth)
        .send({ sector, nationalIds: [...ids, ...INVALID_IDS] }),
    );
    expect(batch.status).toBe(200);
    for (const nationalId of INVALID_IDS) {
      expect(
        record(await request(app).post('/v1/tokens').set('Authorization', auth).send({ sector, nationalId })).status,
      ).toBe(400);
    }
  }
  // Forbidden: a client outside its sectors, and a regulator.
  expect(
    record(
      await request(app)
        .post('/v1/tokens')
        .set('Authorization', bearer('hospital-backend'))
        .send({ sector: 'tax', nationalId: FORBIDDEN_ID }),
    ).status,
  ).toBe(403);
  expect(
    record(
      await request(app)
        .post('/v1/tokens')
        .set('Authorization', bearer('regulator-cndp'))
        .send({ sector: 'health', nationalId: FORBIDDEN_ID }),
    ).status,
  ).toBe(403);
  // Unauthenticated, with national IDs in the body.
  for (const auth of WRONG_AUTHORIZATIONS) {
    const res = record(
      await request(app)
        .post('/v1/tokens')
        .set('Authorization', auth)
        .send({ sector: 'health', nationalId: UNAUTHENTICATED_ID }),
    );
    expect(res.status).toBe(401);
  }
  expect(
    record(
      await request(app)
        .post('/v1/tokens/batch')
        .send({ sector: 'health', nationalIds: [UNAUTHENTICATED_ID] }),
    ).status,
  ).toBe(401);
  // Malformed and unknown-field bodies holding a national ID, and a national ID in the query string.
  expect(
    record(
      await request(app)
        .post('/v1/tokens')
        .set('Authorization', bearer('hospital-backend'))
        .set('Content-Type', 'application/json')
        .send(`{"sector":"health","nationalId":"${FORBIDDEN_ID}"`),
    ).status,
  ).toBe(400);
  expect(
    record(
      await request(app)
        .post('/v1/tokens')
        .set('Authorization', bearer('hospital-backend'))
        .send({ sector: 'health', nationalId: FORBIDDEN_ID, [FORBIDDEN_ID]: 1 }),
    ).status,
  ).toBe(400);
  expect(
    record(
      await request(app)
        .post(`/v1/tokens?nationalId=${FORBIDDEN_ID}`)
        .set('Authorization', bearer('hospital-backend'))
        .send({ sector: 'health', nationalId: 'A1' }),
    ).status,
  ).toBe(200);
  // Unknown sector and health routes.
  expect(
    record(
      await request(app)
        .post('/v1/tokens')
        .set('Authorization', bearer('hospital-backend'))
        .send({ sector: 'education', nationalId: FORBIDDEN_ID }),
    ).status,
  ).toBe(404);
  expect(record(await request(app).get('/healthz')).status).toBe(200);
});

describe('log leak check', () => {
  it('when requests were made, then the logs hold one request line per request, with its request id, method, path and status', () => {
    const lines = service
      .logs()
      .split('\n')
      .filter((l) => l.trim().length > 0)
      .map((l) => JSON.parse(l) as LogLine);
    const requestLines = lines.filter((l) => l.req !== undefined && l.res !== undefined);
    expect(requestLines).toHaveLength(requestCount);
    for (const line of requestLines) {
      expect(line.req?.id).toMatch(/^[A-Za-z0-9._-]{1,64}$/);
      expect(typeof line.req?.method).toBe('string');
      // The route's pattern, never the URL as sent.
      expect(['/v1/tokens', '/v1/tokens/batch', '/healthz', '/readyz', '(unmatched)']).toContain(line.route);
      expect(typeof line.res?.statusCode).toBe('number');
    }
    // Every X-Request-Id answered is the id of its log line.
    expect(requestLines.map((l) => l.req?.id).sort()).toEqual([...responseIds].sort());
    expect(new Set(responseIds).size).toBe(responseIds.length);
    // The statuses seen by clients are all in the logs, and the client id of authenticated ones.
    expect(new Set(requestLines.map((l) => l.res?.statusCode))).toEqual(new Set([200, 400, 401, 403, 404]));
    expect(requestLines.some((l) => l.clientId === 'hospital-backend')).toBe(true);
    // Neither the URL nor its query string is logged.
    expect(requestLines.every((l) => !('path' in (l.req ?? {})) && !('url' in (l.req ?? {})))).toBe(true);
  });

  it('when the logs are searched, then no submitted national ID appears in any case form', () => {
    const upper = service.logs().toUpperCase();
    expect(ALL_IDS.length).toBeGreaterThan(10);
    for (const id of ALL_IDS) {
      expect(upper).not.toContain(canonical(id));
    }
  });

  it('when the logs are searched, then no TNI of a submitted national ID appears', () => {
    const logs = service.logs();
    // Derived from the keyring itself (DERIVATION.md §2), independent of the service object.
    const keyring = openKeyringFile(
      service.settings.keyringPath,
      new Uint8Array(Buffer.from(service.settings.kek!, 'hex')),
    );
    const tnis = tniCipher(keyring.root);
    for (const id of Object.values(IDS).flat()) {
      const tni = tnis.fromRank(rankNationalId(canonicalNationalId(id)));
      expect(logs).not.toContain(Buffer.from(tniAscii(tni)).toString('ascii'));
      expect(logs).not.toContain(String(tni));
    }
  });

  it('when the logs are searched, then no token returned appears', () => {
    const logs = service.logs().toUpperCase();
    expect(tokens.length).toBeGreaterThanOrEqual(20);
    for (const token of tokens) expect(logs).not.toContain(token.toUpperCase());
  });

  it('when the logs are searched, then no API key (used or wrong), hash of one, or Authorization value appears', () => {
    const logs = service.logs();
    expect(logs).not.toContain('stk_');
    expect(logs).not.toMatch(/bearer|basic /i);
    for (const auth of WRONG_AUTHORIZATIONS) expect(logs).not.toContain(auth.split(' ')[1]!);
    for (const client of (devConfig() as { clients: { apiKeySha256: string }[] }).clients) {
      expect(logs).not.toContain(client.apiKeySha256);
    }
  });

  it('when the logs are searched, then neither the KEK nor any keyring key appears in hex, base64 or base64url', () => {
    const logs = service.logs();
    const kekHex = service.settings.kek!;
    expect(kekHex).toMatch(/^[0-9a-f]{64}$/);
    const kek = new Uint8Array(Buffer.from(kekHex, 'hex'));
    const keyring = openKeyringFile(service.settings.keyringPath, kek);
    const secrets: Uint8Array[] = [
      kek,
      keyring.root,
      keyring.cacheIndex,
      keyring.auditMac,
      new Uint8Array(Buffer.from(keyring.auditSigning.d, 'base64url')),
    ];
    for (const keys of keyring.sectors.values()) secrets.push(...keys.versions.values());
    expect(secrets.length).toBeGreaterThanOrEqual(10);
    for (const secret of secrets) {
      const bytes = Buffer.from(secret);
      for (const form of [bytes.toString('hex'), bytes.toString('base64'), bytes.toString('base64url')]) {
        expect(logs.toLowerCase()).not.toContain(form.toLowerCase().slice(0, 24));
      }
    }
  });
});

describe('request ids', () => {
  it('when a request is answered, then X-Request-Id is set (successes, errors, open routes)', async () => {
    const ok = await request(service.app).get('/healthz');
    const unauthenticated = await request(service.app).post('/v1/tokens').send({});
    for (const res of [ok, unauthenticated]) {
      expect(res.headers['x-request-id']).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    }
    expect(ok.headers['x-request-id']).not.toBe(unauthenticated.headers['x-request-id']);
  });

  it('when the caller gives a UUID as X-Request-Id, then it is echoed and logged', async () => {
    const given = '0b6c2a1e-9d3f-4c7a-8e21-5f4d3c2b1a09';
    const res = await request(service.app).get('/healthz').set('X-Request-Id', given);
    expect(res.headers['x-request-id']).toBe(given);
    expect(service.logs()).toContain(`"id":"${given}"`);
  });

  it('when the caller gives a national ID as X-Request-Id, then it is replaced and never logged', async () => {
    const res = await request(service.app).get('/healthz').set('X-Request-Id', 'QZ424242');
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(service.logs()).not.toContain('QZ424242');
  });

  it('when the caller gives a malformed X-Request-Id, then it is replaced and never logged', async () => {
    // Quotes, braces and spaces: an attempt to forge a log line (headers cannot carry a newline).
    const hostile = 'x"},{"level":60,"msg":"forged ' + 'x'.repeat(100);
    const res = await request(service.app).get('/healthz').set('X-Request-Id', hostile);
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(service.logs()).not.toContain('forged');
  });
});

describe('identifiers in the URL', () => {
  // A caller that puts a national ID in the path (e.g. a REST-style GET /v1/tokens/<id>) gets
  // 404; the request line must not write that national ID to the logs.
  it('when a national ID is put in the URL path, then the logs do not contain it', async () => {
    const own = startTestService();
    rmSync(own.dir, { recursive: true, force: true }); // the keyring is in memory once started
    const res = await request(own.app).get('/v1/tokens/NB907365').set('Authorization', bearer('hospital-backend'));
    expect(res.status).toBe(404);
    const unauthenticated = await request(own.app).get('/v1/tokens/NB907366');
    expect(unauthenticated.status).toBe(401);
    expect(own.logs()).toContain('request completed');
    expect(own.logs().toUpperCase()).not.toContain('NB907365');
    expect(own.logs().toUpperCase()).not.toContain('NB907366');
  });
});
