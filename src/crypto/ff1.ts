/**
 * FF1 format-preserving encryption: NIST SP 800-38G (2016) §5.2, Algorithm 7 (encrypt) and
 * Algorithm 8 (decrypt), with AES as CIPH on OpenSSL (node:crypto, AES-NI where present).
 *
 * API
 * - `encrypt(x)` / `decrypt(x)`: one numeral string (an array of digits in [0, radix)).
 * - `encryptMany(xs)` / `decryptMany(xs)`: a batch of numeral strings. Every string of a batch has
 *   the same length (and, being one cipher object, the same key, radix and tweak); a batch of mixed
 *   lengths is refused. The result is in input order and equals calling `encrypt` on each item.
 * - `encryptInts(values, n)` / `decryptInts(values, n)`: a batch of numeral strings given as their
 *   values NUM_radix(X), 0 ≤ value < radix^n, for lengths with radix^n ≤ 2^53. This is the fast
 *   path of the tokens: a TNI or a rank is FF1'd as a number, without digit arrays.
 *
 * How it is fast
 * - The AES key schedule is made once per key (one ECB cipher object, aes.ts).
 * - Per numeral length n a "plan" is computed once: u, v, b, d (steps 1, 3, 4), and the CBC-MAC
 *   chaining value after P and after every block of Q that holds only the tweak and padding
 *   (steps 5, 6i–6ii). Each round then costs one AES block per item when b ≤ 12 (d ≤ 16).
 * - While radix^v·257 ≤ 2^53 (radix^v below about 2^45) the halves NUM(A), NUM(B) and the
 *   reduction of S are plain numbers, every intermediate exact below 2^53; beyond that, BigInt.
 * - A batch runs all its items through each Feistel round together: one AES-ECB call per round over
 *   all items' blocks (ECB: the blocks are independent, so OpenSSL pipelines them), into scratch
 *   buffers kept per plan, so nothing is allocated per item and round. On the number path a round
 *   is exactly one AES call; on the BigInt path one call per block of Q's varying tail, plus one if
 *   d > 16 (step 6iii). `encrypt` is a batch of one.
 *
 * `cipher.update()` of node:crypto allocates its output; that one allocation per round and batch is
 * the only one left in the round loop.
 */
import { aesEcb, type BlockCipher } from './aes.js';
import { writeNumerals } from './numerals.js';

export interface FF1 {
  /** Encrypts a numeral string (digits in [0, radix)); returns a new string of the same length. */
  encrypt(x: readonly number[]): number[];
  /** Inverse of encrypt. */
  decrypt(x: readonly number[]): number[];
  /** `encrypt` of each item, all items through each round together. All items have one length. */
  encryptMany(xs: readonly (readonly number[])[]): number[][];
  /** `decrypt` of each item, all items through each round together. All items have one length. */
  decryptMany(xs: readonly (readonly number[])[]): number[][];
  /**
   * FF1 of the n-numeral strings whose values are `values` (NUM_radix(X), an integer in
   * [0, radix^n)), returned as values. Needs radix^n ≤ 2^53. `out` may be given to be filled.
   */
  encryptInts(values: ArrayLike<number>, n: number, out?: Float64Array): Float64Array;
  /** Inverse of encryptInts. */
  decryptInts(values: ArrayLike<number>, n: number, out?: Float64Array): Float64Array;
}

/** SP 800-38G Rev. 1 draft §5.2: radix^minlen ≥ 1,000,000. */
export const FF1_MIN_DOMAIN = 1_000_000;
const MAX_LENGTH = 4096;
const MAX_TWEAK = 4096;
const TWO_53 = 2n ** 53n;
const TWO_32 = 2 ** 32;

