/**
 * A `digits` sector rotated through every version its one version character tells apart, over
 * HTTP: at every step every token ever issued is either re-issued for its own person or refused as
 * `token_retired`; a regulator's reverse of a retired token is refused, never answered with
 * somebody else (DERIVATION.md §4). The rotation after the tenth is refused (test/cli/keys.test.ts
 * shows it through the real CLI).
 */
import { rmSync } from 'node:fs';
import request from 'supertest';
import { unrankNationalId, NATIONAL_ID_COUNT } from '../../src/derivation/nationalId.js';
import { rotateSector } from '../../src/keys/keyring.js';
import { openKeyringFile, saveKeyring } from '../../src/keys/store.js';
import { bearer, startTestService, type TestService } from '../helpers/service.js';

const people = Array.from({ length: 20 }, (_, i) => unrankNationalId((i * 38_999_963 + 5) % NATIONAL_ID_COUNT));
const act = { legalBasis: 'CNDP-D-97-2020', caseId: 'CASE-2026-ROT-1', purpose: 'Judicial request on a hospital file' };

describe('rotating a digits sector past its radix, over HTTP', () => {
  let service: TestService;
  afterAll(async () => {
    await service.close();
    rmSync(service.dir, { recursive: true, force: true });
  });

  const batch = async (): Promise<string[]> => {
    const r = await request(service.app)
      .post('/v1/tokens/batch')
      .set('Authorization', bearer('hospital-backend'))
      .send({ sector: 'health', nationalIds: people });
    expect(r.status).toBe(200);
    return (r.body.results as { token: string }[]).map((x) => x.token);
  };

  it('when versions 1..10 are made and all but the last two retired, then every token names its own person or is refused as retired', async () => {
    service = startTestService();
    const kek = new Uint8Array(Buffer.from(service.settings.kek!, 'hex'));
    const issued: { token: string; person: number; version: number }[] = [];
    for (let version = 1; version <= 10; version++) {
      if (version > 1) {
        const keyring = openKeyringFile(service.settings.keyringPath, kek);
        expect(rotateSector(keyring, 'health', 10)).toBe(version);
        keyring.sectors.get('health')!.minVersion = version - 1;
        saveKeyring(service.settings.keyringPath, keyring, kek);
        service.reload();
      }
      (await batch()).forEach((token, person) => issued.push({ token, person, version }));
      const current = await batch();
      const up = await request(service.app)
        .post('/v1/tokens/upgrade')
        .set('Authorization', bearer('hospital-backend'))
        .send({ sector: 'health', tokens: issued.map((t) => t.token) });
      expect(up.status).toBe(200);
      issued.forEach((t, i) => {
        const want =
          t.version < version - 1 ? { error: 'token_retired' } : { token: current[t.person], keyVersion: version };
        expect([t.version, up.body.results[i]]).toEqual([t.version, want]);
      });
    }

    const retired = issued.find((t) => t.version === 1)!;
    const r = await request(service.app)
      .post('/v1/reverse')
      .set('Authorization', bearer('regulator-cndp'))
      .send({ sector: 'health', token: retired.token, ...act });
    expect([r.status, r.body.error?.code]).toEqual([410, 'token_retired']);
    expect(JSON.stringify(r.body)).not.toContain(people[retired.person]);
    // Version 10 is written with 0, version 9 with 9: both live, each its own key.
    const live = issued.filter((t) => t.version >= 9);
    expect(new Set(live.map((t) => t.token[0]))).toEqual(new Set(['9', '0']));
    const pending = await request(service.app)
      .post('/v1/reverse')
      .set('Authorization', bearer('regulator-cndp'))
      .send({ sector: 'health', token: live[0]!.token, ...act });
    expect(pending.status).toBe(202);
  });
});
