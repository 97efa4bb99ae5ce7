/**
 * The closed set of domain error codes. Domain code throws SectokenError with one of them; the
 * HTTP edge (src/http/errors.ts) alone maps a code to a status. Messages never carry an
 * identifier, token or key: they are written for the caller and may be logged.
 */
export const ERROR_CODES = [
  'invalid_request',
  'invalid_national_id',
  'invalid_token',
  'token_retired',
  'invalid_element',
  'unknown_sector',
  'unauthenticated',
  'forbidden',
  'not_found',
  'method_not_allowed',
  'not_reversible',
  'policy_mismatch',
  'legal_basis_required',
  'request_closed',
  'request_expired',
  'request_tampered',
  'payload_too_large',
  'batch_too_large',
  'rate_limited',
  'audit_unavailable',
  'dual_control_unavailable',
  'limits_unavailable',
  'internal',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** When each code is answered: the README's error table is generated from this (test/docs/readme.test.ts). */
export const ERROR_MEANINGS: Readonly<Record<ErrorCode, string>> = {
  invalid_request:
    'not a JSON object, malformed JSON, wrong types, missing or unknown fields, a legal basis that is not an id',
  invalid_national_id:
    'not 1–2 Latin letters then 1–6 digits (after trim and upper-case); look-alike letters and digits from other scripts are refused',
  invalid_token:
    'bad format, bad check character, a key version the sector never had, or not a token of that sector (one generic code)',
  token_retired:
    'a well-formed token of a key version the sector has retired (below its minimum version): never read under another key; tokenize the person again',
  invalid_element:
    'a blinded element that is not a canonical ristretto255 encoding (32 bytes, base64url), or the identity element; the message gives its index',
  unknown_sector: 'no such sector',
  unauthenticated: 'no or unknown API key (`WWW-Authenticate: Bearer`)',
  forbidden:
    "the client's role or sectors do not allow the act; a legal basis that is unknown or does not cover it; a decision by the requester's own person",
  not_found: 'no such route, or no such dual-control request',
  method_not_allowed: 'a route that exists, with another method (`Allow` lists its methods); `HEAD` included',
  not_reversible: "reversing a one-way or blind sector's token, or translating from one",
  policy_mismatch:
    "the sector's token policy does not allow the act: blind evaluation in a sector that is not blind, or a national ID sent for a blind sector (blind it and call `POST /v1/blind/evaluate`)",
  legal_basis_required: 'reverse/translate without a legal basis (or a blank one)',
  request_closed: 'a dual-control request already decided, denied or handed out, or being decided right now',
  request_expired: 'a dual-control request past its time (`limits.reverseRequestTtlSeconds`)',
  request_tampered: 'a dual-control request whose stored record fails its integrity check (refused, and recorded)',
  payload_too_large: 'body over `limits.maxBodyBytes` (256 KiB) or batch over `limits.maxBatchSize` (1000)',
  batch_too_large:
    "a batch (or upgrade) of more items than the client's smallest `identities` window: it could never pass; `GET /v1/me` gives the client's `limits.batchSize`",
  rate_limited: 'over a rate limit, quota or refusal budget (`Retry-After`)',
  audit_unavailable: 'the audit record could not be made durable: nothing was done',
  dual_control_unavailable: 'the shared store of dual-control requests (Redis) cannot be reached now',
  limits_unavailable:
    'the shared rate limits (Redis) cannot be reached now: reverse, translate and the refusal budget fail closed (tokenization goes on within a local budget)',
  internal: 'a bug; logged with the request id',
};

/**
 * A mistake an operator can fix (a configuration, a keyring, an audit directory, a command's flags
 * or files): the command line prints its message as one line and exits 1, never a stack. Every
 * such error class extends this one, so src/cli.ts checks one class.
 */
export class OperatorError extends Error {
  override name = 'OperatorError';
}

export class SectokenError extends Error {
  readonly code: ErrorCode;
  /** Seconds to wait, for rate_limited. */
  readonly retryAfter: number | undefined;

  constructor(code: ErrorCode, message: string, options?: { retryAfter?: number; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SectokenError';
    this.code = code;
    this.retryAfter = options?.retryAfter;
  }
}

/** Generic on purpose: which check failed (format, check character, key version, range) is not said. */
export const invalidToken = (): SectokenError => new SectokenError('invalid_token', 'not a valid token of this sector');

/** DERIVATION.md §4: the version character says only which version made the token, which anyone can read off it. */
export const tokenRetired = (): SectokenError =>
  new SectokenError(
    'token_retired',
    'a token of a key version this sector has retired: it is never read under another key; tokenize the person again',
  );
