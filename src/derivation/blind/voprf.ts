/**
 * RFC 9497 (OPRFs using prime-order groups) in verifiable mode (VOPRF, mode 0x01), ciphersuite
 * ristretto255-SHA512 (§4.1): the server's DeriveKeyPair (§3.2.1), BlindEvaluateBatch with one
 * batched DLEQ proof (§3.3.2, §2.2.1 with ComputeCompositesFast) and Evaluate (§3.3.2, without
 * blinding: translation); the client's Blind and Finalize with the proof's verification (§3.3.2,
 * §2.2.2). Pure: no I/O; randomness only for blinds and proof nonces, which tests may fix.
 */
import * as g from './group.js';
import { ascii, expand64, sha512 } from './xmd.js';

/** Why an evaluation or a finalization is refused; `index` is the element's place in its batch. */
export type BlindFailure = 'element' | 'identity' | 'proof' | 'input';
export class BlindError extends Error {
  override name = 'BlindError';
  constructor(
    readonly reason: BlindFailure,
    message: string,
    readonly index?: number,
  ) {
    super(message);
  }
}

const concat = (...parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) (out.set(p, at), (at += p.length));
  return out;
};
const i2osp2 = (n: number): Uint8Array => new Uint8Array([n >>> 8, n & 0xff]);
/** I2OSP(len(x), 2) || x, the framing of every transcript in §2.2 and §3.3. */
const framed = (x: Uint8Array): Uint8Array => concat(i2osp2(x.length), x);

/** §3.1: contextString = "OPRFV1-" || I2OSP(mode, 1) || "-" || identifier, mode 0x01 (VOPRF). */
const CONTEXT = concat(ascii('OPRFV1-'), new Uint8Array([1]), ascii('-ristretto255-SHA512'));
const HASH_TO_GROUP_DST = concat(ascii('HashToGroup-'), CONTEXT);
const HASH_TO_SCALAR_DST = concat(ascii('HashToScalar-'), CONTEXT);
const DERIVE_KEY_PAIR_DST = concat(ascii('DeriveKeyPair'), CONTEXT);
const SEED_DST = concat(ascii('Seed-'), CONTEXT);
const FINALIZE = ascii('Finalize');
const COMPOSITE = ascii('Composite');
const CHALLENGE = ascii('Challenge');
/** §2.2.1: the composite's index is I2OSP(i, 2). */
export const MAX_BATCH = 0xffff;

/** §4.1 HashToGroup: hash_to_ristretto255 (RFC 9380) with expand_message_xmd SHA-512. */
const hashToGroup = (input: Uint8Array): Uint8Array => g.fromUniform(expand64(input, HASH_TO_GROUP_DST));
/** §4.1 HashToScalar: 64 bytes of expand_message_xmd, little-endian, mod L. */
const hashToScalar = (message: Uint8Array, dst = HASH_TO_SCALAR_DST): Uint8Array =>
  g.reduceWide(expand64(message, dst));

export interface KeyPair {
  secretKey: Uint8Array;
  publicKey: Uint8Array;
}

/** §3.2.1 DeriveKeyPair(seed, info). */
export function deriveKeyPair(seed: Uint8Array, info: Uint8Array): KeyPair {
  const deriveInput = concat(seed, framed(info));
  for (let counter = 0; counter <= 255; counter++) {
    const secretKey = hashToScalar(concat(deriveInput, new Uint8Array([counter])), DERIVE_KEY_PAIR_DST);
    if (!g.isZeroScalar(secretKey)) return { secretKey, publicKey: g.multiplyBase(secretKey) };
  }
  throw new Error('DeriveKeyPairError');
}

/** §3.3.1 Finalize / §3.3.2 Evaluate: Hash(I2OSP(len(input), 2) || input || I2OSP(32, 2) || element || "Finalize"). */
const finalHash = (input: Uint8Array, element: Uint8Array): Uint8Array =>
  sha512(concat(framed(input), framed(element), FINALIZE));

/** §3.3.2 Evaluate: the output the client would get for `input`, computed with the secret key. */
export function evaluate(secretKey: Uint8Array, input: Uint8Array): Uint8Array {
  const element = g.multiply(secretKey, hashToGroup(input));
  // HashToGroup gave the identity: §3.3.1's InvalidInputError (probability 2^-252).
  if (!element) throw new BlindError('input', 'the input hashes to the identity element');
  return finalHash(input, element);
}

/** §2.2.1 ComputeComposites' seed and per-element weights d_i. */
function compositeWeights(publicKey: Uint8Array, c: readonly Uint8Array[], d: readonly Uint8Array[]): Uint8Array[] {
  const seed = sha512(concat(framed(publicKey), framed(SEED_DST)));
  const seedFramed = framed(seed);
  return c.map((ci, i) => hashToScalar(concat(seedFramed, i2osp2(i), framed(ci), framed(d[i]!), COMPOSITE)));
}

/** Σ w_i·P_i; undefined if a product or the sum is the identity. */
function weightedSum(weights: readonly Uint8Array[], points: readonly Uint8Array[]): Uint8Array | undefined {
  let sum: Uint8Array | undefined;
  for (let i = 0; i < points.length; i++) {
    const term = g.multiply(weights[i]!, points[i]!);
    if (!term) return undefined;
    sum = sum ? g.add(sum, term) : term;
  }
  return sum && g.isElement(sum) ? sum : undefined;
}

