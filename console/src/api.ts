/**
 * The console's only way to the service: same-origin fetches to /v1 with the person's key as the
 * bearer header. The key lives in sessionStorage (this tab only; gone when it closes) and nowhere
 * else; a released result is never written to any storage.
 */
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

export interface Me {
  client: string;
  role: 'service' | 'regulator' | 'auditor' | 'operator';
  person: string | null;
  organisation: string | null;
  sectors: string[];
}

export interface Actor {
  client: string;
  person: string;
  organisation: string;
}

export type RequestState = 'pending' | 'approved' | 'released' | 'denied' | 'expired';

export interface RequestView {
  requestId: string;
  act: 'reverse' | 'translate';
  sector: string;
  toSector: string | null;
  /** Null for a regulator who neither made the request nor may decide it. */
  sourceToken: string | null;
  legalBasis: { id: string; title: string; reference: string };
  caseId: string;
  purpose: string;
  requester: Actor;
  state: RequestState;
  createdAt: string;
  expiresAt: string;
  decidedBy: Actor | null;
  mine: boolean;
  canDecide: boolean;
}

/** A result handed out once: a national ID (reverse) or a token in another sector (translate). */
export type Released =
  | { requestId?: string; status?: 'released'; nationalId: string }
  | { requestId?: string; status?: 'released'; fromSector: string; toSector: string; token: string };

export interface LegalBasis {
  id: string;
  title: string;
  reference: string;
  acts: Array<'reverse' | 'translate'>;
  sectors: string[];
  sectorPairs: Array<[string, string]>;
  dualControl: boolean;
  approverFromOtherOrganisation: boolean;
}

export interface AuditRecord {
  id: string;
  time: string;
  act: string;
  client: string | null;
  person: string | null;
  organisation: string | null;
  sector: string | null;
  toSector: string | null;
  legalBasis: string | null;
  caseId: string | null;
  purpose: string | null;
  requestId: string | null;
  outcome: string;
  count: number | null;
}

/** A chain a read of the log took its records from: those that verify, up to `firstBad` (docs/AUDIT.md §6). */
export interface ChainRead {
  file: string;
  instance: string | null;
  records: number;
  verified: boolean;
  firstBad?: { line: number; reason: string };
}

export interface AuditPage {
  total: number;
  records: AuditRecord[];
  /** Pass as `after` for the next page; null on the last. */
  next: string | null;
  chains: ChainRead[];
}

export interface Verification {
  ok: boolean;
  macChecked: boolean;
  files: Array<{ name: string; instance: string | null; records: number; headHash: string; firstBad?: { line: number; reason: string } }>;
  checkpoints: Array<{ instance: string; size: number; ok: boolean; reason?: string }>;
  problems: string[];
  live: {
    instance: string;
    file: string;
    head: { size: number; headHash: string };
    ok: boolean;
    reason?: string;
    writable: boolean;
    lastCheckpoint: { size: number; headHash: string; time: string } | null;
  };
}

export interface Checkpoint {
  format: string;
  instance: string;
  size: number;
  headHash: string;
  time: string;
  publicKey: string;
  signature: string;
}

export interface DayCount {
  day: string;
  key: string;
  count: number;
}

export interface AuditStats {
  records: number;
  days: string[];
  actsByRegulator: DayCount[];
  actsByLegalBasis: DayCount[];
  refusalsByCode: DayCount[];
  requestsEnded: { released: number; denied: number; expired: number };
  chains: ChainRead[];
}

export async function call<T>(key: string, method: 'GET' | 'POST', path: string, body?: object): Promise<{ status: number; body: T }> {
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers: { Authorization: `Bearer ${key}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
      cache: 'no-store',
      credentials: 'omit',
    });
  } catch {
    throw new ApiError(0, 'network');
  }
  const text = await res.text();
  let parsed: unknown = null;
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
  for (const [name, value] of Object.entries(params)) if (value !== undefined && value !== '') q.set(name, String(value));
  const s = q.toString();
  return s ? `?${s}` : '';
}
