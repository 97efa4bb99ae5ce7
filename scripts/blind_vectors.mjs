#!/usr/bin/env node
/**
 * Writes test/vectors/blind.json, the blind-sector vectors of docs/DERIVATION.md §10.6: fixed
 * sector keys, blinds and proof nonces, each value computed by the built derivation (run
 * `npm run build` first). test/derivation/blind/vectors.test.ts checks them against this
 * service's code and against @noble/curves; scripts/blind_reference.py, when present, recomputes
 * them from the document alone. Deterministic: re-running gives the same file.
 *
 *   node scripts/blind_vectors.mjs
 */
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { blindKeyInfo, blindInput, blindToken } from '../dist/derivation/blind/render.js';
import { blind, blindEvaluateBatch, deriveKeyPair, evaluate, finalizeBatch } from '../dist/derivation/blind/voprf.js';
import { sectorVoprfSeed } from '../dist/keys/derive.js';
import { tokenFormat } from '../dist/derivation/format.js';
import { reduceWide } from '../dist/derivation/blind/group.js';

const root = join(fileURLToPath(import.meta.url), '..', '..');
const hex = (b) => Buffer.from(b).toString('hex');
const sha256 = (label) => new Uint8Array(createHash('sha256').update(label).digest());
/** A scalar from a public label: SHA-512 of it, little-endian, mod L. */
const scalar = (label) => reduceWide(new Uint8Array(createHash('sha512').update(label).digest()));

const sector = 'civil';
const settings = { policy: 'blind', alphabet: 'crockford32', length: 22, checkCharacter: true, versionCharacters: 1 };
const format = tokenFormat(settings);
const people = ['AB123456', 'K1', 'ZZ999999', 'A01'];

const versions = [1, 2].map((version) => {
  const sectorKey = sha256(`sectoken test blind sector ${sector} v${version}`);
  const seed = sectorVoprfSeed(sectorKey, sector, version);
  const info = blindKeyInfo(sector, version);
  const key = deriveKeyPair(seed, info);
  const inputs = people.map(blindInput);
  const blinds = people.map((id) => scalar(`sectoken test blind ${id} v${version}`));
  const blinded = inputs.map((input, i) => blind(input, blinds[i]).blinded);
  const proofNonce = scalar(`sectoken test proof nonce v${version}`);
  const { evaluated, proof } = blindEvaluateBatch(key, blinded, proofNonce);
  const outputs = finalizeBatch(
    inputs.map((input, i) => ({ input, blind: blinds[i], blinded: blinded[i], evaluated: evaluated[i] })),
    key.publicKey,
    proof,
  );
  outputs.forEach((output, i) => {
    if (hex(output) !== hex(evaluate(key.secretKey, inputs[i]))) throw new Error('Finalize and Evaluate disagree');
  });
  return {
    version,
    sectorKey: hex(sectorKey),
    seed: hex(seed),
    info: new TextDecoder().decode(info),
    skS: hex(key.secretKey),
    pkS: hex(key.publicKey),
    pkSBase64url: Buffer.from(key.publicKey).toString('base64url'),
    proofRandomScalar: hex(proofNonce),
    proof: hex(proof),
    people: people.map((nationalId, i) => ({
      nationalId,
      input: hex(inputs[i]),
      blind: hex(blinds[i]),
      blindedElement: hex(blinded[i]),
      evaluationElement: hex(evaluated[i]),
      output: hex(outputs[i]),
      token: blindToken(format, version, outputs[i]),
    })),
  };
});

const doc = {
  $comment:
    'Blind sector vectors (docs/DERIVATION.md §10.6): sector keys are SHA-256 of public labels; blinds and proof nonces SHA-512 of labels, mod L. The proof covers the whole batch of a version, in this order.',
  suite: 'ristretto255-SHA512, VOPRF (RFC 9497)',
  sector,
  format: settings,
  versions,
};
writeFileSync(join(root, 'test', 'vectors', 'blind.json'), JSON.stringify(doc, null, 2) + '\n');
console.log('wrote test/vectors/blind.json');