/** Everything about one numeral length n that does not depend on the numerals. */
interface Plan {
  n: number;
  u: number;
  v: number;
  b: number;
  d: number;
  /** radix^n as a number when ≤ 2^53 (the integer API), otherwise undefined. */
  powN: number | undefined;
  bigPowU: bigint;
  bigPowV: bigint;
  /** CBC-MAC chaining value after P and the leading blocks of Q that never change (step 6ii). */
  state: Uint8Array;
  /** For each round i = 0…9, the varying tail of Q with [i]1 written and [NUM(B)]b left zero. */
  tails: Uint8Array[];
  /** Set while radix^v·257 ≤ 2^53 (so radix^v < 2^45): the number path. */
  small: SmallPlan | undefined;
}

interface SmallPlan {
  powU: number;
  powV: number;
  /** Bytes folded per step when reducing S modulo radix^m (4, 2 or 1: see makePlan). */
  chunk: 1 | 2 | 4;
  /** 2^32 mod radix^v, for chunk 4; also right mod radix^u, which divides radix^v. */
  twoTo32Mod: number;
  /**
   * The one PRF block of round i, state ⊕ tail_i, as four big-endian words (4i … 4i+3). b ≤ 6, so
   * NUM(B) only touches words 2 and 3, and [i]1 sits at byte 15 − b ≥ 9: words 0 and 1 are the
   * same in every round and are written into the scratch blocks once.
   */
  words: Uint32Array;
  /**
   * Scratch, grown to the largest batch seen (32 bytes per item): one 16-byte block per item, and
   * the halves NUM(A), NUM(B). Safe to share: a call runs to its end without yielding.
   */
  blocks: Uint8Array;
  view: DataView;
  A: Float64Array;
  B: Float64Array;
}

export function ff1(key: Uint8Array, radix: number, tweak: Uint8Array): FF1 {
  if (!Number.isInteger(radix) || radix < 2 || radix > 65536)
    throw new Error('ff1: radix must be an integer in [2, 65536]');
  if (tweak.length > MAX_TWEAK) throw new Error(`ff1: tweak must be at most ${MAX_TWEAK} bytes`);
  const aes = aesEcb(key);
  const T = Uint8Array.from(tweak);
  const plans = new Map<number, Plan>();

  const planFor = (n: number): Plan => {
    let plan = plans.get(n);
    if (!plan) {
      if (!Number.isInteger(n) || n < 2 || n > MAX_LENGTH) throw new Error('ff1: numeral string has an invalid length');
      if (BigInt(radix) ** BigInt(n) < BigInt(FF1_MIN_DOMAIN))
        throw new Error('ff1: domain radix^n is below 1,000,000');
      plan = makePlan(aes, radix, T, n);
      plans.set(n, plan);
    }
    return plan;
  };

  /** The plan of a batch of numeral strings, after checking every numeral. */
  const checkStrings = (xs: readonly (readonly number[])[]): Plan | undefined => {
    if (!Array.isArray(xs)) throw new Error('ff1: a batch is an array of numeral strings');
    let plan: Plan | undefined;
    for (const x of xs) {
      if (!Array.isArray(x)) throw new Error('ff1: numeral string has an invalid length');
      if (plan === undefined) plan = planFor(x.length);
      else if (x.length !== plan.n) throw new Error('ff1: every numeral string of a batch must have the same length');
      for (const digit of x as readonly number[]) {
        if (!Number.isInteger(digit) || digit < 0 || digit >= radix) throw new Error('ff1: numeral outside [0, radix)');
      }
    }
    return plan;
  };

  const runStrings = (xs: readonly (readonly number[])[], decrypt: boolean): number[][] => {
    const plan = checkStrings(xs);
    if (plan === undefined) return [];
    const { u, n } = plan;
    const count = xs.length;
    if (plan.small) {
      // Step 2: A = X[1..u], B = X[u+1..n], held as NUM_radix(A) and NUM_radix(B).
      const s = reserve(plan.small, count);
      for (let k = 0; k < count; k++) {
        s.A[k] = numberOf(xs[k]!, radix, 0, u);
        s.B[k] = numberOf(xs[k]!, radix, u, n);
      }
      roundsSmall(aes, plan, s, count, decrypt);
      // Step 7: return A || B.
      const out = new Array<number[]>(count);
      for (let k = 0; k < count; k++) {
        const y = new Array<number>(n);
        writeNumerals(y, 0, u, s.A[k]!, radix);
        writeNumerals(y, u, n, s.B[k]!, radix);
        out[k] = y;
      }
      return out;
    }
    const A = xs.map((x) => bigNumberOf(x, radix, 0, u));
    const B = xs.map((x) => bigNumberOf(x, radix, u, n));
    roundsBig(aes, plan, A, B, decrypt);
    return A.map((a, k) => bigNumerals(a, radix, u).concat(bigNumerals(B[k]!, radix, n - u)));
  };

  const runInts = (
    values: ArrayLike<number>,
    n: number,
    out: Float64Array | undefined,
    decrypt: boolean,
  ): Float64Array => {
    const plan = planFor(n);
    const { powN, small } = plan;
    if (powN === undefined || !small) throw new Error('ff1: the integer API needs radix^n ≤ 2^53');
    const count = values.length;
    const result = out ?? new Float64Array(count);
    if (result.length < count) throw new Error('ff1: out is shorter than the batch');
    if (count === 0) return result;
    const s = reserve(small, count);
    const { powV } = small;
    for (let k = 0; k < count; k++) {
      const x = values[k]!;
      if (!Number.isInteger(x) || x < 0 || x >= powN) throw new Error('ff1: value outside [0, radix^n)');
      // Step 2 on values: NUM(A) = ⌊x / radix^v⌋, NUM(B) = x mod radix^v (guarded as in `mod`).
      let a = Math.floor(x / powV);
      let b = x - a * powV;
      if (b < 0) {
        a -= 1;
        b += powV;
      }
      s.A[k] = a;
      s.B[k] = b;
    }
    roundsSmall(aes, plan, s, count, decrypt);
    for (let k = 0; k < count; k++) result[k] = s.A[k]! * powV + s.B[k]!;
    return result;
  };

  return {
    encrypt: (x) => runStrings([x], false)[0]!,
    decrypt: (x) => runStrings([x], true)[0]!,
    encryptMany: (xs) => runStrings(xs, false),
    decryptMany: (xs) => runStrings(xs, true),
    encryptInts: (values, n, out) => runInts(values, n, out, false),
    decryptInts: (values, n, out) => runInts(values, n, out, true),
  };
}

