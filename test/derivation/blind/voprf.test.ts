/**
 * RFC 9497 VOPRF ristretto255-SHA512 (src/derivation/blind/voprf.ts): the RFC's own vectors
 * (Appendix A.1.2, test/vectors/rfc9497-ristretto255-voprf.json), and both directions against
 * @noble/curves' independent implementation on fresh random inputs and keys in every run.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ristretto255_oprf } from '@noble/curves/ed25519.js';
import {
  blind,
  blindEvaluateBatch,
  BlindError,
  deriveKeyPair,
  evaluate,
  finalizeBatch,
  verifyProof,
} from '../../../src/derivation/blind/voprf.js';

const hex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'hex'));
const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
interface Vector {
  name: string;
  input: string[];
  blind: string[];
  blindedElement: string[];
  evaluationElement: string[];
  proof: string;
  proofRandomScalar: string;
  output: string[];
}
const rfc = JSON.parse(readFileSync('test/vectors/rfc9497-ristretto255-voprf.json', 'utf8')) as {
  seed: string;
  keyInfo: string;
  skSm: string;
  pkSm: string;
  vectors: Vector[];
};
// noble's voprf has Evaluate (RFC 9497 §3.3.2) at run time; its type declares it only for oprf.
const noble = ristretto255_oprf.voprf as typeof ristretto255_oprf.voprf & {
  evaluate(secretKey: Uint8Array, input: Uint8Array): Uint8Array;
};

describe('RFC 9497 Appendix A.1.2 (ristretto255-SHA512, VOPRF)', () => {
  const key = deriveKeyPair(hex(rfc.seed), hex(rfc.keyInfo));

  it('DeriveKeyPair gives skSm and pkSm', () => {
    expect(toHex(key.secretKey)).toBe(rfc.skSm);
    expect(toHex(key.publicKey)).toBe(rfc.pkSm);
  });

  it.each(rfc.vectors.map((v) => [v.name, v] as const))(
    '%s: Blind, BlindEvaluateBatch, Finalize, Evaluate',
    (_n, v) => {
      const blinded = v.input.map((input, i) => blind(hex(input), hex(v.blind[i]!)));
      expect(blinded.map((b) => toHex(b.blinded))).toEqual(v.blindedElement);
      const evaluation = blindEvaluateBatch(
        key,
        blinded.map((b) => b.blinded),
        hex(v.proofRandomScalar),
      );
      expect(evaluation.evaluated.map(toHex)).toEqual(v.evaluationElement);
      expect(toHex(evaluation.proof)).toBe(v.proof);
      const items = v.input.map((input, i) => ({
        input: hex(input),
        blind: hex(v.blind[i]!),
        blinded: hex(v.blindedElement[i]!),
        evaluated: hex(v.evaluationElement[i]!),
      }));
      expect(finalizeBatch(items, hex(rfc.pkSm), hex(v.proof)).map(toHex)).toEqual(v.output);
      expect(v.input.map((input) => toHex(evaluate(key.secretKey, hex(input))))).toEqual(v.output);
    },
  );
});

describe('against @noble/curves on random inputs', () => {
  const inputs = Array.from({ length: 5 }, (_, i) => randomBytes(1 + i * 7));
  const seed = randomBytes(32);
  const info = randomBytes(12);

  it('DeriveKeyPair and Evaluate agree', () => {
    const ours = deriveKeyPair(seed, info);
    const theirs = noble.deriveKeyPair(seed, info);
    expect(toHex(ours.secretKey)).toBe(toHex(theirs.secretKey));
    expect(toHex(ours.publicKey)).toBe(toHex(theirs.publicKey));
    for (const input of inputs)
      expect(toHex(evaluate(ours.secretKey, input))).toBe(toHex(noble.evaluate(theirs.secretKey, input)));
  });

  it("our client finalizes noble's batch evaluation, and gets Evaluate's output", () => {
    const key = noble.deriveKeyPair(seed, info);
    const blinded = inputs.map((input) => blind(input));
    const { evaluated, proof } = noble.blindEvaluateBatch(
      key.secretKey,
      key.publicKey,
      blinded.map((b) => b.blinded),
    );
    const outputs = finalizeBatch(
      inputs.map((input, i) => ({ input, ...blinded[i]!, evaluated: evaluated[i]! })),
      key.publicKey,
      proof,
    );
    expect(outputs.map(toHex)).toEqual(inputs.map((input) => toHex(noble.evaluate(key.secretKey, input))));
  });

  it("noble's client finalizes our batch evaluation", () => {
    const key = deriveKeyPair(seed, info);
    const blinded = inputs.map((input) => noble.blind(input));
    const { evaluated, proof } = blindEvaluateBatch(
      key,
      blinded.map((b) => b.blinded),
    );
    const outputs = noble.finalizeBatch(
      inputs.map((input, i) => ({ input, ...blinded[i]!, evaluated: evaluated[i]! })),
      key.publicKey,
      proof,
    );
    expect(outputs.map(toHex)).toEqual(inputs.map((input) => toHex(evaluate(key.secretKey, input))));
  });
});

describe('refusals', () => {
  const key = deriveKeyPair(randomBytes(32), new Uint8Array([1]));
  const other = deriveKeyPair(randomBytes(32), new Uint8Array([2]));
  const inputs = [randomBytes(8), randomBytes(8)];
  const blinded = inputs.map((input) => blind(input));
  const { evaluated, proof } = blindEvaluateBatch(
    key,
    blinded.map((b) => b.blinded),
  );
  const items = inputs.map((input, i) => ({ input, ...blinded[i]!, evaluated: evaluated[i]! }));
  const refusedAs = (f: () => unknown): string | undefined => {
    try {
      f();
    } catch (err) {
      return err instanceof BlindError ? err.reason : 'other';
    }
    return undefined;
  };

  it('the proof verifies against the key that made it', () => {
    expect(finalizeBatch(items, key.publicKey, proof)).toHaveLength(2);
  });

  it("a proof checked against another key's public key is refused", () => {
    expect(refusedAs(() => finalizeBatch(items, other.publicKey, proof))).toBe('proof');
  });

  it('an evaluation under another key is refused against the published key', () => {
    const forged = blindEvaluateBatch(
      other,
      blinded.map((b) => b.blinded),
    );
    const forgedItems = items.map((item, i) => ({ ...item, evaluated: forged.evaluated[i]! }));
    expect(refusedAs(() => finalizeBatch(forgedItems, key.publicKey, forged.proof))).toBe('proof');
  });

  it('swapped evaluated elements are refused', () => {
    const swapped = [
      { ...items[0]!, evaluated: items[1]!.evaluated },
      { ...items[1]!, evaluated: items[0]!.evaluated },
    ];
    expect(refusedAs(() => finalizeBatch(swapped, key.publicKey, proof))).toBe('proof');
  });

  it('a changed proof byte, a short proof, and a non-canonical scalar in the proof are refused', () => {
    const flipped = new Uint8Array(proof);
    flipped[40]! ^= 1;
    expect(verifyProof(key.publicKey, [items[0]!.blinded, items[1]!.blinded], evaluated, flipped)).toBe(false);
    expect(verifyProof(key.publicKey, [items[0]!.blinded, items[1]!.blinded], evaluated, proof.subarray(0, 63))).toBe(
      false,
    );
    const big = new Uint8Array(proof);
    big.fill(0xff, 32, 64);
    expect(verifyProof(key.publicKey, [items[0]!.blinded, items[1]!.blinded], evaluated, big)).toBe(false);
  });

  it('the server refuses the identity, non-canonical encodings and wrong lengths, naming the element', () => {
    const good = blinded[0]!.blinded;
    const error = (elements: Uint8Array[]): { reason: string; index?: number | undefined } => {
      try {
        blindEvaluateBatch(key, elements);
      } catch (err) {
        if (err instanceof BlindError) return { reason: err.reason, index: err.index };
      }
      return { reason: 'accepted' };
    };
    expect(error([good, new Uint8Array(32)])).toEqual({ reason: 'identity', index: 1 });
    // 2^255 - 1: its field element is not reduced (RFC 9496 §4.3.1 refuses it).
    const nonCanonical = new Uint8Array(32).fill(0xff);
    nonCanonical[31] = 0x7f;
    expect(error([nonCanonical])).toEqual({ reason: 'element', index: 0 });
    // A negative field element (odd low bit) is not canonical either.
    const odd = new Uint8Array(good);
    odd[0]! |= 1;
    expect(error([good, good, odd])).toEqual({ reason: 'element', index: 2 });
    expect(error([good.subarray(0, 31)])).toEqual({ reason: 'element', index: 0 });
    expect(error([good, good])).toEqual({ reason: 'accepted' });
  });
});
