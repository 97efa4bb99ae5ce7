/**
 * The vectors of the independent Python implementation (test/vectors/blind-reference.json,
 * docs/DERIVATION.md §10) through a real service over a real socket: with the vectors' sector
 * keys in its keyring, it publishes the vectors' public keys, evaluates the vectors' blinded
 * elements to the vectors' evaluated elements with a proof that verifies, and the client library,
 * with the vectors' public keys pinned, gives every person the vectors' token.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { blindTokens } from '../../src/client/blind.js';
import { verifyProof } from '../../src/derivation/blind/voprf.js';
import { generateKeyring } from '../../src/keys/keyring.js';
import { newKek } from '../../src/keys/seal.js';
import { saveKeyring } from '../../src/keys/store.js';
import { bearer, devConfig, devKey, listening, startTestService, type TestService } from '../helpers/service.js';

interface BlindReference {
  sectors: Record<string, { format: Record<string, unknown>; versions: number[] }>;
  keys: { sector: string; version: number; sectorKey: string; pkS: string; pkSBase64url: string }[];
  batches: {
    sector: string;
    version: number;
    people: { nationalId: string; blindedElement: string; evaluationElement: string; token: string }[];
  }[];
}
const vectors = JSON.parse(readFileSync('test/vectors/blind-reference.json', 'utf8')) as BlindReference;
const SECTORS = Object.keys(vectors.sectors);
const current = (sector: string): number => Math.max(...vectors.sectors[sector]!.versions);
const b64 = (hex: string): string => Buffer.from(hex, 'hex').toString('base64url');
const bytes = (text: string, encoding: 'hex' | 'base64url'): Uint8Array => new Uint8Array(Buffer.from(text, encoding));
const CLIENT = 'registry-backend';

let service: TestService;
let server: { url: string; close: () => Promise<void> };
beforeAll(async () => {
  // The sample configuration with the vectors' blind sectors, in scope of the sample's blind client.
  const sample = devConfig() as { sectors: Record<string, unknown>; clients: { id: string; sectors: string[] }[] };
  const config = {
    ...sample,
    sectors: { ...sample.sectors, ...Object.fromEntries(SECTORS.map((s) => [s, vectors.sectors[s]!.format])) },
    clients: sample.clients.map((c) =>
      c.id === CLIENT ? { ...c, sectors: [...new Set([...c.sectors, ...SECTORS])] } : c,
    ),
    rateLimits: { defaults: {}, clients: {} },
  };
  // A fresh keyring whose blind sectors hold the vectors' sector keys, sealed before the start.
  const dir = mkdtempSync(join(tmpdir(), 'sectoken-blind-reference-'));
  const keyring = generateKeyring(Object.keys(config.sectors), false);
  for (const sector of SECTORS) {
    const versions = vectors.sectors[sector]!.versions;
    keyring.sectors.set(sector, {
      current: current(sector),
      minVersion: Math.min(...versions),
      versions: new Map(
        vectors.keys.filter((k) => k.sector === sector).map((k) => [k.version, bytes(k.sectorKey, 'base64url')]),
      ),
    });
  }
  const kek = newKek();
  saveKeyring(join(dir, 'keyring.json'), keyring, bytes(kek, 'hex'));
  service = startTestService({ config, dir, kek });
  server = await listening(service.app);
});
afterAll(async () => {
  await server.close();
  await service.close();
  rmSync(service.dir, { recursive: true, force: true });
});

describe('the Python reference vectors through the service', () => {
  it.each(SECTORS)("%s: GET /v1/blind/keys publishes the vectors' public key of every live version", async (sector) => {
    const res = await request(service.app).get(`/v1/blind/keys/${sector}`).set('Authorization', bearer(CLIENT));
    expect(res.status).toBe(200);
    expect(res.body.keys).toEqual(
      vectors.keys
        .filter((k) => k.sector === sector)
        .map((k) => ({ keyVersion: k.version, publicKey: k.pkSBase64url })),
    );
  });

  it.each(SECTORS)(
    "%s: POST /v1/blind/evaluate gives the vectors' evaluated elements under the current version, with a proof that verifies",
    async (sector) => {
      const version = current(sector);
      const people = vectors.batches
        .filter((b) => b.sector === sector && b.version === version)
        .flatMap((b) => b.people);
      const res = await request(service.app)
        .post('/v1/blind/evaluate')
        .set('Authorization', bearer(CLIENT))
        .send({ sector, blindedElements: people.map((p) => b64(p.blindedElement)) });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ sector, keyVersion: version });
      expect(res.body.evaluatedElements).toEqual(people.map((p) => b64(p.evaluationElement)));
      const pkS = vectors.keys.find((k) => k.sector === sector && k.version === version)!.pkS;
      expect(
        verifyProof(
          bytes(pkS, 'hex'),
          people.map((p) => bytes(p.blindedElement, 'hex')),
          people.map((p) => bytes(p.evaluationElement, 'hex')),
          bytes(res.body.proof as string, 'base64url'),
        ),
      ).toBe(true);
    },
  );

  it.each(SECTORS)(
    "%s: the client library, the vectors' keys pinned, gives each person the vectors' token",
    async (sector) => {
      const version = current(sector);
      const people = vectors.batches
        .filter((b) => b.sector === sector && b.version === version)
        .flatMap((b) => b.people);
      const publicKeys = Object.fromEntries(
        vectors.keys.filter((k) => k.sector === sector).map((k) => [k.version, k.pkSBase64url]),
      );
      const results = await blindTokens(
        { url: server.url, apiKey: devKey(CLIENT), sector, publicKeys },
        people.map((p) => p.nationalId),
      );
      expect(results).toEqual(people.map((p) => ({ token: p.token, keyVersion: version })));
    },
  );
});
