/**
 * docs/DERIVATION.md §10: sectoken's blind sectors against the vectors of an independent Python
 * implementation of RFC 9496, RFC 9497 (VOPRF, ristretto255-SHA512) and of the document
 * (scripts/blind_reference.py → test/vectors/blind-reference.json). Nothing of Python runs here:
 * blindReferenceScript.test.ts checks that the file is what the script writes.
 *
 * Both roles are this service's code: the backend's (canonical ID, Blind, Finalize, render) and
 * the service's (key pair from the keyring, BlindEvaluateBatch with its proof, and Evaluate, which
 * translation into a blind sector uses), through the functions and through the tokenizer.
 */
import { parseConfig } from '../../src/config/schema.js';
import { blindInput, blindKeyInfo, blindToken } from '../../src/derivation/blind/render.js';
import {
  BlindError,
  blind,
  blindEvaluateBatch,
  deriveKeyPair,
  evaluate,
  finalizeBatch,
  verifyProof,
} from '../../src/derivation/blind/voprf.js';
import type { FormatSettings } from '../../src/derivation/format.js';
import { canonicalNationalId } from '../../src/derivation/nationalId.js';
import { createTokenizer } from '../../src/derivation/tokenizer.js';
import { sectorVoprfSeed } from '../../src/keys/derive.js';
import { parseKeyring } from '../../src/keys/keyring.js';
import { codeOf } from '../helpers/codeOf.js';
import { readVector } from './vectors.js';

interface Person {
  nationalId: string;
  case?: string;
  input: string;
  blind: string;
  blindedElement: string;
  evaluationElement: string;
  output: string;
  token: string;
}
interface BlindReference {
  generator: string;
  sectors: Record<string, { format: FormatSettings; versions: number[] }>;
  refused: { nationalId: string; reason: string; case: string }[];
  invalidElements: { element: string; reason: 'element' | 'identity'; case: string }[];
  keys: {
    sector: string;
    version: number;
    sectorKey: string;
    seed: string;
    info: string;
    skS: string;
    pkS: string;
  }[];
  batches: { sector: string; version: number; proofRandomScalar: string; proof: string; people: Person[] }[];
}

const vectors = JSON.parse(readVector('blind-reference.json')) as BlindReference;
const hex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'hex'));
const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const keyOf = (sector: string, version: number) => {
  const key = vectors.keys.find((k) => k.sector === sector && k.version === version);
  if (!key) throw new Error(`no key for ${sector} v${version} in blind-reference.json`);
  return key;
};

// The vectors' sectors in a configuration, and their keys in a keyring: the test keyring's other
// keys, with the sectors replaced by the vectors' blind sectors.
const config = parseConfig(
  { sectors: Object.fromEntries(Object.entries(vectors.sectors).map(([s, { format }]) => [s, format])) },
  'test/vectors/blind-reference.json',
);
const keyringJson = JSON.parse(readVector('test-keyring.json')) as Record<string, unknown>;
keyringJson.sectors = Object.fromEntries(
  Object.entries(vectors.sectors).map(([s, { versions }]) => [
    s,
    {
      current: Math.max(...versions),
      minVersion: Math.min(...versions),
      versions: Object.fromEntries(versions.map((v) => [String(v), keyOf(s, v).sectorKey])),
    },
  ]),
);
const keyring = parseKeyring(new TextEncoder().encode(JSON.stringify(keyringJson)));
const tokenizer = createTokenizer(config, keyring);

