/**
 * The blind-sector vectors of docs/DERIVATION.md §10.6 (test/vectors/blind.json): this service's
 * code reproduces every value, and @noble/curves (pure JS, not libsodium) reproduces the keys,
 * the blinded and evaluated elements and the outputs, and accepts each batch's proof.
 */
import { readFileSync } from 'node:fs';
import { ristretto255_hasher, ristretto255_oprf, ristretto255 } from '@noble/curves/ed25519.js';
import { tokenFormat, type FormatSettings } from '../../../src/derivation/format.js';
import { blindInput, blindKeyInfo, blindToken } from '../../../src/derivation/blind/render.js';
import { blind, blindEvaluateBatch, deriveKeyPair, evaluate } from '../../../src/derivation/blind/voprf.js';
import { sectorVoprfSeed } from '../../../src/keys/derive.js';

interface Person {
  nationalId: string;
  input: string;
  blind: string;
  blindedElement: string;
  evaluationElement: string;
  output: string;
  token: string;
}
interface Version {
  version: number;
  sectorKey: string;
  seed: string;
  info: string;
  skS: string;
  pkS: string;
  proofRandomScalar: string;
  proof: string;
  people: Person[];
}
const vectors = JSON.parse(readFileSync('test/vectors/blind.json', 'utf8')) as {
  sector: string;
  format: FormatSettings;
  versions: Version[];
};
const hex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'hex'));
const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const format = tokenFormat(vectors.format);
const DST = 'HashToGroup-OPRFV1-\x01-ristretto255-SHA512';

describe.each(vectors.versions.map((v) => [v.version, v] as const))('blind vectors, key version %i', (version, v) => {
  it('this service: seed, key pair, elements, proof, outputs, tokens', () => {
    const seed = sectorVoprfSeed(hex(v.sectorKey), vectors.sector, version);
    expect(toHex(seed)).toBe(v.seed);
    expect(new TextDecoder().decode(blindKeyInfo(vectors.sector, version))).toBe(v.info);
    const key = deriveKeyPair(seed, blindKeyInfo(vectors.sector, version));
    expect([toHex(key.secretKey), toHex(key.publicKey)]).toEqual([v.skS, v.pkS]);
    const blinded = v.people.map((p) => {
      expect(toHex(blindInput(p.nationalId))).toBe(p.input);
      return blind(hex(p.input), hex(p.blind)).blinded;
    });
    expect(blinded.map(toHex)).toEqual(v.people.map((p) => p.blindedElement));
    const evaluation = blindEvaluateBatch(key, blinded, hex(v.proofRandomScalar));
    expect(evaluation.evaluated.map(toHex)).toEqual(v.people.map((p) => p.evaluationElement));
    expect(toHex(evaluation.proof)).toBe(v.proof);
    for (const p of v.people) {
      expect(toHex(evaluate(key.secretKey, hex(p.input)))).toBe(p.output);
      expect(blindToken(format, version, hex(p.output))).toBe(p.token);
    }
  });

  it('@noble/curves: the same keys, elements and outputs, and the proof verifies', () => {
    const noble = ristretto255_oprf.voprf;
    const key = noble.deriveKeyPair(hex(v.seed), new TextEncoder().encode(v.info));
    expect([toHex(key.secretKey), toHex(key.publicKey)]).toEqual([v.skS, v.pkS]);
    const Fn = ristretto255.Point.Fn;
    for (const p of v.people) {
      const element = ristretto255_hasher.hashToCurve(hex(p.input), { DST }).multiply(Fn.fromBytes(hex(p.blind)));
      expect(toHex(element.toBytes())).toBe(p.blindedElement);
    }
    const outputs = noble.finalizeBatch(
      v.people.map((p) => ({
        input: hex(p.input),
        blind: hex(p.blind),
        blinded: hex(p.blindedElement),
        evaluated: hex(p.evaluationElement),
      })),
      hex(v.pkS),
      hex(v.proof),
    );
    expect(outputs.map(toHex)).toEqual(v.people.map((p) => p.output));
  });
});