/** §2.2.1 challenge: HashToScalar(framed B, M, Z, t2, t3 || "Challenge"). */
const challenge = (b: Uint8Array, m: Uint8Array, z: Uint8Array, t2: Uint8Array, t3: Uint8Array): Uint8Array =>
  hashToScalar(concat(framed(b), framed(m), framed(z), framed(t2), framed(t3), CHALLENGE));

export interface Evaluation {
  evaluated: Uint8Array[];
  /** c || s, 64 bytes (§2.2.1). */
  proof: Uint8Array;
}

/**
 * §3.3.2 BlindEvaluateBatch: k·C_i for each blinded element and one DLEQ proof that all used the
 * key of `publicKey` (§2.2.1 GenerateProof with ComputeCompositesFast: M = Σ d_i·C_i, Z = k·M).
 * Refuses (BlindError) an element that is not a canonical encoding, or the identity.
 * `proofNonce` fixes r for test vectors; otherwise it is random.
 */
export function blindEvaluateBatch(
  key: KeyPair,
  blinded: readonly Uint8Array[],
  proofNonce: Uint8Array = g.randomScalar(),
): Evaluation {
  if (blinded.length === 0 || blinded.length > MAX_BATCH) throw new RangeError(`1 to ${MAX_BATCH} elements`);
  const evaluated = blinded.map((element, i) => {
    const product = element.length === g.ELEMENT_BYTES ? g.multiply(key.secretKey, element) : undefined;
    if (product) return product;
    // libsodium refused it: say which rule (the identity decodes, k·0 is the identity).
    throw g.equal(element, new Uint8Array(g.ELEMENT_BYTES))
      ? new BlindError('identity', 'a blinded element is the identity element', i)
      : new BlindError('element', 'a blinded element is not a canonical ristretto255 encoding', i);
  });
  const weights = compositeWeights(key.publicKey, blinded, evaluated);
  const m = weightedSum(weights, blinded);
  const z = m && g.multiply(key.secretKey, m);
  if (!m || !z) throw new BlindError('element', 'the batch combines to the identity element');
  const t2 = g.multiplyBase(proofNonce);
  const t3 = g.multiply(proofNonce, m)!;
  const c = challenge(key.publicKey, m, z, t2, t3);
  const s = g.scalarSub(proofNonce, g.scalarMul(c, key.secretKey));
  return { evaluated, proof: concat(c, s) };
}

/** §2.2.2 VerifyProof(G, pkS, C, D, proof) with ComputeComposites: M = Σ d_i·C_i, Z = Σ d_i·D_i. */
export function verifyProof(
  publicKey: Uint8Array,
  blinded: readonly Uint8Array[],
  evaluated: readonly Uint8Array[],
  proof: Uint8Array,
): boolean {
  if (proof.length !== 2 * g.SCALAR_BYTES || blinded.length !== evaluated.length || blinded.length === 0) return false;
  if (!g.isElement(publicKey) || !evaluated.every(g.isElement)) return false;
  const c = proof.subarray(0, g.SCALAR_BYTES);
  const s = proof.subarray(g.SCALAR_BYTES);
  if (!g.isScalar(c) || !g.isScalar(s) || g.isZeroScalar(c) || g.isZeroScalar(s)) return false;
  const weights = compositeWeights(publicKey, blinded, evaluated);
  const m = weightedSum(weights, blinded);
  const z = weightedSum(weights, evaluated);
  const cB = g.multiply(c, publicKey);
  const cZ = z && g.multiply(c, z);
  const sM = m && g.multiply(s, m);
  if (!m || !z || !cB || !cZ || !sM) return false;
  const t2 = g.add(g.multiplyBase(s), cB);
  const t3 = g.add(sM, cZ);
  return g.equal(challenge(publicKey, m, z, t2, t3), c);
}

export interface Blinded {
  blind: Uint8Array;
  blinded: Uint8Array;
}

/** §3.3.1 Blind: blind·HashToGroup(input), with a random blind unless one is given (test vectors). */
export function blind(input: Uint8Array, blindScalar: Uint8Array = g.randomScalar()): Blinded {
  const blinded = g.multiply(blindScalar, hashToGroup(input));
  if (!blinded) throw new BlindError('input', 'the input hashes to the identity element');
  return { blind: blindScalar, blinded };
}

/**
 * §3.3.2 Finalize for a batch: verifies the one proof over all pairs, then unblinds each
 * evaluation and hashes it with its input. A proof that fails is BlindError 'proof'.
 */
export function finalizeBatch(
  items: ReadonlyArray<{ input: Uint8Array; blind: Uint8Array; blinded: Uint8Array; evaluated: Uint8Array }>,
  publicKey: Uint8Array,
  proof: Uint8Array,
): Uint8Array[] {
  const ok = verifyProof(
    publicKey,
    items.map((i) => i.blinded),
    items.map((i) => i.evaluated),
    proof,
  );
  if (!ok) throw new BlindError('proof', "the service's proof does not verify against the sector's public key");
  return items.map((item, index) => {
    const unblinded = g.multiply(g.scalarInvert(item.blind), item.evaluated);
    if (!unblinded) throw new BlindError('element', 'an evaluated element is not a group element', index);
    return finalHash(item.input, unblinded);
  });
}