describe('blind sectors against scripts/blind_reference.py (DERIVATION.md §10)', () => {
  it('come from the script, and cover every sector and version with a batch of several and a batch of one', () => {
    expect(vectors.generator).toBe('scripts/blind_reference.py');
    for (const [sector, { versions }] of Object.entries(vectors.sectors)) {
      for (const version of versions) {
        const sizes = vectors.batches
          .filter((b) => b.sector === sector && b.version === version)
          .map((b) => b.people.length);
        expect(sizes).toContain(1);
        expect(Math.max(...sizes)).toBeGreaterThan(4);
      }
    }
  });

  it.each(vectors.keys.map((k) => [`${k.sector} v${k.version}`, k] as const))(
    '%s: seed, info and key pair (§10.2), from the keyring too',
    (_name, k) => {
      const seed = sectorVoprfSeed(Buffer.from(k.sectorKey, 'base64url'), k.sector, k.version);
      expect(toHex(seed)).toBe(k.seed);
      expect(new TextDecoder().decode(blindKeyInfo(k.sector, k.version))).toBe(k.info);
      const pair = deriveKeyPair(seed, blindKeyInfo(k.sector, k.version));
      expect([toHex(pair.secretKey), toHex(pair.publicKey)]).toEqual([k.skS, k.pkS]);
      const fromKeyring = tokenizer.sector(k.sector).blindKeys?.get(k.version);
      expect(fromKeyring && [toHex(fromKeyring.secretKey), toHex(fromKeyring.publicKey)]).toEqual([k.skS, k.pkS]);
    },
  );

  it.each(vectors.batches.map((b, i) => [`${i}: ${b.sector} v${b.version}, ${b.people.length} people`, b] as const))(
    'batch %s: input, Blind, BlindEvaluateBatch and its proof, Finalize, token (§10.1–§10.4)',
    (_name, b) => {
      const k = keyOf(b.sector, b.version);
      const key = { secretKey: hex(k.skS), publicKey: hex(k.pkS) };
      const format = tokenizer.sector(b.sector).format;
      // The backend: canonical ID (§2) as ASCII bytes, blinded with the vector's blind.
      const inputs = b.people.map((p) => blindInput(canonicalNationalId(p.nationalId)));
      expect(inputs.map(toHex)).toEqual(b.people.map((p) => p.input));
      const blinded = inputs.map((input, i) => blind(input, hex(b.people[i]!.blind)));
      expect(blinded.map((x) => toHex(x.blinded))).toEqual(b.people.map((p) => p.blindedElement));
      // The service: every element under the key, one proof with the vector's nonce.
      const { evaluated, proof } = blindEvaluateBatch(
        key,
        blinded.map((x) => x.blinded),
        hex(b.proofRandomScalar),
      );
      expect(evaluated.map(toHex)).toEqual(b.people.map((p) => p.evaluationElement));
      expect(toHex(proof)).toBe(b.proof);
      // The backend again: the script's proof verifies, and its elements give the script's outputs.
      const their = b.people.map((p) => ({ blinded: hex(p.blindedElement), evaluated: hex(p.evaluationElement) }));
      expect(
        verifyProof(
          key.publicKey,
          their.map((e) => e.blinded),
          their.map((e) => e.evaluated),
          hex(b.proof),
        ),
      ).toBe(true);
      const outputs = finalizeBatch(
        inputs.map((input, i) => ({ input, blind: hex(b.people[i]!.blind), ...their[i]! })),
        key.publicKey,
        hex(b.proof),
      );
      expect(outputs.map(toHex)).toEqual(b.people.map((p) => p.output));
      expect(outputs.map((o) => blindToken(format, b.version, o))).toEqual(b.people.map((p) => p.token));
      // The service without blinding (translation into the sector, §10.3): the same outputs and tokens.
      expect(inputs.map((input) => toHex(evaluate(key.secretKey, input)))).toEqual(b.people.map((p) => p.output));
      const sector = tokenizer.sector(b.sector);
      expect(b.people.map((p) => sector.issue(tokenizer.tniOf(p.nationalId), b.version).token)).toEqual(
        b.people.map((p) => p.token),
      );
    },
  );

  it("tokenize gives each person's token under the sector's current version", () => {
    for (const b of vectors.batches) {
      if (b.version !== Math.max(...vectors.sectors[b.sector]!.versions)) continue;
      for (const p of b.people) {
        expect(tokenizer.tokenize(b.sector, p.nationalId)).toEqual({ token: p.token, keyVersion: b.version });
      }
    }
  });

  it.each(vectors.refused.map((r) => [JSON.stringify(r.nationalId), r] as const))(
    '%s is never blinded: invalid_national_id (%#)',
    (_name, r) => {
      expect(codeOf(() => canonicalNationalId(r.nationalId))).toBe('invalid_national_id');
    },
  );

  it.each(vectors.invalidElements.map((e) => [e.case, e] as const))(
    'a blinded element refused by §10.3: %s, with its index',
    (_name, e) => {
      const k = vectors.keys[0]!;
      const key = { secretKey: hex(k.skS), publicKey: hex(k.pkS) };
      const good = hex(vectors.batches[0]!.people[0]!.blindedElement);
      const refusal = (() => {
        try {
          blindEvaluateBatch(key, [good, hex(e.element)]);
          return undefined;
        } catch (err) {
          return err;
        }
      })();
      expect(refusal).toBeInstanceOf(BlindError);
      expect(refusal).toMatchObject({ reason: e.reason, index: 1 });
    },
  );
});
