/**
 * `caseId` and `purpose` must say something a person can read (src/http/freeText.ts): generated
 * invisible texts (each filler alone, repeated, between spaces, mixed; lone surrogates as JSON
 * escapes) are refused with 400 invalid_request before any act or record; a text in NFD is
 * stored, shown and recorded in NFC.
 */
import request from 'supertest';
import { bearer, startTestService } from '../helpers/service.js';
import { act, auditRecords, tokenOf } from '../acts/helpers.js';

const service = startTestService();

/** Fillers that Unicode counts as letters, the braille blank, and other default-ignorable code points. */
const FILLERS = ['\u3164', '\u115F', '\u1160', '\uFFA0', '\u2800', '\u034F', '\u17B4', '\u180E', '\uFE0F', '\u200B'];
const INVISIBLE_TEXTS = [
  ...FILLERS.flatMap((f) => [f, f.repeat(5), ` ${f} `, `${f} ${f}\u3000${f}`]),
  FILLERS.join(''),
  FILLERS.join(' '),
  '\u0301', // a combining mark with nothing to combine with
];
/** Lone surrogates, as the escapes a JSON body carries (`"\ud800"`). */
const ILL_FORMED = ['\\ud800', '\\udfff', 'CASE-7 \\ud800', '\\udc00Complaint', 'A\\ud83d'];

const escapeJson = (s: string): string => JSON.stringify(s);

describe('caseId and purpose: visible, well-formed, NFC', () => {
  let token: string;
  beforeAll(async () => {
    token = await tokenOf(service, 'tax', 'QW271828');
  });
  afterAll(() => service.close());

  it('when a caseId or purpose is made only of fillers, blanks or ignorable characters, then the reverse and the translate are 400 invalid_request and nothing is recorded', async () => {
    const recordsBefore = auditRecords(service).length;
    const wrong: string[] = [];
    for (const text of INVISIBLE_TEXTS) {
      for (const field of ['caseId', 'purpose'] as const) {
        const body = { ...act, [field]: text };
        const reverse = await request(service.app)
          .post('/v1/reverse')
          .set('Authorization', bearer('regulator-cndp'))
          .send({ sector: 'tax', token, legalBasis: 'LOI-09-08-ART-4', ...body });
        const translate = await request(service.app)
          .post('/v1/translate')
          .set('Authorization', bearer('regulator-cndp'))
          .send({ fromSector: 'tax', token, toSector: 'finance', legalBasis: 'CNDP-D-97-2020', ...body });
        for (const res of [reverse, translate]) {
          if (res.status !== 400 || res.body.error?.code !== 'invalid_request')
            wrong.push(`${field} ${escapeJson(text)}: ${res.status} ${JSON.stringify(res.body)}`);
          else expect(res.body.error.message).toContain(field);
        }
      }
    }
    expect(wrong).toEqual([]);
    expect(auditRecords(service)).toHaveLength(recordsBefore);
  });

  it('when a caseId or purpose holds a lone surrogate (a JSON escape), then it is 400 invalid_request', async () => {
    for (const escaped of ILL_FORMED) {
      for (const field of ['caseId', 'purpose'] as const) {
        const raw = `{"sector":"tax","token":"${token}","legalBasis":"LOI-09-08-ART-4","caseId":${field === 'caseId' ? `"${escaped}"` : '"CASE-1"'},"purpose":${field === 'purpose' ? `"${escaped}"` : '"Inquiry"'}}`;
        const res = await request(service.app)
          .post('/v1/reverse')
          .set('Authorization', bearer('regulator-cndp'))
          .set('Content-Type', 'application/json')
          .send(raw);
        expect([field, escaped, res.status, res.body.error?.code]).toEqual([field, escaped, 400, 'invalid_request']);
        expect(res.body.error.message).toMatch(/well-formed Unicode/);
      }
    }
  });

  it('when the text has a visible letter or digit among fillers, or is in another script, then it is accepted', async () => {
    for (const purpose of ['\u3164 Dossier 7', 'شكوى بشأن المعالجة', '민원 조사', '7']) {
      const res = await request(service.app)
        .post('/v1/reverse')
        .set('Authorization', bearer('regulator-cndp'))
        .send({ sector: 'tax', token, legalBasis: 'LOI-09-08-ART-4', caseId: 'CASE-VISIBLE', purpose });
      expect([purpose, res.status]).toEqual([purpose, 200]);
    }
  });

  it('when the text comes in NFD, then the request the approver reads and the audit record hold it in NFC', async () => {
    const caseId = 'DOSSIER-HÉLÈNE-Ç'.normalize('NFD');
    const purpose = 'Plainte de Mme Hélène Dupont, traitement illégal à Fès'.normalize('NFD');
    expect(caseId).not.toBe(caseId.normalize('NFC'));
    const health = await tokenOf(service, 'health', 'QW271828');
    const asked = await request(service.app)
      .post('/v1/reverse')
      .set('Authorization', bearer('regulator-cndp'))
      .send({ sector: 'health', token: health, legalBasis: 'CNDP-D-97-2020', caseId, purpose });
    expect(asked.status).toBe(202);
    const view = await request(service.app)
      .get(`/v1/requests/${asked.body.requestId as string}`)
      .set('Authorization', bearer('regulator-health'));
    expect(view.status).toBe(200);
    expect([view.body.caseId, view.body.purpose]).toEqual([caseId.normalize('NFC'), purpose.normalize('NFC')]);
    const record = auditRecords(service).find((r) => r.requestId === asked.body.requestId)!;
    expect([record.caseId, record.purpose]).toEqual([caseId.normalize('NFC'), purpose.normalize('NFC')]);
  });
});
