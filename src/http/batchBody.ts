/**
 * A fast path for the bodies of POST /v1/tokens and /v1/tokens/batch: a loop with exactly the
 * rules of tokenRequest and batchRequest (src/http/schemas.ts: strict object, sector 1–64
 * characters, each national ID a string of at most 256, 1 to maxBatchSize of them). It only ever
 * accepts: anything it does not accept goes to the zod schema, which refuses it with the usual
 * code and message (or accepts it, if this path is stricter than it needs to be). zod on 1000
 * strings costs more than the rest of the edge.
 */
const SECTOR_MAX = 64;
const NATIONAL_ID_MAX = 256;

/** A plain JSON object holding exactly the two keys `a` and `b` (what JSON.parse makes). */
function exactlyKeys(body: unknown, a: string, b: string): body is Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Object.getPrototypeOf(body) !== Object.prototype) return false;
  const keys = Object.keys(body);
  return keys.length === 2 && ((keys[0] === a && keys[1] === b) || (keys[0] === b && keys[1] === a));
}

const isSector = (v: unknown): v is string => typeof v === 'string' && v.length >= 1 && v.length <= SECTOR_MAX;
const isNationalId = (v: unknown): v is string => typeof v === 'string' && v.length <= NATIONAL_ID_MAX;

export function fastTokenRequest(body: unknown): { sector: string; nationalId: string } | undefined {
  if (!exactlyKeys(body, 'sector', 'nationalId')) return undefined;
  const { sector, nationalId } = body;
  return isSector(sector) && isNationalId(nationalId) ? { sector, nationalId } : undefined;
}

export function fastBatchRequest(
  body: unknown,
  maxBatchSize: number,
): { sector: string; nationalIds: string[] } | undefined {
  if (!exactlyKeys(body, 'sector', 'nationalIds')) return undefined;
  const { sector, nationalIds } = body;
  if (!isSector(sector) || !Array.isArray(nationalIds) || Object.getPrototypeOf(nationalIds) !== Array.prototype)
    return undefined;
  const n = nationalIds.length;
  if (n < 1 || n > maxBatchSize) return undefined;
  for (let i = 0; i < n; i++) if (!isNationalId(nationalIds[i])) return undefined;
  return { sector, nationalIds: nationalIds as string[] };
}
