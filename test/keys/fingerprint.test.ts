/**
 * The keyring fingerprint (docs/DERIVATION.md §3): the fixed test keyring's, computed from the
 * document by Python's hmac/hashlib (an HKDF written out, not @noble), and what it binds: the
 * stable keys and the audit signing public key, not the sector keys that add-sector and rotate change.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../../src/config/env.js';
import { keyringFingerprint } from '../../src/keys/fingerprint.js';
import { addSector, generateKeyring, parseKeyring } from '../../src/keys/keyring.js';

const testKeyring = () =>
  parseKeyring(
    new TextEncoder().encode(readFileSync(join(PACKAGE_ROOT, 'test', 'vectors', 'test-keyring.json'), 'utf8')),
  );

/*
 * python3: ikm = root ‖ cacheIndex ‖ auditMac; prk = HMAC-SHA256(b"sectoken/v1", ikm);
 * okm = HMAC-SHA256(prk, b"sectoken/v1/keyring-fingerprint/" + x + b"\x01")[:16]
 */
const TEST_KEYRING_FINGERPRINT = '0fe2979274b83dfba480b0a6b575b2f2';

describe('keyring fingerprint', () => {
  it("is the test keyring's, as an independent implementation of the document computes it", () => {
    expect(keyringFingerprint(testKeyring())).toBe(TEST_KEYRING_FINGERPRINT);
  });

  it('stays the same when sectors are added or rotated', () => {
    const keyring = testKeyring();
    addSector(keyring, 'education');
    // A rotation, written out (what `keys rotate` adds): a new version made current.
    const tax = keyring.sectors.get('tax')!;
    tax.versions.set(tax.current + 1, new Uint8Array(32).fill(7));
    tax.current += 1;
    expect(keyringFingerprint(keyring)).toBe(TEST_KEYRING_FINGERPRINT);
  });

  it.each(['root', 'cacheIndex', 'auditMac'] as const)('changes when %s changes', (key) => {
    const keyring = testKeyring();
    keyring[key] = new Uint8Array(keyring[key]);
    keyring[key][0]! ^= 1;
    expect(keyringFingerprint(keyring)).not.toBe(TEST_KEYRING_FINGERPRINT);
  });

  it('changes when the audit signing public key changes, and differs between two new keyrings', () => {
    const keyring = testKeyring();
    keyring.auditSigning = generateKeyring([], false).auditSigning;
    expect(keyringFingerprint(keyring)).not.toBe(TEST_KEYRING_FINGERPRINT);
    expect(keyringFingerprint(generateKeyring(['tax'], false))).not.toBe(
      keyringFingerprint(generateKeyring(['tax'], false)),
    );
  });
});
