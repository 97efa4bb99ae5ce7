/**
 * The console's only way to the service: same-origin fetches to /v1 with the person's key as the
 * bearer header. The key lives in sessionStorage (this tab only; gone when it closes) and nowhere
 * else; a released result is never written to any storage.
 */
import type { Reply } from '../../src/http/contract.js';

const KEY_SLOT = 'sectoken.apiKey';

export const storedKey = (): string | null => sessionStorage.getItem(KEY_SLOT);
export const keepKey = (key: string): void => sessionStorage.setItem(KEY_SLOT, key);
export const forgetKey = (): void => sessionStorage.removeItem(KEY_SLOT);

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
  ) {
    super(code);
  }
}

/*
 * The answers' types are the server's response schemas (src/http/contract.ts), as they parse:
 * `import type` only, erased by esbuild, so no schema and no zod reaches the bundle.
 */
export type Me = Reply<'me'>;
export type RequestView = Reply<'listRequests'>['requests'][number];
export type Actor = RequestView['requester'];
export type RequestState = RequestView['state'];
/** A result handed out once: a national ID (reverse) or a token in another sector (translate), at once or after approval. */
export type Released = Reply<'reverse'> | Reply<'translate'> | Reply<'collectReverse'>;
/** A reverse or translate under a dual-control basis: a request now waiting for a second person. */
export type Pending = Reply<'reverse', 202>;
export type LegalBasis = Reply<'legalBases'>['legalBases'][number];
export type AuditPage = Reply<'readAudit'>;
export type AuditRecord = AuditPage['records'][number];
/** A chain a read of the log took its records from: those that verify, up to `firstBad` (docs/AUDIT.md §6). */
export type ChainRead = AuditPage['chains'][number];
export type Verification = Reply<'verifyAudit'>;
export type Checkpoint = Reply<'checkpoint'>;
export type AuditStats = Reply<'auditStats'>;
export type DayCount = AuditStats['actsByRegulator'][number];

// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- the caller names the answer's type, from the API's
export async function call<T>(
  key: string,
  method: 'GET' | 'POST',
  path: string,
  body?: object,
  signal?: AbortSignal,
): Promise<{ status: number; body: T }> {
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers: { Authorization: `Bearer ${key}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
      ...(signal ? { signal } : {}),
      cache: 'no-store',
      credentials: 'omit',
    });
  } catch {
    throw new ApiError(0, signal?.aborted ? 'aborted' : 'network');
  }
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = null;
  }
  if (!res.ok) {
    const code = (parsed as { error?: { code?: string } } | null)?.error?.code ?? `http_${res.status}`;
    throw new ApiError(res.status, code);
  }
  return { status: res.status, body: parsed as T };
}

/** A query string of the defined, non-empty values. */
export function query(params: Record<string, string | number | undefined>): string {
  const q = new URLSearchParams();
  for (const [name, value] of Object.entries(params))
    if (value !== undefined && value !== '') q.set(name, String(value));
  const s = q.toString();
  return s ? `?${s}` : '';
}