function makePlan(aes: BlockCipher, radix: number, T: Uint8Array, n: number): Plan {
  // Step 1: u = ⌊n/2⌋, v = n − u.
  const u = Math.floor(n / 2);
  const v = n - u;
  const bigPowU = BigInt(radix) ** BigInt(u);
  const bigPowV = BigInt(radix) ** BigInt(v);
  const bigPowN = BigInt(radix) ** BigInt(n);
  // Step 3: b = ⌈⌈v·log2(radix)⌉/8⌉, which is the byte length of radix^v − 1, computed exactly.
  const b = Math.ceil((bigPowV - 1n).toString(2).length / 8);
  // Step 4: d = 4⌈b/4⌉ + 4.
  const d = 4 * Math.ceil(b / 4) + 4;
  // Step 5: P = [1]1 || [2]1 || [1]1 || [radix]3 || [10]1 || [u mod 256]1 || [n]4 || [t]4.
  const P = new Uint8Array(16);
  P.set([1, 2, 1, (radix >>> 16) & 0xff, (radix >>> 8) & 0xff, radix & 0xff, 10, u & 0xff]);
  new DataView(P.buffer).setUint32(8, n, false);
  new DataView(P.buffer).setUint32(12, T.length, false);
  // Step 6i: Q = T || [0]^((−t−b−1) mod 16) || [i]1 || [NUMradix(B)]b. Only [i] and NUM(B) vary,
  // and they are the last b+1 bytes; the whole blocks before them are MAC'ed here once.
  const pad = (((-T.length - b - 1) % 16) + 16) % 16;
  const Q = new Uint8Array(T.length + pad + 1 + b);
  Q.set(T);
  const fixedBlocks = Math.floor((T.length + pad) / 16);
  // Step 6ii: PRF(P || Q) is the CBC-MAC: Y_0 = CIPH(P), Y_j = CIPH(Y_{j−1} ⊕ Q_j).
  let state = aes(P);
  for (let j = 0; j < fixedBlocks; j++) state = aes(xor16(state, Q, j * 16));
  const tails: Uint8Array[] = [];
  for (let i = 0; i < 10; i++) {
    const tail = Q.slice(fixedBlocks * 16);
    tail[tail.length - b - 1] = i;
    tails.push(tail);
  }
  const plan: Plan = {
    n,
    u,
    v,
    b,
    d,
    bigPowU,
    bigPowV,
    state,
    tails,
    powN: bigPowN <= TWO_53 ? Number(bigPowN) : undefined,
    small: undefined,
  };
  // The number path: y is reduced mod radix^m by folding S `chunk` bytes at a time,
  // acc ← (acc·256^chunk + next chunk) mod radix^m, with acc < radix^m ≤ radix^v. `mod` is exact
  // while acc·256^chunk + next + radix^m ≤ 2^53, i.e. radix^v·(256^chunk + 1) ≤ 2^53.
  const fits = (chunk: number): boolean => bigPowV * (256n ** BigInt(chunk) + 1n) <= TWO_53;
  if (fits(1)) {
    // Here radix^v < 2^45: b ≤ 6, so the tail is exactly one block and R is the only block of S
    // (d ≤ 12 ≤ 16).
    const words = new Uint32Array(40);
    for (let i = 0; i < 10; i++) {
      const block = xor16(state, tails[i]!, 0);
      const view = new DataView(block.buffer);
      for (let w = 0; w < 4; w++) words[4 * i + w] = view.getUint32(4 * w, false);
    }
    const powV = Number(bigPowV);
    plan.small = {
      powU: Number(bigPowU),
      powV,
      chunk: fits(4) ? 4 : fits(2) ? 2 : 1,
      twoTo32Mod: Number(2n ** 32n % bigPowV),
      words,
      blocks: new Uint8Array(0),
      view: new DataView(new ArrayBuffer(0)),
      A: new Float64Array(0),
      B: new Float64Array(0),
    };
  }
  return plan;
}

