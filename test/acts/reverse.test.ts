import request from 'supertest';
import { parseKek } from '../../src/keys/seal.js';
import { openKeyringFile, saveKeyring } from '../../src/keys/store.js';
import { rotateSector } from '../../src/keys/keyring.js';
import { bearer, startTestService, type TestService } from '../helpers/service.js';
import { act, auditRecords, lastRecord, tokenOf } from './helpers.js';

const reverse = (service: TestService, client: string | null, body: object) => {
  const r = request(service.app).post('/v1/reverse').send(body);
  return client ? r.set('Authorization', bearer(client)) : r;
};

describe('reverse', () => {
  const service = startTestService();

  it.each([['tax'], ['finance']])(
    'when a regulator in scope reverses a %s token under a covering basis, then it gets the national ID, audited',
    async (sector) => {
      const token = await tokenOf(service, sector, 'ab123456');
      const res = await reverse(service, 'regulator-cndp', { sector, token, legalBasis: 'LOI-09-08-ART-4', ...act });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        nationalId: 'AB123456',
        keyVersion: 1,
        auditId: expect.stringMatching(/^test-instance:\d+$/),
      });
      const record = lastRecord(service);
      expect(record).toMatchObject({
        id: res.body.auditId,
        act: 'reverse',
        client: 'regulator-cndp',
        sector,
        token,
        legalBasis: 'LOI-09-08-ART-4',
        caseId: act.caseId,
        purpose: act.purpose,
        outcome: 'ok',
      });
      expect(JSON.stringify(auditRecords(service))).not.toContain('AB123456');
    },
  );

  it('when the sector is one-way, then not_reversible (422), audited', async () => {
    const token = await tokenOf(service, 'social', 'AB123456');
    const res = await reverse(service, 'regulator-cndp', {
      sector: 'social',
      token,
      legalBasis: 'LOI-09-08-ART-4',
      ...act,
    });
    // No basis can allow reversing a one-way token: said before the basis is looked at, so a
    // regulator is not sent looking for one (LOI-09-08-ART-4 does not cover social either).
    expect([res.status, res.body.error.code]).toEqual([422, 'not_reversible']);
    const other = await request(service.app)
      .post('/v1/reverse')
      .set('Authorization', bearer('regulator-cndp'))
      .send({ sector: 'social', token, legalBasis: 'CNDP-D-97-2020', ...act });
    expect([other.status, other.body.error.code]).toEqual([422, 'not_reversible']);
  });

  it.each<[string, string | null, object, number, string]>([
    ['a service client', 'tax-backend', { legalBasis: 'LOI-09-08-ART-4' }, 403, 'forbidden'],
    ['an auditor', 'auditor', { legalBasis: 'LOI-09-08-ART-4' }, 403, 'forbidden'],
    ['a regulator out of scope', 'regulator-health', { legalBasis: 'LOI-09-08-ART-4' }, 403, 'forbidden'],
    ['a basis that does not cover the sector', 'regulator-cndp', { legalBasis: 'CSS-FRAUD-2026' }, 403, 'forbidden'],
    ['an unknown basis', 'regulator-cndp', { legalBasis: 'FREE-TEXT' }, 403, 'forbidden'],
    ['no basis', 'regulator-cndp', {}, 400, 'legal_basis_required'],
    ['a blank basis', 'regulator-cndp', { legalBasis: '   ' }, 400, 'legal_basis_required'],
    ['an unauthenticated caller', null, { legalBasis: 'LOI-09-08-ART-4' }, 401, 'unauthenticated'],
  ])(
    'when %s asks, then it is refused with its code, and the refusal is audited',
    async (_name, client, basis, status, code) => {
      const token = await tokenOf(service, 'tax', 'K1');
      const before = auditRecords(service).length;
      const res = await reverse(service, client, { sector: 'tax', token, ...basis, ...act });
      expect(res.status).toBe(status);
      expect(res.body.error.code).toBe(code);
      expect(JSON.stringify(res.body)).not.toContain('K1');
      const records = auditRecords(service);
      expect(records).toHaveLength(before + 1);
      expect(records.at(-1)).toMatchObject({ act: 'reverse', client, outcome: code });
    },
  );

  it('when the token is not one of the sector, then invalid_token, audited', async () => {
    const token = await tokenOf(service, 'finance', 'AB123456');
    const res = await reverse(service, 'regulator-cndp', {
      sector: 'tax',
      token: token.slice(0, 9),
      legalBasis: 'LOI-09-08-ART-4',
      ...act,
    });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_token');
    expect(lastRecord(service)).toMatchObject({ outcome: 'invalid_token' });
  });

  it('when caseId or purpose is missing, blank or not printable, then invalid_request', async () => {
    const token = await tokenOf(service, 'tax', 'AB123456');
    for (const bad of [
      { caseId: '' },
      { caseId: '   ' },
      { purpose: 'a\u0000b' },
      { purpose: 'x'.repeat(501) },
      { caseId: 'line\nbreak' },
    ]) {
      const res = await reverse(service, 'regulator-cndp', {
        sector: 'tax',
        token,
        legalBasis: 'LOI-09-08-ART-4',
        ...act,
        ...bad,
      });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('invalid_request');
    }
  });
});

