/**
 * The completion log line of a failed request names its error code (a 503 alone does not say
 * whether the audit or dual control failed), with no meaningless stack; a caller's 4xx is logged
 * at info, not as a warning of the service.
 */
import request from 'supertest';
import { SectokenError } from '../../src/errors.js';
import { createMetrics } from '../../src/metrics.js';
import { bearer, startTestService, type TestService } from '../helpers/service.js';

interface LogLine {
  level: number;
  msg?: string;
  errorCode?: string;
  err?: unknown;
  res?: { statusCode?: number };
}

let service: TestService;
beforeAll(() => {
  service = startTestService();
});
afterAll(async () => service.close());

const completions = (): LogLine[] =>
  service
    .logs()
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as LogLine)
    .filter((l) => l.res?.statusCode !== undefined);

describe('completion log lines', () => {
  it('a 4xx from the caller is info and carries its error code', async () => {
    await request(service.app)
      .post('/v1/tokens')
      .set('Authorization', bearer('hospital-backend'))
      .send({ sector: 'health', nationalId: 'not-an-id' })
      .expect(400);
    await request(service.app)
      .post('/v1/tokens')
      .set('Authorization', 'Bearer stk_dev_nobody')
      .send({ sector: 'health', nationalId: 'AB123456' })
      .expect(401);
    const lines = completions();
    expect(lines.find((l) => l.res!.statusCode === 400)).toMatchObject({ level: 30, errorCode: 'invalid_national_id' });
    expect(lines.find((l) => l.res!.statusCode === 401)).toMatchObject({ level: 30, errorCode: 'unauthenticated' });
    expect(lines.every((l) => l.level < 40)).toBe(true);
  });

  it("a 503 is an error that names its code, without pino-http's synthetic stack", async () => {
    const audit = service.regulators.audit as { append: (...args: unknown[]) => Promise<unknown> };
    const append = audit.append;
    audit.append = () =>
      Promise.reject(new SectokenError('audit_unavailable', 'the audit record could not be made durable'));
    try {
      const tokenized = await request(service.app)
        .post('/v1/tokens')
        .set('Authorization', bearer('tax-backend'))
        .send({ sector: 'tax', nationalId: 'AB123456' })
        .expect(200);
      await request(service.app)
        .post('/v1/reverse')
        .set('Authorization', bearer('regulator-cndp'))
        .send({
          sector: 'tax',
          token: (tokenized.body as { token: string }).token,
          legalBasis: 'LOI-09-08-ART-4',
          caseId: 'CASE-LOG-1',
          purpose: 'log line test',
        })
        .expect(503);
    } finally {
      audit.append = append;
    }
    const failed = completions().find((l) => l.res!.statusCode === 503)!;
    expect(failed).toMatchObject({
      level: 50,
      errorCode: 'audit_unavailable',
      msg: 'request failed: audit_unavailable',
    });
    expect(failed.err).toBeUndefined();
  });
});

describe('process metrics', () => {
  it('carry one prefix, not two', async () => {
    const text = await createMetrics(false).registry.metrics();
    expect(text).toMatch(/^sectoken_process_cpu_seconds_total/m);
    expect(text).not.toMatch(/sectoken_process_process_/);
  });
});
