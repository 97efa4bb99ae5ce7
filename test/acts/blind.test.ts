/**
 * A blind sector's acts in process (src/acts/tokens/blindEvaluate.ts): a backend's blinded
 * elements evaluated under the sector's current key with one proof that verifies against its
 * public key, each refusal with its code and message, one identity counted per element; and the
 * sector's public keys. The protocol end to end through HTTP is in test/blind/.
 */
import type { Principal } from '../../src/access/apiKeys.js';
import { blindEvaluate, blindPublicKeys } from '../../src/acts/tokens/blindEvaluate.js';
import { parseConfig } from '../../src/config/schema.js';
import { blind, finalizeBatch, verifyProof, evaluate, type KeyPair } from '../../src/derivation/blind/voprf.js';
import { createTokenizer, SCHEME_VERSION, type Tokenizer } from '../../src/derivation/tokenizer.js';
import { generateKeyring, rotateSector } from '../../src/keys/keyring.js';
import { createRateLimits, type Window } from '../../src/limits/rateLimits.js';
import { createMetrics, type Metrics } from '../../src/metrics.js';
import { devConfig } from '../helpers/service.js';

const registry: Principal = {
  id: 'registry-backend',
  role: 'service',
  sectors: new Set(['civil', 'tax']),
  person: null,
  organisation: null,
};
const auditor: Principal = { id: 'auditor', role: 'auditor', sectors: new Set(), person: null, organisation: null };

const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64url');
const utf8 = new TextEncoder();
const codeOf = (act: Promise<unknown>): Promise<string | undefined> =>
  act.then(
    () => undefined,
    (err: unknown) => (err as { code?: string }).code,
  );

/** The deps of the blind acts, the civil key rotated `rotations` times; `identities` windows (default none). */
function setup(options: { identities?: Window[]; rotations?: number } = {}) {
  const config = parseConfig(
    {
      ...devConfig(),
      rateLimits: { defaults: options.identities ? { identities: options.identities } : {}, clients: {} },
    },
    'sample',
  );
  const keyring = generateKeyring(Object.keys(config.sectors), false);
  for (let i = 0; i < (options.rotations ?? 0); i++) rotateSector(keyring, 'civil');
  const tokenizer = createTokenizer(config, keyring);
  const metrics = createMetrics(false);
  const limited: string[] = [];
  const deps = {
    tokenizer: (): Tokenizer => tokenizer,
    limits: createRateLimits(config, undefined, (op) => limited.push(op)),
    metrics,
  };
  return { deps, tokenizer, metrics, limited };
}

const keyOf = (tokenizer: Tokenizer, version: number): KeyPair => tokenizer.sector('civil').blindKeys!.get(version)!;

/** Blinded inputs, as a backend sends them. */
const blinded = (inputs: string[]) =>
  inputs.map((input) => ({ input: utf8.encode(input), ...blind(utf8.encode(input)) }));

async function issued(metrics: Metrics): Promise<Record<string, number>> {
  const { values } = await metrics.tokensIssued.get();
  return Object.fromEntries(values.map((v) => [`${v.labels.sector}/${v.labels.policy}`, v.value]));
}

/** 32 bytes that are no canonical ristretto255 encoding, and the identity element. */
const NOT_CANONICAL = b64(new Uint8Array(32).fill(0xff));
const IDENTITY = b64(new Uint8Array(32));