/** Grows the scratch of a plan to hold `count` items; writes the round-invariant words 0 and 1. */
function reserve(s: SmallPlan, count: number): SmallPlan {
  if (s.A.length >= count) return s;
  const capacity = Math.max(count, 2 * s.A.length, 16);
  s.blocks = new Uint8Array(16 * capacity);
  s.view = new DataView(s.blocks.buffer);
  for (let k = 0; k < capacity; k++) {
    s.view.setUint32(16 * k, s.words[0]!, false);
    s.view.setUint32(16 * k + 4, s.words[1]!, false);
  }
  s.A = new Float64Array(capacity);
  s.B = new Float64Array(capacity);
  return s;
}

/**
 * The ten Feistel rounds on the number path, all `count` items of s.A, s.B together, in place.
 * Algorithm 7 (encrypt): for i = 0…9, C = NUM(A) + y, A = B, B = C, where y comes from B.
 * Algorithm 8 (decrypt): for i = 9…0, C = NUM(B) − y, B = A, A = C, where y comes from A.
 * Both are "feed one half to the PRF, combine into the other, swap": after ten swaps the halves are
 * back in s.A and s.B.
 */
function roundsSmall(aes: BlockCipher, plan: Plan, s: SmallPlan, count: number, decrypt: boolean): void {
  const { d } = plan;
  const { view, words, chunk, powU, powV, twoTo32Mod } = s;
  const blocks = s.blocks.subarray(0, 16 * count);
  let fed = decrypt ? s.A : s.B;
  let target = decrypt ? s.B : s.A;
  for (let r = 0; r < 10; r++) {
    const i = decrypt ? 9 - r : r;
    // Step 6v: m = u if i is even, v otherwise.
    const modulus = i % 2 === 0 ? powU : powV;
    // Steps 6i–6ii: R = CIPH(state ⊕ (last block of Q)), the last block taking [i]1 || [NUM(fed)]b.
    // NUM(fed) < 2^45 is written as two big-endian words: hi = ⌊num / 2^32⌋ < 2^13 and lo.
    const w2 = words[4 * i + 2]!;
    const w3 = words[4 * i + 3]!;
    for (let k = 0, off = 8; k < count; k++, off += 16) {
      const num = fed[k]!;
      const hi = Math.floor(num / TWO_32);
      view.setUint32(off, w2 ^ hi, false);
      view.setUint32(off + 4, w3 ^ (num - hi * TWO_32), false);
    }
    const R = aes(blocks);
    for (let k = 0, off = 0; k < count; k++, off += 16) {
      // Steps 6iii–6iv: S = first d bytes of R (d ≤ 16), y = NUM(S); step 6vi reduces it mod radix^m,
      // folded a chunk at a time: acc < radix^m and acc·256^chunk + chunk value stays below 2^53.
      let y = 0;
      // chunk 4 means radix^v < 2^21, so b ≤ 3 and d = 8: NUM(S) = w0·2^32 + w1 ≡ w0·(2^32 mod
      // radix^v) + w1 (mod radix^m), a number below 2^32·radix^v ≤ 2^53: a single reduction.
      if (chunk === 4) y = mod(word(R, off) * twoTo32Mod + word(R, off + 4), modulus);
      else if (chunk === 2)
        for (let j = 0; j < d; j += 2) y = mod(y * 65536 + ((R[off + j]! << 8) | R[off + j + 1]!), modulus);
      else for (let j = 0; j < d; j++) y = mod(y * 256 + R[off + j]!, modulus);
      // Step 6vi: c = (NUM(A) + y) mod radix^m, or (NUM(B) − y) mod radix^m when decrypting; both
      // operands are in [0, radix^m), so one correction gives the non-negative residue.
      let c = decrypt ? target[k]! - y : target[k]! + y;
      if (c < 0) c += modulus;
      else if (c >= modulus) c -= modulus;
      target[k] = c;
    }
    // Steps 6vii–6ix: C = STR(c) replaces the combined half, and the halves swap roles.
    const t = fed;
    fed = target;
    target = t;
  }
}

