/**
 * FF1 format-preserving encryption, NIST SP 800-38G Rev. 1 §6 Algorithms 7 and 8, over OpenSSL AES.
 *
 * The AES key schedule is made once per key; per numeral length the constant block P, and the
 * CBC-MAC state over P and the fixed bytes of Q, are computed once. Rounds use plain numbers while
 * radix^v < 2^45 (so that r·256 + 255 stays below 2^53) and BigInt only beyond that.
 */
import { aesEcb, type BlockCipher } from './aes.js';

export interface FF1 {
  /** Encrypts a numeral string (digits in [0, radix)); returns a new string of the same length. */
  encrypt(x: readonly number[]): number[];
  /** Inverse of encrypt. */
  decrypt(x: readonly number[]): number[];
}

/** SP 800-38G Rev. 1 §5.2: radix^minlen ≥ 1,000,000. */
export const FF1_MIN_DOMAIN = 1_000_000;
const MAX_LENGTH = 4096;
const MAX_TWEAK = 4096;
const NUMBER_PATH_LIMIT = 2 ** 45;

interface Plan {
  u: number;
  v: number;
  b: number;
  d: number;
  /** CBC-MAC state after P and the leading whole blocks of Q that never change between rounds. */
  state: Uint8Array;
  /** The remaining blocks of Q; round i writes [i]1 || [NUMradix(B)]b into its last b+1 bytes. */
  tail: Uint8Array;
  small: boolean;
  powU: number;
  powV: number;
  bigPowU: bigint;
  bigPowV: bigint;
}

export function ff1(key: Uint8Array, radix: number, tweak: Uint8Array): FF1 {
  if (!Number.isInteger(radix) || radix < 2 || radix > 65536) throw new Error('ff1: radix must be an integer in [2, 65536]');
  if (tweak.length > MAX_TWEAK) throw new Error(`ff1: tweak must be at most ${MAX_TWEAK} bytes`);
  const aes = aesEcb(key);
  const T = Uint8Array.from(tweak);
  const plans = new Map<number, Plan>();

  const planFor = (n: number): Plan => {
    let plan = plans.get(n);
    if (!plan) {
      plan = makePlan(aes, radix, T, n);
      plans.set(n, plan);
    }
    return plan;
  };

  const check = (x: readonly number[]): void => {
    if (!Array.isArray(x) || x.length < 2 || x.length > MAX_LENGTH) throw new Error('ff1: numeral string has an invalid length');
    if (BigInt(radix) ** BigInt(x.length) < BigInt(FF1_MIN_DOMAIN)) throw new Error('ff1: domain radix^n is below 1,000,000');
    for (const digit of x) {
      if (!Number.isInteger(digit) || digit < 0 || digit >= radix) throw new Error('ff1: numeral outside [0, radix)');
    }
  };

  return {
    encrypt(x) {
      check(x);
      const plan = planFor(x.length);
      // Step 2: A = X[1..u], B = X[u+1..n].
      let A = x.slice(0, plan.u);
      let B = x.slice(plan.u);
      for (let i = 0; i < 10; i++) {
        // Steps 6i–6ix: C = STR(NUM(A) + y mod radix^m); A = B; B = C.
        const m = i % 2 === 0 ? plan.u : plan.v;
        const C = combine(plan, radix, A, prf(aes, plan, radix, i, B), m, +1);
        A = B;
        B = C;
      }
      return A.concat(B);
    },
    decrypt(x) {
      check(x);
      const plan = planFor(x.length);
      let A = x.slice(0, plan.u);
      let B = x.slice(plan.u);
      for (let i = 9; i >= 0; i--) {
        // Algorithm 8 steps 6i–6ix: C = STR(NUM(B) − y mod radix^m); B = A; A = C.
        const m = i % 2 === 0 ? plan.u : plan.v;
        const C = combine(plan, radix, B, prf(aes, plan, radix, i, A), m, -1);
        B = A;
        A = C;
      }
      return A.concat(B);
    },
  };
}

