/**
 * A blind sector's VOPRF key pair per key version (docs/DERIVATION.md §10.2): RFC 9497
 * DeriveKeyPair with seed = HKDF of the sector key S(s, v) and info naming sector and version.
 * Server side only: backends get the public key, never this module.
 */
import { sectorVoprfSeed } from '../../keys/derive.js';
import { blindKeyInfo } from './render.js';
import { deriveKeyPair, type KeyPair } from './voprf.js';

export function blindKeyPair(secret: Uint8Array, sector: string, version: number): KeyPair {
  const seed = sectorVoprfSeed(secret, sector, version);
  const pair = deriveKeyPair(seed, blindKeyInfo(sector, version));
  seed.fill(0);
  return pair;
}
