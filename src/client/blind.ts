/**
 * The blind-token client of sectoken (package export `sectoken/blind-client`): a sector backend
 * gets its blind sector's tokens without the service seeing the national IDs or the tokens.
 * For each national ID it canonicalizes (docs/DERIVATION.md §2), blinds (RFC 9497 Blind), sends
 * the blinded elements to `POST /v1/blind/evaluate`, verifies the service's proof against the
 * sector's public key (pinned, or fetched from `GET /v1/blind/keys/{sector}`), unblinds
 * (Finalize) and renders the token in the sector's format (§10.4). It uses the pure derivation
 * only, no server code: any RFC 9497 library can do the same from docs/DERIVATION.md §10.
 *
 * ```ts
 * import { blindTokens } from 'sectoken/blind-client';
 * const results = await blindTokens({ url, apiKey, sector: 'civil' }, ['AB123456', 'K1']);
 * // [{ token: '1…', keyVersion: 1 }, { token: '1…', keyVersion: 1 }] — or { error: 'invalid_national_id' }
 * ```
 */
import { blindInput, blindToken } from '../derivation/blind/render.js';
import { blind, BlindError, finalizeBatch } from '../derivation/blind/voprf.js';
import { tokenFormat, type TokenFormat } from '../derivation/format.js';
import type { AlphabetName } from '../derivation/alphabet.js';
import { canonicalNationalId } from '../derivation/nationalId.js';

/** A refusal of the client: the service's answer, its proof, or a key that is not the pinned one. One line, no identifier. */
export class BlindClientError extends Error {
  override name = 'BlindClientError';
  constructor(
    message: string,
    /** The service's error code, when it refused. */
    readonly code?: string,
    /** Sending the same batch again may succeed: a dropped connection, a 429 or a 5xx. */
    readonly retryable = false,
    /** How long the service asked to wait before sending again (a 429's Retry-After), in seconds. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

export interface BlindClientOptions {
  /** The service, e.g. `http://127.0.0.1:8080`. */
  url: string;
  /** The API key of a service client of the sector. */
  apiKey: string;
  sector: string;
  /**
   * The sector's public keys by key version (base64url), as the operator published them. Without
   * them the client fetches them from the service, which then vouches for itself: pin them.
   */
  publicKeys?: Readonly<Record<number, string>>;
  /** Elements per request: at most the service's batch size (1000 by default). */
  batchSize?: number;
}

export type BlindResult = { token: string; keyVersion: number } | { error: 'invalid_national_id' };

export interface SectorKeys {
  format: TokenFormat;
  /** Public keys by key version, 32 bytes each. */
  keys: Map<number, Uint8Array>;
}

const fromB64 = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'base64url'));
const toB64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64url');

