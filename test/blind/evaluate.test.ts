/**
 * POST /v1/blind/evaluate and GET /v1/blind/keys/{sector} (docs/DERIVATION.md §10) on a real
 * service over a real socket: the interactive protocol through the client library gives the
 * token that translation into the blind sector computes without blinding; every refusal has its
 * code; each element counts against the caller's identities budget.
 */
import { rmSync } from 'node:fs';
import request from 'supertest';
import { blindTokens, BlindClientError } from '../../src/client/blind.js';
import { blind } from '../../src/derivation/blind/voprf.js';
import { bearer, devKey, listening, startTestService, type TestService } from '../helpers/service.js';
import { BLIND_BASIS, blindConfig } from './fixture.js';

const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64url');
const element = (): string => b64(blind(new TextEncoder().encode('AB123456')).blinded);
const PEOPLE = ['AB123456', 'K1', 'zz999999', ' A01 '];

let service: TestService;
let server: { url: string; close: () => Promise<void> };
beforeAll(async () => {
  service = startTestService({ config: blindConfig() });
  server = await listening(service.app);
});
afterAll(async () => {
  await server.close();
  await service.close();
  rmSync(service.dir, { recursive: true, force: true });
});

const evaluate = (blindedElements: unknown, client = 'registry-backend', sector = 'civil') =>
  request(service.app)
    .post('/v1/blind/evaluate')
    .set('Authorization', bearer(client))
    .send({ sector, blindedElements });

const translate = (fromSector: string, token: string, toSector: string) =>
  request(service.app)
    .post('/v1/translate')
    .set('Authorization', bearer('regulator-cndp'))
    .send({ fromSector, token, toSector, legalBasis: BLIND_BASIS, caseId: 'CASE-BLIND', purpose: 'Blind test' });

