/**
 * API keys and the cache of authenticated keys (src/access/apiKeys.ts), seen from outside: the
 * key format, the hash, the principal a client gets, headers that are not bearer credentials, and
 * what the cache is for, counted in SHA-256 computations (node:crypto's createHash, wrapped): a
 * known key costs none, an unknown key one every time, and the cache keeps the most recent keys,
 * max(16, min(clients, 1024)) of them.
 */
import { jest } from '@jest/globals';
import type { ClientConfig } from '../../src/config/schema.js';

const crypto = await import('node:crypto');
let hashes = 0;
jest.unstable_mockModule('node:crypto', () => ({
  ...crypto,
  default: crypto,
  createHash: (...args: Parameters<typeof crypto.createHash>) => {
    hashes += 1;
    return crypto.createHash(...args);
  },
}));
const { clientDirectory, hashApiKey, newApiKey } = await import('../../src/access/apiKeys.js');

const client = (id: string, key: string, over: Partial<ClientConfig> = {}): ClientConfig => ({
  id,
  role: 'service',
  sectors: ['tax'],
  apiKeySha256: crypto.createHash('sha256').update(key).digest('hex'),
  ...over,
});

/** SHA-256 computations made by `run`. */
function cost(run: () => unknown): number {
  const before = hashes;
  run();
  return hashes - before;
}

describe('API keys', () => {
  it('are stk_ and 256 random bits in base64url, and differ every time', () => {
    const keys = Array.from({ length: 50 }, newApiKey);
    for (const key of keys) expect(key).toMatch(/^stk_[A-Za-z0-9_-]{43}$/);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('are stored as the hex SHA-256 of their UTF-8 bytes', () => {
    expect(hashApiKey('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(hashApiKey('é')).toBe(crypto.createHash('sha256').update(Buffer.from('é', 'utf8')).digest('hex'));
  });
});

describe('authenticate', () => {
  it('gives the configured principal: id, role, sectors, and the person and organisation or null', () => {
    const [a, b] = [newApiKey(), newApiKey()];
    const directory = clientDirectory([
      client('regulator-x', a, {
        role: 'regulator',
        sectors: ['health', 'tax'],
        person: 'Amina Benali',
        organisation: 'CNDP',
      }),
      client('tax-backend', b),
    ]);
    expect(directory.authenticate(`Bearer ${a}`)).toEqual({
      id: 'regulator-x',
      role: 'regulator',
      sectors: new Set(['health', 'tax']),
      person: 'Amina Benali',
      organisation: 'CNDP',
    });
    expect(directory.authenticate(`Bearer ${b}`)).toEqual({
      id: 'tax-backend',
      role: 'service',
      sectors: new Set(['tax']),
      person: null,
      organisation: null,
    });
  });

  it('refuses, without throwing, what is not a bearer credential', () => {
    const key = newApiKey();
    const directory = clientDirectory([client('tax-backend', key)]);
    for (const header of [
      undefined,
      '',
      key,
      `Basic ${key}`,
      'Bearer',
      'Bearer ',
      `Bearer  ${key}`,
      `Bearer ${key} x`,
      `Bearer ${key}\n`,
      `Bearer ${'a'.repeat(513)}`,
      `Bearer ${key}é`,
      `xBearer ${key}`,
      `Basic Bearer ${key}`,
    ]) {
      expect([header, directory.authenticate(header)]).toEqual([header, undefined]);
    }
    expect(directory.authenticate(`BEARER ${key}`)?.id).toBe('tax-backend');
  });

  it('hashes a key once: a known key costs no hash again, an unknown key one every time', () => {
    const key = newApiKey();
    const directory = clientDirectory([client('tax-backend', key)]);
    expect(cost(() => expect(directory.authenticate(`Bearer ${key}`)?.id).toBe('tax-backend'))).toBe(1);
    expect(cost(() => expect(directory.authenticate(`Bearer ${key}`)?.id).toBe('tax-backend'))).toBe(0);
    const wrong = newApiKey();
    expect(cost(() => directory.authenticate(`Bearer ${wrong}`))).toBe(1);
    expect(cost(() => directory.authenticate(`Bearer ${wrong}`))).toBe(1);
    expect(cost(() => directory.authenticate('Basic x'))).toBe(0);
  });

  it('keeps at least 16 keys, so a few clients are each hashed once', () => {
    const keys = Array.from({ length: 3 }, newApiKey);
    const directory = clientDirectory(keys.map((k, i) => client(`c${i}`, k)));
    expect(cost(() => keys.forEach((k) => directory.authenticate(`Bearer ${k}`)))).toBe(3);
    expect(cost(() => keys.forEach((k) => directory.authenticate(`Bearer ${k}`)))).toBe(0);
  });

  it('with more than 1024 clients, keeps the 1024 most recently used keys', () => {
    const n = 1030;
    const keys = Array.from({ length: n }, newApiKey);
    const directory = clientDirectory(keys.map((k, i) => client(`c${i}`, k)));
    const auth = (i: number): number =>
      cost(() => expect(directory.authenticate(`Bearer ${keys[i]}`)?.id).toBe(`c${i}`));
    for (let i = 0; i < 1024; i++) auth(i);
    // A hit makes key 0 the most recent: the next new key pushes out key 1, the oldest.
    expect(auth(0)).toBe(0);
    expect(auth(1024)).toBe(1);
    expect(auth(0)).toBe(0);
    for (let i = 1025; i < n; i++) auth(i);
    // Kept: 0 and 7…1029 (1024 keys); pushed out: 1…6.
    expect([auth(7), auth(1029), auth(0)]).toEqual([0, 0, 0]);
    expect(auth(6)).toBe(1);
  });
});