async function call(
  options: BlindClientOptions,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(new URL(path, options.url), {
      method,
      headers: {
        authorization: `Bearer ${options.apiKey}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  } catch (err) {
    const cause = (err as { cause?: { code?: unknown } }).cause?.code;
    throw new BlindClientError(
      `cannot reach ${options.url}: ${typeof cause === 'string' ? cause : (err as Error).message}`,
      undefined,
      true,
    );
  }
  const answer = (await response.json().catch(() => undefined)) as
    { error?: { code?: string; message?: string } } | undefined;
  if (!response.ok) {
    const error = answer?.error;
    const retryAfter = Number(response.headers.get('retry-after') ?? 0);
    throw new BlindClientError(
      `the service refused (${response.status} ${error?.code ?? 'no code'}): ${error?.message ?? 'no message'}`,
      error?.code,
      response.status === 429 || response.status >= 500,
      response.status === 429 && retryAfter > 0 ? retryAfter : undefined,
    );
  }
  return answer;
}

/** The sector's format and public keys from the service; with pinned keys, each fetched one must be the pinned one. */
export async function fetchSectorKeys(options: BlindClientOptions): Promise<SectorKeys> {
  const answer = (await call(options, 'GET', `/v1/blind/keys/${encodeURIComponent(options.sector)}`)) as {
    format: { alphabet: AlphabetName; length: number; checkCharacter: boolean; versionCharacters: 1 | 2 };
    keys: { keyVersion: number; publicKey: string }[];
  };
  const keys = new Map(answer.keys.map((k) => [k.keyVersion, fromB64(k.publicKey)] as const));
  for (const [version, pinned] of Object.entries(options.publicKeys ?? {})) {
    const served = keys.get(Number(version));
    if (served && toB64(served) !== pinned)
      throw new BlindClientError(
        `the service publishes another public key for version ${version} of sector "${options.sector}" than the pinned one`,
      );
  }
  return { format: tokenFormat({ policy: 'blind', ...answer.format }), keys };
}

/** The public key a proof is checked against: the pinned one if any, else the fetched one. */
function keyOf(options: BlindClientOptions, sector: SectorKeys, version: number): Uint8Array {
  const pinned = options.publicKeys?.[version];
  const key = pinned !== undefined ? fromB64(pinned) : sector.keys.get(version);
  if (!key) throw new BlindClientError(`no public key of version ${version} for sector "${options.sector}"`);
  return key;
}

/**
 * One request: the tokens of a batch of national IDs (at most the service's batch size), in order.
 * An ID that is not a national ID is `{ error: 'invalid_national_id' }` and is never sent. Throws
 * BlindClientError when the service refuses (its `code` says why: `rate_limited` may be retried),
 * or when its proof does not verify (the tokens would not be the sector's).
 */
export async function blindBatch(
  options: BlindClientOptions,
  sector: SectorKeys,
  nationalIds: readonly string[],
): Promise<BlindResult[]> {
  const results = new Array<BlindResult>(nationalIds.length);
  const valid: { index: number; input: Uint8Array }[] = [];
  nationalIds.forEach((id, index) => {
    try {
      valid.push({ index, input: blindInput(canonicalNationalId(id)) });
    } catch {
      results[index] = { error: 'invalid_national_id' };
    }
  });
  if (valid.length === 0) return results;
  const blinded = valid.map((item) => ({ ...item, ...blind(item.input) }));
  const answer = (await call(options, 'POST', '/v1/blind/evaluate', {
    sector: options.sector,
    blindedElements: blinded.map((b) => toB64(b.blinded)),
  })) as { keyVersion: number; evaluatedElements: string[]; proof: string };
  if (answer.evaluatedElements.length !== valid.length)
    throw new BlindClientError('the service answered another number of elements than it was sent');
  let outputs: Uint8Array[];
  try {
    outputs = finalizeBatch(
      blinded.map((b, i) => ({ ...b, evaluated: fromB64(answer.evaluatedElements[i]!) })),
      keyOf(options, sector, answer.keyVersion),
      fromB64(answer.proof),
    );
  } catch (err) {
    if (err instanceof BlindError)
      throw new BlindClientError(
        `the service's proof does not verify against the public key of version ${answer.keyVersion} of sector "${options.sector}": these would not be the sector's tokens`,
      );
    throw err;
  }
  outputs.forEach((output, i) => {
    results[valid[i]!.index] = {
      token: blindToken(sector.format, answer.keyVersion, output),
      keyVersion: answer.keyVersion,
    };
  });
  return results;
}

/**
 * The sector's tokens of `nationalIds`, in order, in batches of `batchSize`: the keys fetched
 * (and checked against the pinned ones), then blindBatch for each batch.
 */
export async function blindTokens(options: BlindClientOptions, nationalIds: readonly string[]): Promise<BlindResult[]> {
  const sector = await fetchSectorKeys(options);
  const size = options.batchSize ?? 1000;
  const results: BlindResult[] = [];
  for (let start = 0; start < nationalIds.length; start += size)
    results.push(...(await blindBatch(options, sector, nationalIds.slice(start, start + size))));
  return results;
}
