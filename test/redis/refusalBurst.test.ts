/**
 * The refusal budget on a shared Redis (docs/AUDIT.md §7): a burst of concurrent refused acts
 * from one key, spread over two instances, writes at most the budget's records in all.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Service } from '../../src/service.js';
import { burst } from '../helpers/burst.js';
import { listening, type TestService } from '../helpers/service.js';
import { act, configWith, tokenize, twoInstances, type InstancePair } from './helpers.js';

const BUDGET = 5;
const BURST = 150;

describe('the refusal budget on Redis', () => {
  let a: TestService;
  let b: Service;
  let pair: InstancePair | undefined;

  beforeAll(async () => {
    pair = await twoInstances(
      configWith({ rateLimits: { defaults: { refusal: [{ points: BUDGET, perSeconds: 3600 }] }, clients: {} } }),
    );
    ({ a, b } = pair);
  });
  afterAll(() => pair?.close());

  const records = (instance: string): { client: string; outcome: string }[] =>
    readFileSync(join(a.settings.auditDir, `audit-${instance}.jsonl`), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { client: string; outcome: string });

  it('when one key sends a burst of forbidden reverses to two instances at once, then the budget is recorded in all, and the rest is 429', async () => {
    const token = (await tokenize(a, 'tax', 'KC123456')).body.token as string;
    const [onA, onB] = [await listening(a.app), await listening(b.app)];
    try {
      const body = { sector: 'tax', token, legalBasis: 'LOI-09-08-ART-4', ...act };
      const seen = await Promise.all([
        burst(onA.url, BURST, 'POST', '/v1/reverse', 'tax-backend', body),
        burst(onB.url, BURST, 'POST', '/v1/reverse', 'tax-backend', body),
      ]);
      const all = (answer: string): number => seen.reduce((sum, s) => sum + (s[answer] ?? 0), 0);
      expect([all('403 forbidden'), all('429 rate_limited')]).toEqual([BUDGET, 2 * BURST - BUDGET]);
    } finally {
      await onA.close();
      await onB.close();
    }
    const refused = [...records('a'), ...records('b')].filter((r) => r.client === 'tax-backend');
    expect(refused.map((r) => r.outcome)).toEqual(Array<string>(BUDGET).fill('forbidden'));
  });
});
