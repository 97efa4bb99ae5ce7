/**
 * The keyring sealed inside a PKCS#11 token (docs/AUDIT.md §8): AES-256-GCM (CKM_AES_GCM, 96-bit
 * IV, 128-bit tag) under the token's KEK, computed by the token. The header names the key by a
 * fingerprint the token computes too, so that another token's key and a damaged file get different
 * one-line reasons.
 */
import { z } from 'zod';

export const PKCS11_SEALED_FORMAT = 'sectoken-sealed-keyring-pkcs11/1';

export const pkcs11HeaderSchema = z.strictObject({
  format: z.literal(PKCS11_SEALED_FORMAT),
  development: z.boolean(),
  /** The token and key labels that sealed it: for the operator's messages, not bound to the seal. */
  token: z.string().max(32),
  key: z.string().max(256),
  mechanism: z.literal('CKM_AES_GCM'),
  kekFingerprint: z.string().regex(/^[0-9a-f]{16}$/),
  iv: z.string().regex(/^[A-Za-z0-9_-]{16}$/),
  ciphertext: z.string().regex(/^[A-Za-z0-9_-]+$/),
});

export type Pkcs11Header = z.infer<typeof pkcs11HeaderSchema>;

const utf8 = (s: string): Buffer => Buffer.from(s, 'utf8');

export const GCM_IV_BYTES = 12;
export const GCM_TAG_BYTES = 16;

/** The associated data of the seal: the header fields that matter, as in the file-KEK format. */
export const sealAad = (development: boolean, fingerprint: string): Buffer =>
  utf8(`${PKCS11_SEALED_FORMAT}|development=${development}|kek=${fingerprint}`);

/**
 * The key's fingerprint: the first 8 bytes of the GCM tag of 16 zero bytes under a fixed IV and
 * associated data (a key check value the token computes; seals use random IVs, never this one).
 */
export const FINGERPRINT_IV = Buffer.from('sectoken-kcv', 'ascii');
export const FINGERPRINT_AAD = utf8('sectoken/v1/kek-fingerprint');
export const FINGERPRINT_INPUT = Buffer.alloc(16);
