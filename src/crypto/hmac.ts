/**
 * HMAC-SHA256 (RFC 2104 / FIPS 198-1 over SHA-256 of FIPS 180-4) for many short messages under one
 * key. HMAC(K, m) = H((K0 ⊕ opad) || H((K0 ⊕ ipad) || m)); the SHA-256 states after the one block
 * K0 ⊕ ipad and after K0 ⊕ opad are computed once per key, so a message of up to 55 bytes costs two
 * compressions (its own padded block, then the outer block), with no allocation in `macWords`.
 *
 * Pure JavaScript on purpose: for a 9-byte message one call into node:crypto (createHmac, or
 * createHash().copy()) costs more than both compressions here (see bench/run.ts).
 *
 * Also `numeralsMod`: the numerals of a digest modulo radix^n (DERIVATION.md §5, one-way body)
 * without BigInt.
 */

/** FIPS 180-4 §4.2.2: the first 32 bits of the fractional parts of the cube roots of the first 64 primes. */
const K = Int32Array.from([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98,
  0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
  0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8,
  0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
  0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
  0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
  0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
  0xc67178f2,
]);

/** FIPS 180-4 §5.3.3: the initial hash value. */
const IV = Int32Array.from([
  0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
]);

const BLOCK = 64;

export interface KeyedHmacSha256 {
  /** HMAC-SHA256(key, message): 32 bytes, in `out` if given, otherwise a new array. */
  mac(message: Uint8Array, out?: Uint8Array): Uint8Array;
  /** HMAC-SHA256(key, message) as eight big-endian 32-bit words, written into `out`. */
  macWords(message: Uint8Array, out: Uint32Array): Uint32Array;
}

/** HMAC-SHA256 under `key` (any length), with the key pads hashed once, here. */
export function hmacSha256(key: Uint8Array): KeyedHmacSha256 {
  const W = new Int32Array(64);
  // RFC 2104 step 1: K0 = the key, hashed first if longer than a block, zero-padded to 64 bytes.
  const K0 = new Uint8Array(BLOCK);
  K0.set(key.length > BLOCK ? sha256(key, W) : key);
  const padState = (pad: number): Int32Array => {
    const state = IV.slice();
    loadBlock(
      W,
      K0.map((byte) => byte ^ pad),
      0,
    );
    compress(state, W);
    return state;
  };
  const inner = padState(0x36);
  const outer = padState(0x5c);
  K0.fill(0);
  const H = new Int32Array(8);

  const macWords = (message: Uint8Array, out: Uint32Array): Uint32Array => {
    // Inner hash: SHA-256 continued from the ipad state over message || padding (FIPS 180-4
    // §5.1.1: 0x80, zeros, the 64-bit bit length, which counts the 64 bytes of K0 ⊕ ipad too).
    H.set(inner);
    let off = 0;
    for (; off + BLOCK <= message.length; off += BLOCK) {
      loadBlock(W, message, off);
      compress(H, W);
    }
    const rest = message.length - off;
    W.fill(0, 0, 16);
    for (let j = 0; j < rest; j++) W[j >> 2]! |= message[off + j]! << (24 - 8 * (j & 3));
    W[rest >> 2]! |= 0x80 << (24 - 8 * (rest & 3));
    if (rest >= 56) {
      // No room for the length: it goes into one more block.
      compress(H, W);
      W.fill(0, 0, 16);
    }
    const bits = (BLOCK + message.length) * 8;
    W[14] = Math.floor(bits / 2 ** 32);
    W[15] = bits | 0;
    compress(H, W);
    // Outer hash: one block, the 32-byte inner digest || 0x80 || zeros || 768 (bits of 64 + 32 bytes).
    for (let t = 0; t < 8; t++) W[t] = H[t]!;
    W[8] = 0x80000000 | 0;
    W.fill(0, 9, 15);
    W[15] = (BLOCK + 32) * 8;
    H.set(outer);
    compress(H, W);
    for (let t = 0; t < 8; t++) out[t] = H[t]!;
    return out;
  };

  const words = new Uint32Array(8);
  return {
    macWords,
    mac(message, out = new Uint8Array(32)) {
      macWords(message, words);
      for (let t = 0; t < 8; t++) {
        const w = words[t]!;
        out[4 * t] = w >>> 24;
        out[4 * t + 1] = w >>> 16;
        out[4 * t + 2] = w >>> 8;
        out[4 * t + 3] = w;
      }
      return out;
    },
  };
}

/**
 * The n numerals in `radix` (most significant first) of m mod radix^n, where m is the 256-bit
 * big-endian integer of `digest` (eight words, as from macWords): they are simply the n lowest
 * numerals of m. For a power-of-two radix they are bit fields; otherwise they come from long
 * division of m by radix^k (radix^k < 2^21, so every partial remainder·2^32 + word stays below
 * 2^53), k numerals at a time. Writes into `out` from `offset`.
 */
