/**
 * Use cases of a blind sector (docs/DERIVATION.md §10): its backend's batch of blinded national
 * IDs evaluated under the sector's current key with one proof (RFC 9497 BlindEvaluateBatch), and
 * the sector's public keys. The service sees random group elements only: nothing here is an
 * identifier, yet the elements are logged nowhere either. Each element counts against the
 * caller's one identities budget, like a batch item, so enumeration goes no faster than tokenize.
 */
import type { Principal } from '../../access/apiKeys.js';
import { authorize } from '../../access/rules.js';
import { BlindError, blindEvaluateBatch } from '../../derivation/blind/voprf.js';
import type { SectorTokens } from '../../derivation/sectorTokens.js';
import { SCHEME_VERSION } from '../../derivation/tokenizer.js';
import { SectokenError } from '../../errors.js';
import type { TokenDeps } from './tokenize.js';

const SUITE = 'ristretto255-SHA512' as const;
const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64url');
const ELEMENT = /^[A-Za-z0-9_-]{43}$/;

/** The sector's blind key pairs; a sector of another policy is policy_mismatch. */
export function blindKeysOf(sector: SectorTokens): NonNullable<SectorTokens['blindKeys']> {
  if (!sector.blindKeys)
    throw new SectokenError(
      'policy_mismatch',
      `this sector's tokens are ${sector.format.policy}, not blind: use POST /v1/tokens`,
    );
  return sector.blindKeys;
}

const invalidElement = (index: number, why: string): SectokenError =>
  new SectokenError('invalid_element', `blinded element ${index}: ${why}`);

export interface BlindAnswer {
  sector: string;
  keyVersion: number;
  schemeVersion: number;
  suite: typeof SUITE;
  evaluatedElements: string[];
  proof: string;
}

export async function blindEvaluate(
  deps: Pick<TokenDeps, 'tokenizer' | 'limits' | 'metrics'>,
  principal: Principal,
  input: { sector: string; blindedElements: string[] },
): Promise<BlindAnswer> {
  const sector = deps.tokenizer().sector(input.sector);
  authorize(principal, 'tokenize', [input.sector]);
  const keys = blindKeysOf(sector);
  const elements = input.blindedElements.map((text, i) => {
    if (!ELEMENT.test(text)) throw invalidElement(i, 'not 32 bytes in base64url without padding');
    return new Uint8Array(Buffer.from(text, 'base64url'));
  });
  // Every element is a person looked up: one budget with tokenize and its batches.
  await deps.limits.consume(principal.id, input.sector, 'identities', elements.length);
  const keyVersion = sector.currentVersion;
  let evaluation;
  try {
    evaluation = blindEvaluateBatch(keys.get(keyVersion)!, elements);
  } catch (err) {
    if (!(err instanceof BlindError)) throw err;
    throw invalidElement(
      err.index ?? 0,
      err.reason === 'identity' ? 'the identity element' : 'not a canonical ristretto255 encoding',
    );
  }
  // A count per sector and policy, as for tokens: it says how many, never whom.
  deps.metrics.tokensIssued.inc({ sector: input.sector, policy: 'blind' }, elements.length);
  return {
    sector: input.sector,
    keyVersion,
    schemeVersion: SCHEME_VERSION,
    suite: SUITE,
    evaluatedElements: evaluation.evaluated.map(b64),
    proof: b64(evaluation.proof),
  };
}

export function blindPublicKeys(deps: Pick<TokenDeps, 'tokenizer'>, principal: Principal, sectorId: string) {
  authorize(principal, 'read-public-keys');
  const sector = deps.tokenizer().sector(sectorId);
  const keys = blindKeysOf(sector);
  return {
    sector: sectorId,
    suite: SUITE,
    mode: 'VOPRF' as const,
    format: {
      alphabet: sector.format.alphabet,
      length: sector.format.length,
      checkCharacter: sector.format.checkCharacter,
      versionCharacters: sector.format.versionLength as 1 | 2,
    },
    currentVersion: sector.currentVersion,
    minVersion: sector.minVersion,
    keys: [...keys]
      .sort(([a], [b]) => a - b)
      .map(([keyVersion, pair]) => ({ keyVersion, publicKey: b64(pair.publicKey) })),
  };
}
