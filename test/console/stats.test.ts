/** auditStats, the pure aggregate behind GET /v1/audit/stats. */
import type { AuditRecord } from '../../src/audit/chain/record.js';
import { auditStats } from '../../src/audit/reader/stats.js';

let seq = 0;
const rec = (time: string, fields: Partial<AuditRecord>): AuditRecord => ({
  v: 1,
  id: `i:${++seq}`,
  seq,
  time,
  instance: 'i',
  act: 'reverse',
  client: 'reg-a',
  person: 'A',
  organisation: 'O',
  sector: 'tax',
  toSector: null,
  token: null,
  legalBasis: 'B1',
  caseId: 'C',
  purpose: 'P',
  requestId: null,
  outcome: 'ok',
  count: null,
  prev: '',
  hash: '',
  mac: '',
  ...fields,
});

describe('auditStats', () => {
  const records = [
    rec('2026-03-01T10:00:00.000Z', {}),
    rec('2026-03-01T11:00:00.000Z', {
      act: 'translate-request',
      outcome: 'pending',
      client: 'reg-b',
      legalBasis: 'B2',
    }),
    rec('2026-03-03T09:00:00.000Z', { act: 'translate', client: 'reg-b' }),
    rec('2026-03-03T09:30:00.000Z', { act: 'reverse', outcome: 'forbidden' }),
    rec('2026-03-03T09:31:00.000Z', { act: 'reverse', outcome: 'unauthenticated', client: null, count: 7 }),
    rec('2026-03-03T10:00:00.000Z', { act: 'approve', outcome: 'ok' }),
    rec('2026-03-03T10:01:00.000Z', { act: 'release', outcome: 'ok' }),
    rec('2026-03-03T10:02:00.000Z', { act: 'release', outcome: 'request_closed' }),
    rec('2026-03-04T00:00:00.000Z', { act: 'deny', outcome: 'ok' }),
    rec('2026-03-04T00:10:00.000Z', { act: 'expire', outcome: 'expired', client: null }),
    rec('2026-03-04T08:00:00.000Z', { act: 'reverse-request', outcome: 'dual_control_unavailable' }),
    rec('2026-03-04T08:01:00.000Z', { act: 'translate', outcome: 'limits_unavailable' }),
    rec('2026-03-04T08:02:00.000Z', { act: 'approve', outcome: 'internal' }),
  ];

  it('when given records, then it counts accepted acts by regulator and basis, refusals by code (aggregates by their count), and ends, over a continuous span of days', () => {
    const s = auditStats(records);
    expect(s.days).toEqual(['2026-03-01', '2026-03-02', '2026-03-03', '2026-03-04']);
    expect(s.records).toBe(13);
    expect(s.actsByRegulator).toEqual([
      { day: '2026-03-01', key: 'reg-a', count: 1 },
      { day: '2026-03-01', key: 'reg-b', count: 1 },
      { day: '2026-03-03', key: 'reg-b', count: 1 },
    ]);
    expect(s.actsByLegalBasis).toEqual([
      { day: '2026-03-01', key: 'B1', count: 1 },
      { day: '2026-03-01', key: 'B2', count: 1 },
      { day: '2026-03-03', key: 'B1', count: 1 },
    ]);
    expect(s.refusalsByCode).toEqual([
      { day: '2026-03-03', key: 'forbidden', count: 1 },
      { day: '2026-03-03', key: 'request_closed', count: 1 },
      { day: '2026-03-03', key: 'unauthenticated', count: 7 },
    ]);
    expect(s.requestsEnded).toEqual({ released: 1, denied: 1, expired: 1 });
  });

  it('when the service could not act (a store down, a bug), then it is a failure, counted apart from the refusals', () => {
    const s = auditStats(records);
    expect(s.failuresByCode).toEqual([
      { day: '2026-03-04', key: 'dual_control_unavailable', count: 1 },
      { day: '2026-03-04', key: 'internal', count: 1 },
      { day: '2026-03-04', key: 'limits_unavailable', count: 1 },
    ]);
    expect(s.refusalsByCode.map((c) => c.key)).not.toContain('dual_control_unavailable');
  });

  it('when a range is given, then it is [from, to)', () => {
    const s = auditStats(records, { from: '2026-03-03T00:00:00.000Z', to: '2026-03-04T00:00:00.000Z' });
    expect([s.from, s.to, s.records, s.days]).toEqual([
      '2026-03-03T00:00:00.000Z',
      '2026-03-04T00:00:00.000Z',
      6,
      ['2026-03-03'],
    ]);
    expect(s.requestsEnded).toEqual({ released: 1, denied: 0, expired: 0 });
    // Plain dates are whole UTC days: from=to=D is the day D.
    const day = auditStats(records, { from: '2026-03-03', to: '2026-03-03' });
    expect([day.from, day.to, day.records]).toEqual(['2026-03-03T00:00:00.000Z', '2026-03-04T00:00:00.000Z', 6]);
  });

  it('when there is nothing, then empty series', () => {
    expect(auditStats([])).toEqual({
      from: null,
      to: null,
      records: 0,
      days: [],
      actsByRegulator: [],
      actsByLegalBasis: [],
      refusalsByCode: [],
      failuresByCode: [],
      requestsEnded: { released: 0, denied: 0, expired: 0 },
    });
  });

  it('when records come out of order, then the days and each series are sorted by day, then key', () => {
    const s = auditStats([
      rec('2026-03-05T10:00:00.000Z', { client: 'reg-b', legalBasis: 'B2' }),
      rec('2026-03-05T09:00:00.000Z', { client: 'reg-a', legalBasis: 'B1' }),
      rec('2026-03-03T10:00:00.000Z', { client: 'reg-c', legalBasis: 'B3', outcome: 'forbidden' }),
      rec('2026-03-03T09:00:00.000Z', { outcome: 'invalid_token' }),
      rec('2026-03-02T10:00:00.000Z', { client: 'reg-b', legalBasis: 'B2' }),
    ]);
    expect(s.days).toEqual(['2026-03-02', '2026-03-03', '2026-03-04', '2026-03-05']);
    expect(s.actsByRegulator).toEqual([
      { day: '2026-03-02', key: 'reg-b', count: 1 },
      { day: '2026-03-05', key: 'reg-a', count: 1 },
      { day: '2026-03-05', key: 'reg-b', count: 1 },
    ]);
    expect(s.actsByLegalBasis.map((c) => c.key)).toEqual(['B2', 'B1', 'B2']);
    expect(s.refusalsByCode.map((c) => c.key)).toEqual(['forbidden', 'invalid_token']);
  });

  it('when a dual-control request is opened (pending), then it is an act asked and accepted, of reverse and translate alike', () => {
    const s = auditStats([
      rec('2026-03-01T10:00:00.000Z', { act: 'reverse-request', outcome: 'pending' }),
      rec('2026-03-01T11:00:00.000Z', { act: 'translate-request', outcome: 'pending', client: 'reg-b' }),
    ]);
    expect(s.actsByRegulator).toEqual([
      { day: '2026-03-01', key: 'reg-a', count: 1 },
      { day: '2026-03-01', key: 'reg-b', count: 1 },
    ]);
    expect(s.refusalsByCode).toEqual([]);
  });

  it('when an accepted act names no client or no basis, then it counts under (unknown) and (none)', () => {
    const s = auditStats([rec('2026-03-01T10:00:00.000Z', { client: null, legalBasis: null })]);
    expect([s.actsByRegulator, s.actsByLegalBasis]).toEqual([
      [{ day: '2026-03-01', key: '(unknown)', count: 1 }],
      [{ day: '2026-03-01', key: '(none)', count: 1 }],
    ]);
  });

  it('when a record is counted in no series (an approval), then it is in the range but spans no day', () => {
    const s = auditStats([
      rec('2026-03-01T10:00:00.000Z', {}),
      rec('2026-03-04T10:00:00.000Z', { act: 'approve', outcome: 'ok' }),
      rec('2026-02-27T10:00:00.000Z', { act: 'release', outcome: 'pending' }),
      rec('2026-02-26T10:00:00.000Z', { act: 'deny', outcome: 'expired' }),
    ]);
    expect([s.records, s.days]).toEqual([4, ['2026-03-01']]);
    expect(s.requestsEnded).toEqual({ released: 0, denied: 0, expired: 0 });
  });

  it('when a day has only ends of requests, then it is a day of the span', () => {
    const s = auditStats([
      rec('2026-03-01T10:00:00.000Z', { act: 'expire', outcome: 'expired' }),
      rec('2026-03-03T10:00:00.000Z', { act: 'deny', outcome: 'ok' }),
    ]);
    expect(s.days).toEqual(['2026-03-01', '2026-03-02', '2026-03-03']);
    expect(s.requestsEnded).toEqual({ released: 0, denied: 1, expired: 1 });
  });
});