function makePlan(aes: BlockCipher, radix: number, T: Uint8Array, n: number): Plan {
  // Steps 1, 3, 4. b = ⌈⌈v·log2(radix)⌉/8⌉ = bytes of radix^v − 1, computed exactly with BigInt.
  const u = Math.floor(n / 2);
  const v = n - u;
  const bigPowU = BigInt(radix) ** BigInt(u);
  const bigPowV = BigInt(radix) ** BigInt(v);
  const b = Math.ceil((bigPowV - 1n).toString(2).length / 8);
  const d = 4 * Math.ceil(b / 4) + 4;
  // Step 5: P = [1]1 || [2]1 || [1]1 || [radix]3 || [10]1 || [u mod 256]1 || [n]4 || [t]4.
  const P = new Uint8Array(16);
  P.set([1, 2, 1, (radix >>> 16) & 0xff, (radix >>> 8) & 0xff, radix & 0xff, 10, u & 0xff]);
  new DataView(P.buffer).setUint32(8, n, false);
  new DataView(P.buffer).setUint32(12, T.length, false);
  // Step 6i: Q = T || [0]^((−t−b−1) mod 16) || [i]1 || [NUMradix(B)]b; only its last b+1 bytes vary.
  const pad = (((-T.length - b - 1) % 16) + 16) % 16;
  const Q = new Uint8Array(T.length + pad + 1 + b);
  Q.set(T);
  const fixedBlocks = Math.floor((T.length + pad) / 16);
  let state = aes(P);
  for (let j = 0; j < fixedBlocks; j++) state = aes(xor16(state, Q, j * 16));
  return {
    u, v, b, d, state,
    tail: Q.slice(fixedBlocks * 16),
    small: bigPowV < BigInt(NUMBER_PATH_LIMIT),
    powU: Number(bigPowU),
    powV: Number(bigPowV),
    bigPowU,
    bigPowV,
  };
}

/** Steps 6i–6iii: S = the first d bytes of R || CIPH(R ⊕ [1]16) || …, R = PRF(P || Q). */
function prf(aes: BlockCipher, plan: Plan, radix: number, i: number, B: readonly number[]): Uint8Array {
  const { tail, b, d } = plan;
  tail[tail.length - b - 1] = i;
  if (plan.small) {
    let num = numberOf(B, radix);
    for (let k = tail.length - 1; k >= tail.length - b; k--) {
      tail[k] = num % 256;
      num = Math.floor(num / 256);
    }
  } else {
    let num = bigNumberOf(B, radix);
    for (let k = tail.length - 1; k >= tail.length - b; k--) {
      tail[k] = Number(num & 0xffn);
      num >>= 8n;
    }
  }
  let R = plan.state;
  for (let off = 0; off < tail.length; off += 16) R = aes(xor16(R, tail, off));
  if (d <= 16) return R;
  const extra = new Uint8Array(16 * (Math.ceil(d / 16) - 1));
  for (let j = 1; j <= extra.length / 16; j++) {
    extra.set(R, (j - 1) * 16);
    // [j]16: j as a 16-byte big-endian integer; j < 2^16 here, so only the last two bytes change.
    extra[(j - 1) * 16 + 14]! ^= (j >>> 8) & 0xff;
    extra[(j - 1) * 16 + 15]! ^= j & 0xff;
  }
  const S = new Uint8Array(16 + extra.length);
  S.set(R);
  S.set(aes(extra), 16);
  return S.subarray(0, d);
}

/** Steps 6iv–6vii: c = (NUMradix(X) ± NUM(S)) mod radix^m, returned as m numerals. */
function combine(plan: Plan, radix: number, X: readonly number[], S: Uint8Array, m: number, sign: 1 | -1): number[] {
  const d = plan.d;
  if (plan.small) {
    const mod = m === plan.u ? plan.powU : plan.powV;
    // y mod radix^m by folding bytes: r < 2^45, so r·256 + 255 < 2^53 stays exact.
    let y = 0;
    for (let k = 0; k < d; k++) y = (y * 256 + S[k]!) % mod;
    // SP 800-38G step 6vi needs a true modulo in [0, radix^m); JS % is a remainder.
    const c = sign > 0 ? (numberOf(X, radix) + y) % mod : (((numberOf(X, radix) - y) % mod) + mod) % mod;
    return numerals(c, radix, m);
  }
  const mod = m === plan.u ? plan.bigPowU : plan.bigPowV;
  let y = 0n;
  for (let k = 0; k < d; k++) y = (y << 8n) | BigInt(S[k]!);
  const x = bigNumberOf(X, radix);
  const c = sign > 0 ? (x + y) % mod : (((x - y) % mod) + mod) % mod;
  return bigNumerals(c, radix, m);
}

function xor16(a: Uint8Array, blocks: Uint8Array, offset: number): Uint8Array {
  const out = new Uint8Array(16);
  for (let k = 0; k < 16; k++) out[k] = a[k]! ^ blocks[offset + k]!;
  return out;
}

function numberOf(x: readonly number[], radix: number): number {
  let acc = 0;
  for (const digit of x) acc = acc * radix + digit;
  return acc;
}

function bigNumberOf(x: readonly number[], radix: number): bigint {
  const r = BigInt(radix);
  let acc = 0n;
  for (const digit of x) acc = acc * r + BigInt(digit);
  return acc;
}

function numerals(value: number, radix: number, m: number): number[] {
  const out = new Array<number>(m);
  for (let k = m - 1; k >= 0; k--) {
    out[k] = value % radix;
    value = Math.floor(value / radix);
  }
  return out;
}

function bigNumerals(value: bigint, radix: number, m: number): number[] {
  const r = BigInt(radix);
  const out = new Array<number>(m);
  for (let k = m - 1; k >= 0; k--) {
    out[k] = Number(value % r);
    value /= r;
  }
  return out;
}