/**
 * The ten Feistel rounds on the BigInt path (radix^v·257 > 2^53), all items together, in place. Same
 * structure as roundsSmall; per round one AES call per block of Q's varying tail (CBC-MAC, step
 * 6ii) and one more for S's extra blocks when d > 16 (step 6iii).
 */
function roundsBig(aes: BlockCipher, plan: Plan, A: bigint[], B: bigint[], decrypt: boolean): void {
  const { b, d, state, tails } = plan;
  const count = A.length;
  const tailLength = tails[0]!.length;
  const extra = Math.ceil(d / 16) - 1;
  const Q = Buffer.alloc(count * tailLength);
  const input = Buffer.alloc(count * 16);
  const extraInput = Buffer.alloc(count * extra * 16);
  const initial = Buffer.alloc(count * 16);
  for (let k = 0; k < count; k++) initial.set(state, 16 * k);
  let fed = decrypt ? A : B;
  let target = decrypt ? B : A;
  for (let r = 0; r < 10; r++) {
    const i = decrypt ? 9 - r : r;
    const modulus = i % 2 === 0 ? plan.bigPowU : plan.bigPowV;
    // Step 6i: each item's tail of Q, [NUMradix(B)]b in its last b bytes.
    for (let k = 0; k < count; k++) {
      Q.set(tails[i]!, k * tailLength);
      Q.write(fed[k]!.toString(16).padStart(2 * b, '0'), (k + 1) * tailLength - b, 'hex');
    }
    // Step 6ii: R = CBC-MAC continued from the precomputed state over the tail's blocks.
    let R: Buffer = initial;
    for (let j = 0; j < tailLength; j += 16) {
      for (let k = 0; k < count; k++) {
        for (let x = 0; x < 16; x++) input[16 * k + x] = R[16 * k + x]! ^ Q[k * tailLength + j + x]!;
      }
      R = aes(input);
    }
    // Step 6iii: S = the first d bytes of R || CIPH(R ⊕ [1]16) || … || CIPH(R ⊕ [⌈d/16⌉−1]16).
    let E: Buffer = Buffer.alloc(0);
    if (extra > 0) {
      for (let k = 0; k < count; k++) {
        for (let j = 1; j <= extra; j++) {
          const off = (k * extra + j - 1) * 16;
          extraInput.set(R.subarray(16 * k, 16 * k + 16), off);
          // [j]16 is j as a 16-byte big-endian integer; j < 2^16 here, so only the last two bytes change.
          extraInput[off + 14]! ^= (j >>> 8) & 0xff;
          extraInput[off + 15]! ^= j & 0xff;
        }
      }
      E = aes(extraInput);
    }
    for (let k = 0; k < count; k++) {
      // Step 6iv: y = NUM(S).
      const head = R.toString('hex', 16 * k, 16 * k + Math.min(d, 16));
      const rest = extra > 0 ? E.toString('hex', 16 * extra * k, 16 * extra * k + d - 16) : '';
      const y = BigInt('0x' + head + rest);
      // Step 6vi: c = (NUM(A) + y) mod radix^m, or (NUM(B) − y) mod radix^m when decrypting.
      const c = decrypt ? target[k]! - y : target[k]! + y;
      target[k] = ((c % modulus) + modulus) % modulus;
    }
    // Steps 6vii–6ix.
    const t = fed;
    fed = target;
    target = t;
  }
}