describe('translate', () => {
  const service = startTestService();
  const translate = (client: string, body: object) =>
    request(service.app)
      .post('/v1/translate')
      .set('Authorization', bearer(client))
      .send({ ...act, ...body });

  it.each([
    ['tax', 'social', 'CSS-FRAUD-2026'],
    ['finance', 'social', 'CSS-FRAUD-2026'],
  ])(
    'when translating %s → %s, then the token equals tokenizing in the target sector',
    async (fromSector, toSector, legalBasis) => {
      for (const nid of ['AB123456', 'Z9', 'QR000001']) {
        const token = await tokenOf(service, fromSector, nid);
        const res = await translate('regulator-cndp', { fromSector, token, toSector, legalBasis });
        expect(res.status).toBe(200);
        expect(res.body.token).toBe(await tokenOf(service, toSector, nid));
        expect(res.body).toMatchObject({ fromSector, toSector, keyVersion: 1, schemeVersion: 1 });
        const record = lastRecord(service);
        expect(record).toMatchObject({
          act: 'translate',
          sector: fromSector,
          toSector,
          token,
          outcome: 'ok',
          id: res.body.auditId,
        });
        expect(JSON.stringify(record)).not.toContain(res.body.token);
      }
    },
  );

  it('refuses a pair the basis does not cover, a regulator out of scope, and a one-way source, each audited', async () => {
    const tax = await tokenOf(service, 'tax', 'AB123456');
    const social = await tokenOf(service, 'social', 'AB123456');
    const cases: [string, object, number, string][] = [
      [
        'regulator-cndp',
        // A one-way source: no basis could cover it, said before the basis's coverage.
        { fromSector: 'social', token: social, toSector: 'tax', legalBasis: 'CSS-FRAUD-2026' },
        422,
        'not_reversible',
      ],
      [
        'regulator-cndp',
        { fromSector: 'tax', token: tax, toSector: 'finance', legalBasis: 'LOI-09-08-ART-4' },
        403,
        'forbidden',
      ],
      [
        'regulator-health',
        { fromSector: 'health', token: tax, toSector: 'social', legalBasis: 'CNDP-D-97-2020' },
        403,
        'forbidden',
      ],
      ['regulator-cndp', { fromSector: 'tax', token: tax, toSector: 'finance' }, 400, 'legal_basis_required'],
    ];
    for (const [client, body, status, code] of cases) {
      const res = await translate(client, body);
      expect([res.status, res.body.error.code]).toEqual([status, code]);
      expect(lastRecord(service)).toMatchObject({ act: 'translate', client, outcome: code });
    }
    expect(social).toHaveLength(22);
  });
});

describe('key rotation', () => {
  it('keeps old tokens reversible, upgrades them to the new version, and changes no other sector', async () => {
    const service = startTestService();
    const oldTax = await tokenOf(service, 'tax', 'AB123456');
    const finance = await tokenOf(service, 'finance', 'AB123456');

    const kek = parseKek(service.settings.kek!, 'test');
    const keyring = openKeyringFile(service.settings.keyringPath, kek);
    rotateSector(keyring, 'tax');
    saveKeyring(service.settings.keyringPath, keyring, kek);
    service.reload();

    const newTax = await tokenOf(service, 'tax', 'AB123456');
    expect(newTax).not.toBe(oldTax);
    expect(await tokenOf(service, 'finance', 'AB123456')).toBe(finance);

    const old = await request(service.app)
      .post('/v1/reverse')
      .set('Authorization', bearer('regulator-cndp'))
      .send({ sector: 'tax', token: oldTax, legalBasis: 'LOI-09-08-ART-4', ...act });
    expect(old.body).toMatchObject({ nationalId: 'AB123456', keyVersion: 1 });

    const upgraded = await request(service.app)
      .post('/v1/tokens/upgrade')
      .set('Authorization', bearer('tax-backend'))
      .send({ sector: 'tax', tokens: [oldTax, newTax, 'NOTATOKEN'] });
    expect(upgraded.status).toBe(200);
    expect(upgraded.body).toEqual({
      sector: 'tax',
      keyVersion: 2,
      schemeVersion: 1,
      results: [{ token: newTax, keyVersion: 2 }, { token: newTax, keyVersion: 2 }, { error: 'invalid_token' }],
    });

    const foreign = await request(service.app)
      .post('/v1/tokens/upgrade')
      .set('Authorization', bearer('hospital-backend'))
      .send({ sector: 'tax', tokens: [oldTax] });
    expect(foreign.status).toBe(403);
    const oneWay = await request(service.app)
      .post('/v1/tokens/upgrade')
      .set('Authorization', bearer('welfare-backend'))
      .send({ sector: 'social', tokens: ['X'] });
    expect(oneWay.body.error.code).toBe('not_reversible');
  });
});
