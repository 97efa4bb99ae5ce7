/**
 * Authorization generated from the rules as data: every client of the edge configuration × every
 * act × every sector (or ordered pair) × every legal basis (and none), through HTTP. The expected
 * answer is computed here from the configuration alone, in the order the SPEC gives: role, a legal
 * basis named and known, then (in scope) reversibility before the basis's coverage (no basis can
 * cover a one-way token), scope, then dual control; every refusal and success is in the audit log.
 */
import request from 'supertest';
import {
  EDGE_BASES,
  EDGE_CLIENTS,
  EDGE_SECTORS,
  SECTOR_IDS,
  SERVICE_OF,
  edgeConfig,
  type EdgeSector,
} from '../fixtures/edgeConfig.js';
import { bearer, startTestService } from '../helpers/service.js';
import { act, auditFollower } from './helpers.js';

const service = startTestService({ config: edgeConfig() });
const tokens = new Map<EdgeSector, string>();
const NATIONAL_ID = 'HK4321';
/** Some 2,000 real acts over HTTP in the two generated tests: their time follows the machine's load, so no tight limit. */
const GENERATED_MS = 180_000;
/** The records appended since the last read, read from the bytes added (linear, however many acts). */
const newRecords = auditFollower(service);

beforeAll(async () => {
  for (const sector of SECTOR_IDS) {
    const res = await request(service.app)
      .post('/v1/tokens')
      .set('Authorization', bearer(SERVICE_OF[sector]))
      .send({ sector, nationalId: NATIONAL_ID });
    expect(res.status).toBe(200);
    tokens.set(sector, res.body.token as string);
  }
});

type Expected = [number, string];
const BASIS_CHOICES = [undefined, ...EDGE_BASES.map((b) => b.id)];

function expectedAct(
  clientId: string,
  kind: 'reverse' | 'translate',
  from: EdgeSector,
  to: EdgeSector | undefined,
  basisId: string | undefined,
): Expected {
  const client = EDGE_CLIENTS.find((c) => c.id === clientId)!;
  if (client.role !== 'regulator') return [403, 'forbidden'];
  if (basisId === undefined) return [400, 'legal_basis_required'];
  const basis = EDGE_BASES.find((b) => b.id === basisId)!;
  const covers =
    (basis.acts as readonly string[]).includes(kind) &&
    (kind === 'reverse'
      ? (basis.sectors as readonly string[]).includes(from)
      : basis.sectorPairs.some(([f, t]) => f === from && t === to));
  const touched = to === undefined ? [from] : [from, to];
  const inScope = touched.every((s) => (client.sectors as readonly string[]).includes(s));
  // No basis could allow reversing (or translating from) a one-way token: said before coverage.
  if (inScope && EDGE_SECTORS[from].policy !== 'reversible') return [422, 'not_reversible'];
  if (!covers) return [403, 'forbidden'];
  if (!inScope) return [403, 'forbidden'];
  const dual = basis.dualControl || touched.some((s) => EDGE_SECTORS[s].dualControl);
  return dual ? [202, 'pending'] : [200, 'ok'];
}

const outcomeOf = (res: request.Response): string =>
  res.status === 200 ? 'ok' : res.status === 202 ? 'pending' : (res.body.error?.code as string);

