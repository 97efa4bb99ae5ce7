/**
 * expand_message_xmd with SHA-512 (RFC 9380 §5.3.1), for the 64 bytes that RFC 9497's
 * ristretto255-SHA512 hashes to a group element or a scalar (§4.1). The first block of b_0 is
 * always 128 zero bytes (Z_pad): it is hashed once and its state copied. node:crypto's SHA-512
 * is native: the hashing stays a few per cent of an evaluation (bench/blind.ts).
 */
import { createHash } from 'node:crypto';

export const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);
const Z_PAD = createHash('sha512').update(new Uint8Array(128));
const LENGTH_AND_ZERO = new Uint8Array([0, 64, 0]);
const ONE = new Uint8Array([1]);

export const sha512 = (message: Uint8Array): Uint8Array =>
  new Uint8Array(createHash('sha512').update(message).digest());

/** RFC 9380 §5.3.1 with len_in_bytes = 64 (ell = 1): b_1 = H(b_0 || 1 || DST'), b_0 = H(Z_pad || msg || I2OSP(64, 2) || 0 || DST'). */
export function expand64(message: Uint8Array, dst: Uint8Array): Uint8Array {
  if (dst.length > 255) throw new Error('a DST of more than 255 bytes');
  const dstPrime = new Uint8Array(dst.length + 1);
  dstPrime.set(dst);
  dstPrime[dst.length] = dst.length;
  const b0 = Z_PAD.copy().update(message).update(LENGTH_AND_ZERO).update(dstPrime).digest();
  return new Uint8Array(createHash('sha512').update(b0).update(ONE).update(dstPrime).digest());
}
