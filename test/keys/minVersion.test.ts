/**
 * A sector's stored minimum key version holds after the keyring is read again (reload or restart):
 * tokens of older versions are refused by upgrade and reverse, over HTTP. Were `minVersion` lost
 * on load, version 1 would stay live and its tokens would still open.
 */
import { rmSync } from 'node:fs';
import request from 'supertest';
import { createLogger } from '../../src/log.js';
import { rotateSector } from '../../src/keys/keyring.js';
import { openKeyringFile, saveKeyring } from '../../src/keys/store.js';
import { createService, type Service } from '../../src/service.js';
import { bearer, startTestService, type TestService } from '../helpers/service.js';

const act = { caseId: 'CASE-2026-MINV-1', purpose: 'Judicial request on a tax file' };

describe('minVersion on load', () => {
  let service: TestService;
  let restarted: Service | undefined;
  afterAll(async () => {
    await service.close();
    await restarted?.close();
    rmSync(service.dir, { recursive: true, force: true });
  });

  const upgrade = (s: Service, tokens: string[]) =>
    request(s.app)
      .post('/v1/tokens/upgrade')
      .set('Authorization', bearer('tax-backend'))
      .send({ sector: 'tax', tokens });
  const reverse = (s: Service, token: string) =>
    request(s.app)
      .post('/v1/reverse')
      .set('Authorization', bearer('regulator-cndp'))
      .send({ sector: 'tax', token, legalBasis: 'LOI-09-08-ART-4', ...act });

  it('when version 2 is current and minVersion is raised to 2, then version-1 tokens are refused after a reload and after a restart', async () => {
    service = startTestService();
    const v1 = (
      await request(service.app)
        .post('/v1/tokens')
        .set('Authorization', bearer('tax-backend'))
        .send({ sector: 'tax', nationalId: 'AB123456' })
    ).body.token as string;
    expect(v1).toMatch(/^1/);

    const kek = new Uint8Array(Buffer.from(service.settings.kek!, 'hex'));
    const keyring = openKeyringFile(service.settings.keyringPath, kek);
    rotateSector(keyring, 'tax');
    saveKeyring(service.settings.keyringPath, keyring, kek);
    service.reload();
    const up = await upgrade(service, [v1]);
    expect(up.status).toBe(200);
    const v2 = up.body.results[0].token as string;
    expect(v2).toMatch(/^2/);
    expect((await reverse(service, v1)).body.nationalId).toBe('AB123456'); // both versions live

    const again = openKeyringFile(service.settings.keyringPath, kek);
    again.sectors.get('tax')!.minVersion = 2;
    saveKeyring(service.settings.keyringPath, again, kek);
    expect(openKeyringFile(service.settings.keyringPath, kek).sectors.get('tax')!.minVersion).toBe(2);

    service.reload();
    restarted = createService({ ...service.settings, instanceId: 'restarted' }, createLogger('silent'));
    for (const s of [service, restarted]) {
      expect((await upgrade(s, [v1, v2])).body.results).toEqual([
        { error: 'token_retired' },
        { token: v2, keyVersion: 2 },
      ]);
      const refused = await reverse(s, v1);
      expect([refused.status, refused.body.error?.code]).toEqual([410, 'token_retired']);
      expect((await reverse(s, v2)).body.nationalId).toBe('AB123456');
    }
  });
});
