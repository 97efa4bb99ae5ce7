/**
 * The closed set of domain error codes. Domain code throws SectokenError with one of them; the
 * HTTP edge (src/http/errors.ts) alone maps a code to a status. Messages never carry an
 * identifier, token or key: they are written for the caller and may be logged.
 */
export const ERROR_CODES = [
  'invalid_request',
  'invalid_national_id',
  'invalid_token',
  'unknown_sector',
  'unauthenticated',
  'forbidden',
  'not_found',
  'method_not_allowed',
  'not_reversible',
  'legal_basis_required',
  'request_closed',
  'request_expired',
  'request_tampered',
  'payload_too_large',
  'rate_limited',
  'audit_unavailable',
  'dual_control_unavailable',
  'internal',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

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
