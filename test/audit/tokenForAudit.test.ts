/**
 * What a refused caller can put into the audit log through `token` (src/audit/writer/tokenForAudit.ts):
 * from a caller that is not a regulator, only a token of the sector as issued; any other string
 * of the sector's length and alphabet (a national ID plus one character, random base32) is
 * recorded as `(malformed)`. Through HTTP, read back from the file on disk.
 */
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { MALFORMED } from '../../src/audit/writer/tokenForAudit.js';
import { bearer, startTestService } from '../helpers/service.js';
import { act, lastRecord, tokenOf } from '../acts/helpers.js';

const service = startTestService();
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** A string of the sector's length and alphabet that does not open as one of its tokens. */
function notAToken(sector: string, length: number): string {
  const tokens = service.tokenizer().sector(sector);
  for (;;) {
    const candidate = [...randomBytes(length)].map((b) => CROCKFORD[b % 32]).join('');
    try {
      tokens.open(candidate);
    } catch {
      return candidate;
    }
  }
}

const reverse = (client: string, sector: string, token: string) =>
  request(service.app)
    .post('/v1/reverse')
    .set('Authorization', bearer(client))
    .send({ sector, token, legalBasis: 'LOI-09-08-ART-4', ...act });
const translate = (client: string, fromSector: string, token: string, toSector: string) =>
  request(service.app)
    .post('/v1/translate')
    .set('Authorization', bearer(client))
    .send({ fromSector, token, toSector, legalBasis: 'CNDP-D-97-2020', ...act });

describe('the token a refused caller sends, as the audit log records it', () => {
  afterAll(() => service.close());

  it('when a service client sends a national ID plus one character as a tax token, then its refused reverse is recorded with (malformed)', async () => {
    const res = await reverse('tax-backend', 'tax', 'AB123456Z');
    expect([res.status, res.body.error.code]).toEqual([403, 'forbidden']);
    expect(lastRecord(service)).toMatchObject({
      act: 'reverse',
      client: 'tax-backend',
      outcome: 'forbidden',
      token: MALFORMED,
      caseId: null,
      purpose: null,
    });
  });

  it('when service clients send strings of the alphabet and length that are not tokens (110 bits of base32 in social), then each is recorded as (malformed)', async () => {
    for (let i = 0; i < 20; i++) {
      const social = notAToken('social', 22);
      const res = await translate('welfare-backend', 'social', social, 'health');
      expect(res.status).toBe(403);
      expect(lastRecord(service)).toMatchObject({ act: 'translate', client: 'welfare-backend', token: MALFORMED });

      const finance = notAToken('finance', 10);
      expect((await reverse('bank-backend', 'finance', finance.toLowerCase())).status).toBe(403);
      expect(lastRecord(service)).toMatchObject({ client: 'bank-backend', token: MALFORMED });
    }
  });

  it('when a service client sends a real token of the sector (in lower case), then the record holds it in canonical form', async () => {
    const token = await tokenOf(service, 'tax', 'QW271828');
    expect((await reverse('tax-backend', 'tax', token.toLowerCase())).status).toBe(403);
    expect(lastRecord(service)).toMatchObject({ client: 'tax-backend', outcome: 'forbidden', token });
  });

  it("when a regulator mistypes a token, then the record keeps what was typed in canonical form (the auditor sees the regulator's mistake)", async () => {
    const typed = notAToken('tax', 9);
    const res = await reverse('regulator-cndp', 'tax', typed);
    expect([res.status, res.body.error.code]).toEqual([400, 'invalid_token']);
    expect(lastRecord(service)).toMatchObject({ client: 'regulator-cndp', outcome: 'invalid_token', token: typed });
  });
});
