/**
 * Whether two keyrings are one keyring (the same keys for every purpose but the sector keys): a
 * running service binds its audit chain (MAC), its signed checkpoints, its sealed dual-control
 * requests (root) and its token cache (blind index) to the keyring it started with, so a reload
 * may take in a rotation or a new sector, never another keyring.
 */
import type { Keyring } from './keyring.js';

const equalBytes = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((byte, i) => byte === b[i]);

export function sameKeyring(a: Keyring, b: Keyring): boolean {
  return (
    a.development === b.development &&
    equalBytes(a.root, b.root) &&
    equalBytes(a.cacheIndex, b.cacheIndex) &&
    equalBytes(a.auditMac, b.auditMac) &&
    a.auditSigning.d === b.auditSigning.d
  );
}
