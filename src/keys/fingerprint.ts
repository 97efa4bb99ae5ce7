/**
 * The keyring's fingerprint (docs/DERIVATION.md §3, "Keyring fingerprint"): what a configuration
 * pins (`keyringFingerprint`) so that no instance of a fleet serves another keyring, and what
 * `/readyz` reports so that a fleet can be compared. An HKDF output under the keyring's stable
 * keys (root, cacheIndex, auditMac; the audit signing public key in `info`): it tells keyrings
 * apart without revealing any key, and stays the same through add-sector, rotate and min-version.
 */
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import type { Keyring } from './keyring.js';

/** 32 lower-case hex digits (16 bytes). */
export const FINGERPRINT = /^[0-9a-f]{32}$/;

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

export function keyringFingerprint(
  keyring: Pick<Keyring, 'root' | 'cacheIndex' | 'auditMac' | 'auditSigning'>,
): string {
  const ikm = new Uint8Array(96);
  ikm.set(keyring.root, 0);
  ikm.set(keyring.cacheIndex, 32);
  ikm.set(keyring.auditMac, 64);
  const out = hkdf(
    sha256,
    ikm,
    utf8('sectoken/v1'),
    utf8(`sectoken/v1/keyring-fingerprint/${keyring.auditSigning.x}`),
    16,
  );
  ikm.fill(0);
  return Buffer.from(out).toString('hex');
}
