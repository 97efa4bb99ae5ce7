/**
 * Every record a caller can cause counts against its budget, taken before the act (docs/AUDIT.md
 * §7): a burst of concurrent refused acts from one key, whatever the refusal's code, writes at
 * most the budget's records (plus the acts its quotas allow), counted on disk. In process here;
 * on a shared Redis in test/redis/refusalBurst.test.ts.
 */
import { rmSync } from 'node:fs';
import { SectokenError } from '../../src/errors.js';
import { burst } from '../helpers/burst.js';
import { devConfig, listening, startTestService, type TestService } from '../helpers/service.js';
import { act, auditRecords, tokenOf } from './helpers.js';

/** The refusal budget of every client; windows of an hour, so that no window passes during a test. */
const BUDGET = 5;
const BURST = 200;
const HOUR = 3600;
const rateLimits = {
  defaults: {
    refusal: [{ points: BUDGET, perSeconds: HOUR }],
    reverse: [{ points: 1000, perSeconds: HOUR }],
    translate: [{ points: 1000, perSeconds: HOUR }],
  },
  // This regulator may reverse once an hour.
  clients: { 'regulator-health': { reverse: [{ points: 1, perSeconds: HOUR }] } },
};

describe('a burst of refused acts writes at most the budget', () => {
  let service: TestService;
  let server: { url: string; close: () => Promise<void> };
  let taxToken: string;
  let healthToken: string;

  beforeAll(async () => {
    service = startTestService({ config: { ...devConfig(), rateLimits } });
    server = await listening(service.app);
    taxToken = await tokenOf(service, 'tax', 'KB123456');
    healthToken = await tokenOf(service, 'health', 'KB123457');
  });
  afterAll(async () => {
    await server.close();
    await service.close();
    rmSync(service.dir, { recursive: true, force: true });
  });

  const recordsOf = (client: string): string[] =>
    auditRecords(service)
      .filter((r) => r.client === client)
      .map((r) => r.outcome);

  it.each([
    [
      'forbidden',
      'tax-backend',
      '/v1/reverse',
      () => ({ sector: 'tax', token: taxToken, legalBasis: 'LOI-09-08-ART-4', ...act }),
    ],
    [
      'legal_basis_required',
      'regulator-cndp',
      '/v1/reverse',
      () => ({ sector: 'tax', token: taxToken, legalBasis: ' ', ...act }),
    ],
    [
      'invalid_token',
      'regulator-cndp-b',
      '/v1/translate',
      () => ({ fromSector: 'tax', token: 'ZZZZZZZZZ', toSector: 'social', legalBasis: 'CSS-FRAUD-2026', ...act }),
    ],
  ])(
    'when %s is the answer (%s) to a burst of concurrent requests, then only the budget is recorded and the rest is 429 unrecorded',
    async (code, client, path, body) => {
      const before = auditRecords(service).length;
      const seen = await burst(server.url, BURST, 'POST', path, client, body());
      expect(
        Object.entries(seen).filter(([answer]) => !answer.endsWith(` ${code}`) && answer !== '429 rate_limited'),
      ).toEqual([]);
      expect(seen['429 rate_limited']).toBe(BURST - BUDGET);
      expect(recordsOf(client)).toEqual(Array<string>(BUDGET).fill(code));
      expect(auditRecords(service).length - before).toBe(BUDGET);
    },
  );

  it("when a regulator bursts past its reverse quota, then the quota's refusals are recorded and counted: one act and the budget's refusals, no more", async () => {
    const seen = await burst(server.url, BURST, 'POST', '/v1/reverse', 'regulator-health', {
      sector: 'health',
      token: healthToken,
      legalBasis: 'CNDP-D-97-2020',
      ...act,
    });
    // One request opened (202), then the quota's rate_limited (recorded) until the refusal budget is spent.
    expect(seen['202 ok']).toBe(1);
    expect((seen['429 rate_limited'] ?? 0) + 1).toBe(BURST);
    const recorded = recordsOf('regulator-health');
    expect(recorded.filter((o) => o === 'pending')).toHaveLength(1);
    // The act that succeeds gives its point back after its record, when the burst may already be over.
    expect(recorded.filter((o) => o === 'rate_limited').length).toBeGreaterThanOrEqual(BUDGET - 1);
    expect(recorded.length).toBeLessThanOrEqual(1 + BUDGET);
  });

  it('when the same burst reads unknown requests, then the budget of not_found is recorded, no more', async () => {
    const seen = await burst(server.url, BURST, 'GET', '/v1/requests/AAAAAAAAAAAAAAAAAAAAAA', 'regulator-cndp-b');
    expect(seen['429 rate_limited']).toBe(BURST);
    // regulator-cndp-b spent its budget on invalid tokens above: nothing more.
    expect(recordsOf('regulator-cndp-b')).toHaveLength(BUDGET);
  });
});

describe('refusals of the service itself count too', () => {
  let service: TestService;
  let server: { url: string; close: () => Promise<void> };
  let healthToken: string;

  beforeAll(async () => {
    service = startTestService({ config: { ...devConfig(), rateLimits: { ...rateLimits, clients: {} } } });
    server = await listening(service.app);
    healthToken = await tokenOf(service, 'health', 'KB123458');
  });
  afterAll(async () => {
    await server.close();
    await service.close();
    rmSync(service.dir, { recursive: true, force: true });
  });

  it.each([
    // As the Redis store answers when Redis cannot be reached.
    [
      'dual_control_unavailable',
      'regulator-cndp',
      () => Promise.reject(new SectokenError('dual_control_unavailable', 'Redis cannot be reached')),
    ],
    // A bug: answered 500 internal, never recorded, and it still counts.
    ['internal', 'regulator-health', () => Promise.reject(new Error('a bug'))],
  ])(
    'when the request store fails with %s under a burst, then at most the budget is recorded and the rest is 429',
    async (code, client, create) => {
      const real = service.regulators.requests;
      service.regulators.requests = { ...real, create };
      try {
        const seen = await burst(server.url, BURST, 'POST', '/v1/reverse', client, {
          sector: 'health',
          token: healthToken,
          legalBasis: 'CNDP-D-97-2020',
          ...act,
        });
        expect(seen[`${code === 'internal' ? 500 : 503} ${code}`]).toBe(BUDGET);
        expect(seen['429 rate_limited']).toBe(BURST - BUDGET);
        const recorded = auditRecords(service).filter((r) => r.client === client);
        expect(recorded.length).toBe(code === 'internal' ? 0 : BUDGET);
      } finally {
        service.regulators.requests = real;
      }
    },
  );
});
