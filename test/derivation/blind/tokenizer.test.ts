/**
 * Blind sectors in the tokenizer: the token the backend gets by the interactive protocol (Blind,
 * BlindEvaluateBatch, Finalize, render) is the one the service computes without blinding
 * (Evaluate, used by translation); other sectors and other key versions give unrelated tokens.
 */
import { parseConfig } from '../../../src/config/schema.js';
import { blindInput, blindToken } from '../../../src/derivation/blind/render.js';
import { blind, blindEvaluateBatch, finalizeBatch } from '../../../src/derivation/blind/voprf.js';
import { NATIONAL_ID_COUNT, unrankNationalId } from '../../../src/derivation/nationalId.js';
import { createTokenizer } from '../../../src/derivation/tokenizer.js';
import { generateKeyring, rotateSector } from '../../../src/keys/keyring.js';

const blindSector = { policy: 'blind', alphabet: 'crockford32', length: 22, checkCharacter: true };
const config = parseConfig(
  {
    sectors: {
      civil: blindSector,
      civic: blindSector,
      tax: { policy: 'reversible', alphabet: 'alphanumeric', length: 9 },
    },
  },
  'test',
);
const keyring = generateKeyring(Object.keys(config.sectors), false);
rotateSector(keyring, 'civil');
const tokenizer = createTokenizer(config, keyring);
const people = Array.from({ length: 40 }, (_, i) => unrankNationalId((i * 19_499_981 + 7) % NATIONAL_ID_COUNT));

/** The backend's side: blind, have the sector's key evaluate with a proof, verify, finalize, render. */
function interactive(sectorId: string, version: number, ids: string[]): string[] {
  const sector = tokenizer.sector(sectorId);
  const key = sector.blindKeys!.get(version)!;
  const inputs = ids.map(blindInput);
  const blinded = inputs.map((input) => blind(input));
  const { evaluated, proof } = blindEvaluateBatch(
    key,
    blinded.map((b) => b.blinded),
  );
  const outputs = finalizeBatch(
    inputs.map((input, i) => ({ input, ...blinded[i]!, evaluated: evaluated[i]! })),
    key.publicKey,
    proof,
  );
  return outputs.map((output) => blindToken(sector.format, version, output));
}

describe('blind sectors in the tokenizer', () => {
  it('the interactive protocol gives the token of Evaluate, under each live version', () => {
    for (const version of [1, 2]) {
      const evaluated = people.map((id) => tokenizer.sector('civil').issue(tokenizer.tniOf(id), version).token);
      expect(interactive('civil', version, people)).toEqual(evaluated);
    }
    expect(people.map((id) => tokenizer.tokenize('civil', id))).toEqual(
      interactive('civil', 2, people).map((token) => ({ token, keyVersion: 2 })),
    );
  });

  it('other sectors and other key versions give unrelated tokens', () => {
    const bodies = (tokens: string[]): string[] => tokens.map((t) => t.slice(1, -1));
    const v1 = bodies(interactive('civil', 1, people));
    const v2 = bodies(interactive('civil', 2, people));
    const other = bodies(interactive('civic', 1, people));
    expect(new Set([...v1, ...v2, ...other]).size).toBe(3 * people.length);
    expect(interactive('civil', 2, people)[0]![0]).toBe('2');
    expect(interactive('civil', 1, people)[0]![0]).toBe('1');
  });

  it('a blind token is one-way: reading it says not_reversible', () => {
    const [token] = interactive('civil', 1, [people[0]!]);
    expect(() => tokenizer.reverse('civil', token!)).toThrow(expect.objectContaining({ code: 'not_reversible' }));
    expect(() => tokenizer.reverse('civil', token!.slice(0, -1) + '*')).toThrow(
      expect.objectContaining({ code: 'invalid_token' }),
    );
  });
});
