import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { hkdf, extract } from '@noble/hashes/hkdf.js';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { HKDF_SALT, sectorFf1Key, sectorHmacKey, tniKey } from '../../src/keys/derive.js';

// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- the caller names the vector file's shape
const load = <T>(name: string): T =>
  JSON.parse(readFileSync(new URL(`../vectors/${name}`, import.meta.url), 'utf8')) as T;
const hex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'hex'));
const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

describe('HMAC-SHA256 against RFC 4231', () => {
  const { cases } = load<{
    cases: { case: number; key: string; data: string; mac: string; truncateBytes?: number }[];
  }>('rfc4231-hmac-sha256.json');
  it.each(cases.map((c) => [c.case, c] as const))('case %i', (_n, c) => {
    const mac = hmac(sha256, hex(c.key), hex(c.data));
    const keyedClone = hmac.create(sha256, hex(c.key)).clone().update(hex(c.data)).digest();
    const cut = c.truncateBytes ?? 32;
    expect(toHex(mac.subarray(0, cut))).toBe(c.mac);
    expect(toHex(keyedClone.subarray(0, cut))).toBe(c.mac);
    expect(
      createHmac('sha256', hex(c.key))
        .update(hex(c.data))
        .digest('hex')
        .slice(0, cut * 2),
    ).toBe(c.mac);
  });
});

describe('HKDF-SHA256 against RFC 5869', () => {
  const { cases } = load<{
    cases: { case: number; ikm: string; salt: string; info: string; length: number; prk: string; okm: string }[];
  }>('rfc5869-hkdf-sha256.json');
  it.each(cases.map((c) => [c.case, c] as const))('case %i', (_n, c) => {
    const salt = c.salt === '' ? undefined : hex(c.salt);
    expect(toHex(extract(sha256, hex(c.ikm), salt))).toBe(c.prk);
    expect(toHex(hkdf(sha256, hex(c.ikm), salt, hex(c.info), c.length))).toBe(c.okm);
  });
});

describe('working-key derivation (DERIVATION.md §3)', () => {
  const ikm = hex('11'.repeat(32));
  it('uses HKDF-SHA256 with the documented salt and labels', () => {
    const label = (info: string): string =>
      toHex(hkdf(sha256, ikm, new TextEncoder().encode('sectoken/v1'), new TextEncoder().encode(info), 32));
    expect(new TextDecoder().decode(HKDF_SALT)).toBe('sectoken/v1');
    expect(toHex(tniKey(ikm))).toBe(label('sectoken/v1/tni/ff1'));
    expect(toHex(sectorFf1Key(ikm, 'health', 3))).toBe(label('sectoken/v1/sector/health/3/ff1'));
    expect(toHex(sectorHmacKey(ikm, 'health', 3))).toBe(label('sectoken/v1/sector/health/3/hmac'));
  });
  it('gives different keys to different sectors, versions and purposes', () => {
    const keys = [
      sectorFf1Key(ikm, 'health', 1),
      sectorFf1Key(ikm, 'tax', 1),
      sectorFf1Key(ikm, 'health', 2),
      sectorHmacKey(ikm, 'health', 1),
      tniKey(ikm),
    ].map(toHex);
    expect(new Set(keys).size).toBe(keys.length);
  });
});
