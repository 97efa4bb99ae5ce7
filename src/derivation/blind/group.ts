/**
 * The ristretto255 group (RFC 9496) of RFC 9497's ciphersuite ristretto255-SHA512 (§4.1), on
 * libsodium's WebAssembly build: its scalar multiplication is several times @noble/curves' here,
 * and the scalar multiplications are the whole cost of an evaluation (bench/blind.ts).
 * Elements and scalars are their 32-byte encodings; scalars are little-endian, reduced mod L.
 */
import sodium from 'libsodium-wrappers-sumo';

// The WebAssembly module loads once, before anything here is called.
await sodium.ready;

export const ELEMENT_BYTES = 32;
export const SCALAR_BYTES = 32;
const IDENTITY = new Uint8Array(ELEMENT_BYTES);

/** Whether `bytes` is the canonical encoding of an element other than the identity (RFC 9497 §4.1 DeserializeElement). */
export function isElement(bytes: Uint8Array): boolean {
  return (
    bytes.length === ELEMENT_BYTES &&
    !sodium.memcmp(bytes, IDENTITY) &&
    sodium.crypto_core_ristretto255_is_valid_point(bytes)
  );
}

/** k·P; undefined when P is no canonical encoding or the product is the identity (libsodium refuses both). */
export function multiply(scalar: Uint8Array, element: Uint8Array): Uint8Array | undefined {
  try {
    return sodium.crypto_scalarmult_ristretto255(scalar, element);
  } catch {
    return undefined;
  }
}

/** k·G; k ≠ 0. */
export const multiplyBase = (scalar: Uint8Array): Uint8Array => sodium.crypto_scalarmult_ristretto255_base(scalar);
export const add = (p: Uint8Array, q: Uint8Array): Uint8Array => sodium.crypto_core_ristretto255_add(p, q);
/** RFC 9496 §4.3.4 one-way map of 64 uniform bytes (hash_to_ristretto255's last step). */
export const fromUniform = (uniform: Uint8Array): Uint8Array => sodium.crypto_core_ristretto255_from_hash(uniform);
/** A 64-byte little-endian integer mod L. */
export const reduceWide = (wide: Uint8Array): Uint8Array => sodium.crypto_core_ristretto255_scalar_reduce(wide);
export const scalarMul = (x: Uint8Array, y: Uint8Array): Uint8Array => sodium.crypto_core_ristretto255_scalar_mul(x, y);
export const scalarSub = (x: Uint8Array, y: Uint8Array): Uint8Array => sodium.crypto_core_ristretto255_scalar_sub(x, y);
export const scalarInvert = (x: Uint8Array): Uint8Array => sodium.crypto_core_ristretto255_scalar_invert(x);
export const randomScalar = (): Uint8Array => sodium.crypto_core_ristretto255_scalar_random();
export const equal = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && sodium.memcmp(a, b);

/** Whether 32 bytes are a scalar below L (RFC 9497 §4.1 DeserializeScalar): reducing them changes nothing. */
export function isScalar(bytes: Uint8Array): boolean {
  if (bytes.length !== SCALAR_BYTES) return false;
  const wide = new Uint8Array(64);
  wide.set(bytes);
  return sodium.memcmp(reduceWide(wide), bytes);
}

export const isZeroScalar = (bytes: Uint8Array): boolean => sodium.is_zero(bytes);