/**
 * x mod m for integers x ≥ 0, m > 0 with x + m ≤ 2^53: the rounded quotient's floor is ⌊x/m⌋ or
 * one more (never less, rounding being monotonic), and q·m ≤ x + m stays exact, so one correction
 * gives the residue. Measured 1.7× faster than `%` on doubles here (V8 calls fmod for those).
 */
function mod(x: number, m: number): number {
  const r = x - Math.floor(x / m) * m;
  return r < 0 ? r + m : r;
}

/** The big-endian 32-bit word at bytes[off..off+4). */
function word(bytes: Uint8Array, off: number): number {
  return ((bytes[off]! << 24) | (bytes[off + 1]! << 16) | (bytes[off + 2]! << 8) | bytes[off + 3]!) >>> 0;
}

function xor16(a: Uint8Array, blocks: Uint8Array, offset: number): Uint8Array {
  const out = new Uint8Array(16);
  for (let k = 0; k < 16; k++) out[k] = a[k]! ^ blocks[offset + k]!;
  return out;
}

/** NUM_radix(x[from..to)) as a number (the caller ensures it is below 2^53). */
function numberOf(x: readonly number[], radix: number, from: number, to: number): number {
  let acc = 0;
  for (let k = from; k < to; k++) acc = acc * radix + x[k]!;
  return acc;
}

/** NUM_radix(x[from..to)) as a BigInt, taking as many numerals at a time as a number holds exactly. */
function bigNumberOf(x: readonly number[], radix: number, from: number, to: number): bigint {
  const k = digitsPerNumber(radix);
  let acc = 0n;
  for (let pos = from; pos < to; pos += k) {
    const end = Math.min(pos + k, to);
    acc = acc * BigInt(radix ** (end - pos)) + BigInt(numberOf(x, radix, pos, end));
  }
  return acc;
}

/** STR^m_radix(value) for a BigInt value, as many numerals at a time as a number holds exactly. */
function bigNumerals(value: bigint, radix: number, m: number): number[] {
  const out = new Array<number>(m);
  const k = digitsPerNumber(radix);
  const chunk = BigInt(radix ** k);
  for (let end = m; end > 0; end -= k) {
    writeNumerals(out, Math.max(0, end - k), end, Number(value % chunk), radix);
    value /= chunk;
  }
  return out;
}

/** The largest k with radix^k ≤ 2^53 (radix^k is then an exact number). */
function digitsPerNumber(radix: number): number {
  let k = 0;
  for (let p = radix; p <= 2 ** 53; p *= radix) k++;
  return k;
}
