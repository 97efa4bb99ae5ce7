/**
 * The cache of authenticated keys (src/access/apiKeys.ts): the same principal as the hash lookup,
 * only keys that authenticated enter it, and a refused key is refused every time.
 */
import { clientDirectory, hashApiKey, newApiKey } from '../../src/access/apiKeys.js';
import type { ClientConfig } from '../../src/config/schema.js';

const client = (id: string, key: string): ClientConfig => ({
  id,
  role: 'service',
  sectors: ['tax'],
  apiKeySha256: hashApiKey(key),
});

describe('principal cache', () => {
  it('when a key authenticates again, then it is the same principal, under any case of the scheme', () => {
    const key = newApiKey();
    const directory = clientDirectory([client('tax-backend', key)]);
    const first = directory.authenticate(`Bearer ${key}`);
    expect(first?.id).toBe('tax-backend');
    expect(directory.authenticate(`bearer ${key}`)).toBe(first);
    expect(directory.authenticate(`Bearer ${key}`)).toBe(first);
  });

  it('when wrong keys are presented, even many times and next to a cached one, then each is refused', () => {
    const key = newApiKey();
    const directory = clientDirectory([client('tax-backend', key)]);
    expect(directory.authenticate(`Bearer ${key}`)?.id).toBe('tax-backend');
    for (let i = 0; i < 5000; i++) expect(directory.authenticate(`Bearer ${newApiKey()}`)).toBeUndefined();
    expect(directory.authenticate(`Bearer ${key}x`)).toBeUndefined();
    expect(directory.authenticate(`Bearer ${key.slice(0, -1)}`)).toBeUndefined();
    expect(directory.authenticate(`Bearer ${key}`)?.id).toBe('tax-backend');
  });

  it('when many clients authenticate, then each gets its own principal', () => {
    const keys = Array.from({ length: 40 }, () => newApiKey());
    const directory = clientDirectory(keys.map((k, i) => client(`client-${i}`, k)));
    for (let round = 0; round < 3; round++)
      keys.forEach((k, i) => expect(directory.authenticate(`Bearer ${k}`)?.id).toBe(`client-${i}`));
  });
});