describe('authorization generated from the rules and the legal bases', () => {
  /**
   * One client's cases at once (its acts share fsyncs, as concurrent callers do), each under a case
   * id of its own; then the records they appended are read once. Every case answers as expected,
   * and the group's records are exactly one per case: the same act, client, sectors and outcome,
   * and for a regulator (whose case ids are recorded) the case's own id. Linear in the acts,
   * whatever the machine's load.
   */
  async function checkGroup(
    cases: {
      label: string;
      send: (caseId: string) => Promise<request.Response>;
      expected: Expected;
      act: string;
      sectors: [string, string | null];
      result: (res: request.Response) => string | undefined;
    }[],
    client: string,
    wrong: string[],
  ): Promise<void> {
    const regulator = EDGE_CLIENTS.find((c) => c.id === client)!.role === 'regulator';
    const caseIdOf = (i: number): string => `AUTH-${client}-${i}`;
    const answers = await Promise.all(cases.map((c, i) => c.send(caseIdOf(i))));
    const expectedRecords = cases.map((c, i) => {
      const act = c.expected[1] === 'pending' ? `${c.act}-request` : c.act;
      return [act, client, ...c.sectors, regulator ? caseIdOf(i) : null, c.expected[1]].join(' ');
    });
    const records = newRecords().map((r) => [r.act, r.client, r.sector, r.toSector, r.caseId, r.outcome].join(' '));
    expect(records.sort()).toEqual(expectedRecords.sort());
    cases.forEach((c, i) => {
      const res = answers[i]!;
      const got: Expected = [res.status, outcomeOf(res)];
      if (got.join() !== c.expected.join()) wrong.push(`${c.label}: got ${got.join()}, expected ${c.expected.join()}`);
      const problem = c.result(res);
      if (problem) wrong.push(`${c.label}: ${problem}`);
    });
  }

  it(
    'reverse: every client × sector × basis answers as the rules say, and is audited as answered',
    async () => {
      const wrong: string[] = [];
      let cases = 0;
      for (const { id } of EDGE_CLIENTS) {
        const group = SECTOR_IDS.flatMap((sector) =>
          BASIS_CHOICES.map((legalBasis) => ({
            label: `${id} ${sector} ${legalBasis}`,
            send: (caseId: string) =>
              request(service.app)
                .post('/v1/reverse')
                .set('Authorization', bearer(id))
                .send({ sector, token: tokens.get(sector), ...(legalBasis ? { legalBasis } : {}), ...act, caseId }),
            expected: expectedAct(id, 'reverse', sector, undefined, legalBasis),
            act: 'reverse',
            sectors: [sector, null] as [string, string | null],
            result: (res: request.Response) =>
              res.status === 200 && res.body.nationalId !== NATIONAL_ID ? 'wrong national ID' : undefined,
          })),
        );
        await checkGroup(group, id, wrong);
        cases += group.length;
      }
      expect(wrong).toEqual([]);
      expect(cases).toBe(EDGE_CLIENTS.length * SECTOR_IDS.length * BASIS_CHOICES.length);
    },
    GENERATED_MS,
  );

  it(
    'translate: every client × ordered pair × basis answers as the rules say, and is audited as answered',
    async () => {
      const wrong: string[] = [];
      for (const { id } of EDGE_CLIENTS) {
        const group = SECTOR_IDS.flatMap((from) =>
          SECTOR_IDS.filter((to) => to !== from).flatMap((to) =>
            BASIS_CHOICES.map((legalBasis) => ({
              label: `${id} ${from}→${to} ${legalBasis}`,
              send: (caseId: string) =>
                request(service.app)
                  .post('/v1/translate')
                  .set('Authorization', bearer(id))
                  .send({
                    fromSector: from,
                    token: tokens.get(from),
                    toSector: to,
                    ...(legalBasis ? { legalBasis } : {}),
                    ...act,
                    caseId,
                  }),
              expected: expectedAct(id, 'translate', from, to, legalBasis),
              act: 'translate',
              sectors: [from, to] as [string, string | null],
              result: (res: request.Response) =>
                res.status === 200 && res.body.token !== tokens.get(to) ? 'wrong target token' : undefined,
            })),
          ),
        );
        await checkGroup(group, id, wrong);
      }
      expect(wrong).toEqual([]);
    },
    GENERATED_MS,
  );

  it('tokenize and upgrade: only a service client, only in its sectors; upgrade only of reversible sectors', async () => {
    const wrong: string[] = [];
    for (const client of EDGE_CLIENTS) {
      for (const sector of SECTOR_IDS) {
        const inScope = client.role === 'service' && (client.sectors as readonly string[]).includes(sector);
        const one = await request(service.app)
          .post('/v1/tokens')
          .set('Authorization', bearer(client.id))
          .send({ sector, nationalId: NATIONAL_ID });
        if (one.status !== (inScope ? 200 : 403)) wrong.push(`tokenize ${client.id} ${sector}: ${one.status}`);
        const up = await request(service.app)
          .post('/v1/tokens/upgrade')
          .set('Authorization', bearer(client.id))
          .send({ sector, tokens: [tokens.get(sector)] });
        const expected = !inScope ? 403 : EDGE_SECTORS[sector].policy === 'reversible' ? 200 : 422;
        if (up.status !== expected) wrong.push(`upgrade ${client.id} ${sector}: ${up.status}, expected ${expected}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('reading the audit log and the requests: auditors read the log, regulators the requests, nobody else', async () => {
    for (const client of EDGE_CLIENTS) {
      const audit = await request(service.app).get('/v1/audit').set('Authorization', bearer(client.id));
      expect([client.id, audit.status]).toEqual([client.id, client.role === 'auditor' ? 200 : 403]);
      const requests = await request(service.app).get('/v1/requests').set('Authorization', bearer(client.id));
      expect([client.id, requests.status]).toEqual([client.id, client.role === 'regulator' ? 200 : 403]);
    }
  });
});