describe('blind tokens', () => {
  it("publishes the sector's public key and format per live key version", async () => {
    const res = await request(service.app).get('/v1/blind/keys/civil').set('Authorization', bearer('registry-backend'));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      sector: 'civil',
      suite: 'ristretto255-SHA512',
      mode: 'VOPRF',
      currentVersion: 1,
      minVersion: 1,
      format: { alphabet: 'crockford32', length: 22, checkCharacter: true, versionCharacters: 1 },
    });
    const publicKey = service.tokenizer().sector('civil').blindKeys!.get(1)!.publicKey;
    expect(res.body.keys).toEqual([{ keyVersion: 1, publicKey: b64(publicKey) }]);
  });

  it('when a backend blinds, the service evaluates and the backend finalizes, then its token is the one translation into the sector gives', async () => {
    const results = await blindTokens({ url: server.url, apiKey: devKey('registry-backend'), sector: 'civil' }, PEOPLE);
    expect(results.every((r) => 'token' in r && r.keyVersion === 1)).toBe(true);
    const tokens = results.map((r) => (r as { token: string }).token);
    expect(new Set(tokens).size).toBe(PEOPLE.length);
    for (const [i, person] of PEOPLE.entries()) {
      const tax = await request(service.app)
        .post('/v1/tokens')
        .set('Authorization', bearer('tax-backend'))
        .send({ sector: 'tax', nationalId: person });
      const translated = await translate('tax', tax.body.token, 'civil');
      expect(translated.status).toBe(200);
      expect(translated.body).toMatchObject({ toSector: 'civil', token: tokens[i], keyVersion: 1 });
    }
  });

  it('an invalid national ID is answered as such by the client and never sent', async () => {
    const results = await blindTokens({ url: server.url, apiKey: devKey('registry-backend'), sector: 'civil' }, [
      'not an id',
      'K1',
    ]);
    expect(results[0]).toEqual({ error: 'invalid_national_id' });
    expect(results[1]).toHaveProperty('token');
  });

  it("refuses a proof checked against another key than the sector's: a pinned key of another sector", async () => {
    const otherKey = b64(blind(new Uint8Array([1])).blinded); // some valid element, not civil's key
    const refused = blindTokens(
      { url: server.url, apiKey: devKey('registry-backend'), sector: 'civil', publicKeys: { 1: otherKey } },
      ['K1'],
    );
    await expect(refused).rejects.toThrow(BlindClientError);
    await expect(refused).rejects.toThrow('another public key');
  });

  it('reverse and translate out of a blind sector are not_reversible', async () => {
    const [result] = await blindTokens({ url: server.url, apiKey: devKey('registry-backend'), sector: 'civil' }, [
      'K1',
    ]);
    const token = (result as { token: string }).token;
    const out = await translate('civil', token, 'tax');
    expect(out.status).toBe(422);
    expect(out.body.error.code).toBe('not_reversible');
    const reverse = await request(service.app)
      .post('/v1/reverse')
      .set('Authorization', bearer('regulator-cndp'))
      .send({ sector: 'civil', token, legalBasis: BLIND_BASIS, caseId: 'CASE-BLIND', purpose: 'Blind test' });
    expect(reverse.status).toBe(422);
    expect(reverse.body.error.code).toBe('not_reversible');
  });

  it.each([
    ['the identity element', 'A'.repeat(43)],
    ['a non-canonical encoding (2^255 − 1)', b64(new Uint8Array(32).fill(0xff).map((x, i) => (i === 31 ? 0x7f : x)))],
    ['a negative field element', b64(new Uint8Array(32).fill(0).map((x, i) => (i === 0 ? 1 : x)))],
    ['31 bytes', b64(new Uint8Array(31).fill(7))],
    ['padded base64', element() + '='],
  ])('refuses %s as invalid_element, naming its index', async (_what, bad) => {
    const res = await evaluate([element(), bad]);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_element');
    expect(res.body.error.message).toContain('element 1');
  });

  it('refuses more elements than the batch bound as payload_too_large', async () => {
    const max = (service.config.limits as { maxBatchSize: number }).maxBatchSize;
    const res = await evaluate(Array.from({ length: max + 1 }, element));
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe('payload_too_large');
  });

  it('refuses a sector that is not blind, and national IDs sent for a blind sector, as policy_mismatch', async () => {
    const notBlind = await evaluate([element()], 'tax-backend', 'tax');
    expect(notBlind.status).toBe(422);
    expect(notBlind.body.error.code).toBe('policy_mismatch');
    const keys = await request(service.app).get('/v1/blind/keys/tax').set('Authorization', bearer('tax-backend'));
    expect(keys.body.error.code).toBe('policy_mismatch');
    for (const [path, body] of [
      ['/v1/tokens', { sector: 'civil', nationalId: 'K1' }],
      ['/v1/tokens/batch', { sector: 'civil', nationalIds: ['K1'] }],
    ] as const) {
      const res = await request(service.app).post(path).set('Authorization', bearer('registry-backend')).send(body);
      expect(res.status).toBe(422);
      expect(res.body.error.code).toBe('policy_mismatch');
    }
  });

  it('refuses a client out of the sector’s scope, and a regulator, as forbidden; an unknown sector as unknown_sector', async () => {
    expect((await evaluate([element()], 'tax-backend')).body.error.code).toBe('forbidden');
    expect((await evaluate([element()], 'regulator-cndp')).body.error.code).toBe('forbidden');
    const unknown = await evaluate([element()], 'registry-backend', 'nowhere');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('unknown_sector');
  });
});

describe('the identities budget', () => {
  let limited: TestService;
  beforeAll(() => {
    limited = startTestService({
      config: blindConfig({
        defaults: {},
        clients: { 'registry-backend': { identities: [{ points: 4, perSeconds: 3600 }] } },
      }),
    });
  });
  afterAll(async () => {
    await limited.close();
    rmSync(limited.dir, { recursive: true, force: true });
  });
  const post = (n: number) =>
    request(limited.app)
      .post('/v1/blind/evaluate')
      .set('Authorization', bearer('registry-backend'))
      .send({ sector: 'civil', blindedElements: Array.from({ length: n }, element) });

  it('counts every element: 3 pass, 2 more are rate_limited, and 5 at once could never pass', async () => {
    expect((await post(5)).body.error.code).toBe('batch_too_large');
    expect((await post(3)).status).toBe(200);
    const over = await post(2);
    expect(over.status).toBe(429);
    expect(over.body.error.code).toBe('rate_limited');
  });
});