describe('blindEvaluate', () => {
  it("evaluates each element in order under the sector's current key, with one proof that verifies against its public key", async () => {
    const { deps, tokenizer, metrics } = setup({ rotations: 1 });
    const items = blinded(['AB123456', 'K1', 'ZZ999999']);
    const answer = await blindEvaluate(deps, registry, {
      sector: 'civil',
      blindedElements: items.map((i) => b64(i.blinded)),
    });
    expect(answer).toMatchObject({
      sector: 'civil',
      keyVersion: 2,
      schemeVersion: SCHEME_VERSION,
      suite: 'ristretto255-SHA512',
    });
    const evaluated = answer.evaluatedElements.map((e) => new Uint8Array(Buffer.from(e, 'base64url')));
    const proof = new Uint8Array(Buffer.from(answer.proof, 'base64url'));
    const current = keyOf(tokenizer, 2);
    const blindedBytes = items.map((i) => i.blinded);
    expect(verifyProof(current.publicKey, blindedBytes, evaluated, proof)).toBe(true);
    expect(verifyProof(keyOf(tokenizer, 1).publicKey, blindedBytes, evaluated, proof)).toBe(false);
    const outputs = finalizeBatch(
      items.map((item, k) => ({ ...item, evaluated: evaluated[k]! })),
      current.publicKey,
      proof,
    );
    expect(outputs.map(b64)).toEqual(items.map((i) => b64(evaluate(current.secretKey, i.input))));
    expect(await issued(metrics)).toEqual({ 'civil/blind': 3 });
  });

  it('refuses an element that is not 43 characters of base64url, by its place, before counting', async () => {
    const { deps, limited } = setup({ identities: [{ points: 2, perSeconds: 3600 }] });
    const good = b64(blinded(['AB123456'])[0]!.blinded);
    for (const bad of [
      good.slice(1),
      `${good}A`,
      `A${good}`,
      `${good}=`,
      `${good.slice(1)}+`,
      `${good.slice(1)}/`,
      '',
    ]) {
      await expect(
        blindEvaluate(deps, registry, { sector: 'civil', blindedElements: [good, bad] }),
      ).rejects.toMatchObject({
        code: 'invalid_element',
        message: 'blinded element 1: not 32 bytes in base64url without padding',
      });
    }
    // Nothing counted: the window's two points are still there.
    await blindEvaluate(deps, registry, { sector: 'civil', blindedElements: [good, good] });
    expect(limited).toEqual([]);
  });

  it('refuses an element that is no canonical encoding, or the identity, by its place', async () => {
    const { deps } = setup();
    const good = b64(blinded(['AB123456'])[0]!.blinded);
    await expect(
      blindEvaluate(deps, registry, { sector: 'civil', blindedElements: [good, good, NOT_CANONICAL] }),
    ).rejects.toMatchObject({
      code: 'invalid_element',
      message: 'blinded element 2: not a canonical ristretto255 encoding',
    });
    await expect(
      blindEvaluate(deps, registry, { sector: 'civil', blindedElements: [good, IDENTITY] }),
    ).rejects.toMatchObject({ code: 'invalid_element', message: 'blinded element 1: the identity element' });
    await expect(blindEvaluate(deps, registry, { sector: 'civil', blindedElements: [IDENTITY] })).rejects.toMatchObject(
      { code: 'invalid_element', message: 'blinded element 0: the identity element' },
    );
  });

  it('lets through what is no refusal of an element: an empty batch is an error of the caller (the HTTP schema asks for one element)', async () => {
    const { deps } = setup();
    await expect(blindEvaluate(deps, registry, { sector: 'civil', blindedElements: [] })).rejects.toBeInstanceOf(
      RangeError,
    );
  });

  it("draws one identity per element on the client's window of the sector", async () => {
    const { deps, limited } = setup({ identities: [{ points: 3, perSeconds: 3600 }] });
    const elements = blinded(['A1', 'A2', 'A3', 'A4']).map((i) => b64(i.blinded));
    expect(await codeOf(blindEvaluate(deps, registry, { sector: 'civil', blindedElements: elements }))).toBe(
      'batch_too_large',
    );
    await blindEvaluate(deps, registry, { sector: 'civil', blindedElements: elements.slice(0, 2) });
    // Counted, though refused after: the element decodes, but is none.
    expect(await codeOf(blindEvaluate(deps, registry, { sector: 'civil', blindedElements: [NOT_CANONICAL] }))).toBe(
      'invalid_element',
    );
    expect(await codeOf(blindEvaluate(deps, registry, { sector: 'civil', blindedElements: elements.slice(3) }))).toBe(
      'rate_limited',
    );
    expect(limited).toEqual(['identities']);
  });

  it('refuses an unknown sector, a sector outside the client, and a sector that is not blind', async () => {
    const { deps } = setup();
    const elements = blinded(['A1']).map((i) => b64(i.blinded));
    expect(await codeOf(blindEvaluate(deps, registry, { sector: 'nowhere', blindedElements: elements }))).toBe(
      'unknown_sector',
    );
    expect(await codeOf(blindEvaluate(deps, auditor, { sector: 'civil', blindedElements: elements }))).toBe(
      'forbidden',
    );
    expect(
      await codeOf(
        blindEvaluate(deps, { ...registry, sectors: new Set(['tax']) }, { sector: 'civil', blindedElements: elements }),
      ),
    ).toBe('forbidden');
    await expect(blindEvaluate(deps, registry, { sector: 'tax', blindedElements: elements })).rejects.toMatchObject({
      code: 'policy_mismatch',
      message: "this sector's tokens are reversible, not blind: use POST /v1/tokens",
    });
  });
});

describe('blindPublicKeys', () => {
  it("publishes the sector's format and each live key version's public key, by version", () => {
    const { deps, tokenizer } = setup({ rotations: 2 });
    const keys = blindPublicKeys(deps, auditor, 'civil');
    expect(keys).toEqual({
      sector: 'civil',
      suite: 'ristretto255-SHA512',
      mode: 'VOPRF',
      format: { alphabet: 'crockford32', length: 22, checkCharacter: true, versionCharacters: 1 },
      currentVersion: 3,
      minVersion: 1,
      keys: [1, 2, 3].map((v) => ({ keyVersion: v, publicKey: b64(keyOf(tokenizer, v).publicKey) })),
    });
  });

  it('lists the versions in order whatever the order the sector holds them in', () => {
    const { tokenizer } = setup({ rotations: 2 });
    const civil = tokenizer.sector('civil');
    const shuffled: Tokenizer = {
      ...tokenizer,
      sector: (id) =>
        id === 'civil' ? { ...civil, blindKeys: new Map([...civil.blindKeys!].reverse()) } : tokenizer.sector(id),
    };
    const keys = blindPublicKeys({ tokenizer: () => shuffled }, registry, 'civil');
    expect(keys.keys.map((k) => k.keyVersion)).toEqual([1, 2, 3]);
  });

  it('is for clients of every role, in any sector; refuses an unknown sector and one that is not blind', () => {
    const { deps } = setup();
    const outsider: Principal = { ...registry, sectors: new Set() };
    expect(blindPublicKeys(deps, outsider, 'civil').sector).toBe('civil');
    expect(() => blindPublicKeys(deps, registry, 'nowhere')).toThrow(
      expect.objectContaining({ code: 'unknown_sector' }),
    );
    expect(() => blindPublicKeys(deps, registry, 'social')).toThrow(
      expect.objectContaining({
        code: 'policy_mismatch',
        message: "this sector's tokens are one-way, not blind: use POST /v1/tokens",
      }),
    );
  });
});
