/**
 * The published development keys (src/access/devKeys.ts) without a process: which client keys
 * production refuses. test/server/devKeys.test.ts runs the same refusal through `sectoken serve`.
 */
import { hashApiKey, newApiKey } from '../../src/access/apiKeys.js';
import { devApiKey, hasPublishedKey, SAMPLE_CLIENT_IDS } from '../../src/access/devKeys.js';

describe('published development keys', () => {
  it('are stk_dev_<client id>', () => {
    expect(devApiKey('tax-backend')).toBe('stk_dev_tax-backend');
  });

  it.each(SAMPLE_CLIENT_IDS.map((id) => [id]))(
    "the sample's key of %s is published, whatever client holds it",
    (id) => {
      expect(hasPublishedKey({ id: 'someone-else', apiKeySha256: hashApiKey(`stk_dev_${id}`) })).toBe(true);
    },
  );

  it("a key stk_dev_<its own id> is published, for any id; a random key, or another id's, is not", () => {
    expect(hasPublishedKey({ id: 'new-client', apiKeySha256: hashApiKey('stk_dev_new-client') })).toBe(true);
    expect(hasPublishedKey({ id: 'new-client', apiKeySha256: hashApiKey('stk_dev_other-client') })).toBe(false);
    expect(hasPublishedKey({ id: 'new-client', apiKeySha256: hashApiKey(newApiKey()) })).toBe(false);
    expect(hasPublishedKey({ id: 'tax-backend', apiKeySha256: hashApiKey(newApiKey()) })).toBe(false);
  });

  it('the sample lists its ten clients', () => {
    expect(SAMPLE_CLIENT_IDS).toEqual([
      'hospital-backend',
      'tax-backend',
      'welfare-backend',
      'bank-backend',
      'regulator-cndp',
      'regulator-health',
      'auditor',
      'operator',
      'regulator-cndp-b',
      'registry-backend',
    ]);
  });
});