export function numeralsMod(
  digest: Uint32Array,
  radix: number,
  n: number,
  out: number[] | Uint8Array,
  offset = 0,
): void {
  if (!Number.isInteger(radix) || radix < 2 || radix > 65536)
    throw new Error('numeralsMod: radix must be an integer in [2, 65536]');
  if (!Number.isInteger(n) || n < 0) throw new Error('numeralsMod: n must be a non-negative integer');
  if ((radix & (radix - 1)) === 0) {
    // radix = 2^bits: numeral i from the right is bits [i·bits, (i+1)·bits) of m.
    const bits = 31 - Math.clz32(radix);
    for (let i = 0; i < n; i++) {
      const low = i * bits;
      const w = 7 - (low >>> 5);
      const shift = low & 31;
      let value = w >= 0 ? digest[w]! >>> shift : 0;
      if (shift + bits > 32 && w > 0) value |= digest[w - 1]! << (32 - shift);
      out[offset + n - 1 - i] = value & (radix - 1);
    }
    return;
  }
  let k = 0;
  let divisor = 1;
  while (divisor * radix < 2 ** 21) {
    divisor *= radix;
    k++;
  }
  const limbs = Array.from(digest);
  let top = 0;
  for (let end = offset + n; end > offset; end -= k) {
    // limbs ← ⌊limbs / divisor⌋, remainder = limbs mod divisor: the next k numerals, lowest first.
    while (top < limbs.length - 1 && limbs[top] === 0) top++;
    let remainder = 0;
    for (let j = top; j < limbs.length; j++) {
      const x = remainder * 2 ** 32 + limbs[j]!;
      const q = Math.floor(x / divisor);
      remainder = x - q * divisor;
      limbs[j] = q;
    }
    for (let p = end - 1; p >= Math.max(offset, end - k); p--) {
      const q = Math.floor(remainder / radix);
      out[p] = remainder - q * radix;
      remainder = q;
    }
  }
}

/** SHA-256 of a whole message (only used for keys longer than a block). */
function sha256(message: Uint8Array, W: Int32Array): Uint8Array {
  const padded = new Uint8Array(Math.ceil((message.length + 9) / BLOCK) * BLOCK);
  padded.set(message);
  padded[message.length] = 0x80;
  writeBitLength(padded, padded.length, message.length);
  const H = IV.slice();
  for (let off = 0; off < padded.length; off += BLOCK) {
    loadBlock(W, padded, off);
    compress(H, W);
  }
  const digest = new Uint8Array(32);
  const view = new DataView(digest.buffer);
  for (let t = 0; t < 8; t++) view.setUint32(4 * t, H[t]!, false);
  return digest;
}

/** Writes the 64-bit big-endian bit length of `bytes` bytes into the 8 bytes before `end`. */
function writeBitLength(buf: Uint8Array, end: number, bytes: number): void {
  const bits = bytes * 8;
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  view.setUint32(end - 8, Math.floor(bits / 2 ** 32), false);
  view.setUint32(end - 4, bits >>> 0, false);
}

/** W[0..15] = the 16 big-endian words of the 64-byte block at `off`. */
function loadBlock(W: Int32Array, bytes: Uint8Array, off: number): void {
  for (let t = 0; t < 16; t++, off += 4) {
    W[t] = (bytes[off]! << 24) | (bytes[off + 1]! << 16) | (bytes[off + 2]! << 8) | bytes[off + 3]!;
  }
}

/** FIPS 180-4 §6.2.2: one SHA-256 compression of the block in W[0..15] into state H. */
function compress(H: Int32Array, W: Int32Array): void {
  for (let t = 16; t < 64; t++) {
    const w15 = W[t - 15]!;
    const w2 = W[t - 2]!;
    const s0 = ((w15 >>> 7) | (w15 << 25)) ^ ((w15 >>> 18) | (w15 << 14)) ^ (w15 >>> 3);
    const s1 = ((w2 >>> 17) | (w2 << 15)) ^ ((w2 >>> 19) | (w2 << 13)) ^ (w2 >>> 10);
    W[t] = (s1 + W[t - 7]! + s0 + W[t - 16]!) | 0;
  }
  let a = H[0]!,
    b = H[1]!,
    c = H[2]!,
    d = H[3]!,
    e = H[4]!,
    f = H[5]!,
    g = H[6]!,
    h = H[7]!;
  for (let t = 0; t < 64; t++) {
    const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const ch = (e & f) ^ (~e & g);
    const T1 = (h + S1 + ch + K[t]! + W[t]!) | 0;
    const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const maj = (a & b) ^ (a & c) ^ (b & c);
    const T2 = (S0 + maj) | 0;
    h = g;
    g = f;
    f = e;
    e = (d + T1) | 0;
    d = c;
    c = b;
    b = a;
    a = (T1 + T2) | 0;
  }
  H[0] = (H[0]! + a) | 0;
  H[1] = (H[1]! + b) | 0;
  H[2] = (H[2]! + c) | 0;
  H[3] = (H[3]! + d) | 0;
  H[4] = (H[4]! + e) | 0;
  H[5] = (H[5]! + f) | 0;
  H[6] = (H[6]! + g) | 0;
  H[7] = (H[7]! + h) | 0;
}
