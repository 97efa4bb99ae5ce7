/**
 * Working keys from keyring keys, HKDF-SHA256 (RFC 5869) with the labels of docs/DERIVATION.md §3.
 * Deriving per use means a sector key that changes policy never serves two algorithms.
 */
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
/** DERIVATION.md §3: salt = ASCII "sectoken/v1". */
export const HKDF_SALT = utf8('sectoken/v1');

const derive = (ikm: Uint8Array, info: string): Uint8Array => hkdf(sha256, ikm, HKDF_SALT, utf8(info), 32);

/** DERIVATION.md §3: K_tni. */
export const tniKey = (root: Uint8Array): Uint8Array => derive(root, 'sectoken/v1/tni/ff1');
/** DERIVATION.md §3: K_ff1(s, v). */
export const sectorFf1Key = (secret: Uint8Array, sector: string, version: number): Uint8Array =>
  derive(secret, `sectoken/v1/sector/${sector}/${version}/ff1`);
/** DERIVATION.md §3: K_mac(s, v). */
export const sectorHmacKey = (secret: Uint8Array, sector: string, version: number): Uint8Array =>
  derive(secret, `sectoken/v1/sector/${sector}/${version}/hmac`);

/** DERIVATION.md §10.2: the seed of RFC 9497 DeriveKeyPair for blind sector s, version v. */
export const sectorVoprfSeed = (secret: Uint8Array, sector: string, version: number): Uint8Array =>
  derive(secret, `sectoken/v1/sector/${sector}/${version}/voprf-seed`);

/** Blind index of cached tokens (src/store/tokenCache.ts). */
export const cacheIndexKey = (cacheIndex: Uint8Array): Uint8Array => derive(cacheIndex, 'sectoken/v1/cache-index');
/** MAC binding each cached token in Redis to its blind index (src/store/tokenCache.ts). */
export const cacheValueKey = (cacheIndex: Uint8Array): Uint8Array => derive(cacheIndex, 'sectoken/v1/cache-value');
/** Sealing of dual-control requests kept in Redis (src/store/requests.ts). */
export const requestStateKey = (root: Uint8Array): Uint8Array => derive(root, 'sectoken/v1/request-state');
