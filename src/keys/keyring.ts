/**
 * The keyring: one random key per purpose. Sector keys are versioned 1, 2, … `current`: every
 * version from 1 to `current` has existed (none is ever reused); `current` makes new tokens,
 * versions down to `minVersion` are accepted, those below are retired (DERIVATION.md §4). Created
 * with the CSPRNG.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { z } from 'zod';
import { OperatorError } from '../errors.js';

export const KEY_BYTES = 32;

export interface SectorKeys {
  current: number;
  minVersion: number;
  versions: Map<number, Uint8Array>;
}

export interface Keyring {
  /** A development keyring was made without a real KEK; production refuses it. */
  development: boolean;
  createdAt: string;
  /** national ID → TNI (DERIVATION.md §3). */
  root: Uint8Array;
  /** Blind index of cached tokens. */
  cacheIndex: Uint8Array;
  /** MAC of the audit hash chain. */
  auditMac: Uint8Array;
  /** Ed25519 key of signed audit checkpoints, as JWK members (base64url). */
  auditSigning: { d: string; x: string };
  sectors: Map<string, SectorKeys>;
}

export class KeyringError extends OperatorError {
  override name = 'KeyringError';
}

const newKey = (): Uint8Array => new Uint8Array(randomBytes(KEY_BYTES));

export function generateKeyring(sectorIds: Iterable<string>, development: boolean): Keyring {
  const { privateKey } = generateKeyPairSync('ed25519');
  const { d, x } = privateKey.export({ format: 'jwk' });
  if (d === undefined || x === undefined) throw new Error('ed25519 JWK export lacks d or x');
  const keyring: Keyring = {
    development,
    createdAt: new Date().toISOString(),
    root: newKey(),
    cacheIndex: newKey(),
    auditMac: newKey(),
    auditSigning: { d, x },
    sectors: new Map(),
  };
  for (const id of sectorIds) addSector(keyring, id);
  return keyring;
}

export function addSector(keyring: Keyring, sector: string): void {
  if (keyring.sectors.has(sector)) throw new KeyringError(`the keyring already has keys for sector "${sector}"`);
  keyring.sectors.set(sector, { current: 1, minVersion: 1, versions: new Map([[1, newKey()]]) });
}

/**
 * Adds a version and makes it current; returns it. Offline only (never in the request path).
 * With `maxVersions` (r^k of the sector's format), refuses the version that would share a
 * version value with version 1: a version character is never given to a second key version,
 * since tokens of a retired version exist for ever (DERIVATION.md §4).
 */
export function rotateSector(keyring: Keyring, sector: string, maxVersions?: number): number {
  const keys = keyring.sectors.get(sector);
  if (!keys) throw new KeyringError(`the keyring has no keys for sector "${sector}"`);
  const next = keys.current + 1;
  if (maxVersions !== undefined && next > maxVersions) {
    throw new KeyringError(
      `sector "${sector}" has used all ${maxVersions} key versions its token format tells apart, and a version character is never given to a second key: ` +
        `continue in a new sector whose format has more version characters ("versionCharacters": 2), see docs/DERIVATION.md §4 "When the versions run out"`,
    );
  }
  keys.versions.set(next, newKey());
  keys.current = next;
  return next;
}

const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64url');
const key32 = z
  .string()
  .regex(/^[A-Za-z0-9_-]{43}$/, 'a 32-byte key in base64url')
  .transform((s) => new Uint8Array(Buffer.from(s, 'base64url')));

const fileSchema = z.strictObject({
  format: z.literal('sectoken-keyring/1'),
  development: z.boolean(),
  createdAt: z.string(),
  root: key32,
  cacheIndex: key32,
  auditMac: key32,
  auditSigning: z.strictObject({
    d: z.string().regex(/^[A-Za-z0-9_-]{43}$/),
    x: z.string().regex(/^[A-Za-z0-9_-]{43}$/),
  }),
  sectors: z.record(
    z.string(),
    z.strictObject({
      current: z.number().int().min(1),
      minVersion: z.number().int().min(1),
      versions: z.record(z.string().regex(/^[1-9][0-9]{0,5}$/), key32),
    }),
  ),
});

export function serializeKeyring(keyring: Keyring): Uint8Array {
  const sectors: Record<string, unknown> = {};
  for (const [id, keys] of keyring.sectors) {
    sectors[id] = {
      current: keys.current,
      minVersion: keys.minVersion,
      versions: Object.fromEntries([...keys.versions].map(([v, key]) => [String(v), b64(key)])),
    };
  }
  const doc = {
    format: 'sectoken-keyring/1',
    development: keyring.development,
    createdAt: keyring.createdAt,
    root: b64(keyring.root),
    cacheIndex: b64(keyring.cacheIndex),
    auditMac: b64(keyring.auditMac),
    auditSigning: keyring.auditSigning,
    sectors,
  };
  return new TextEncoder().encode(JSON.stringify(doc));
}

/** Parses a decrypted keyring; a keyring that does not hold together is "damaged" (`where` names it). */
export function parseKeyring(bytes: Uint8Array, where = 'the keyring'): Keyring {
  let raw: unknown;
  try {
    raw = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    throw new KeyringError(`${where} is damaged: its content is not JSON`);
  }
  const parsed = fileSchema.safeParse(raw);
  if (!parsed.success)
    throw new KeyringError(
      `${where} is damaged: ${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message}`,
    );
  const doc = parsed.data;
  const sectors = new Map<string, SectorKeys>();
  for (const [id, s] of Object.entries(doc.sectors)) {
    const versions = new Map(Object.entries(s.versions).map(([v, key]) => [Number(v), key] as const));
    if (!versions.has(s.current) || s.minVersion > s.current) {
      throw new KeyringError(
        `${where} is damaged: sector "${id}" has no key for its current version or minVersion > current`,
      );
    }
    for (let v = s.minVersion; v <= s.current; v++) {
      if (!versions.has(v)) throw new KeyringError(`${where} is damaged: sector "${id}" lacks version ${v}`);
    }
    sectors.set(id, { current: s.current, minVersion: s.minVersion, versions });
  }
  return {
    development: doc.development,
    createdAt: doc.createdAt,
    root: doc.root,
    cacheIndex: doc.cacheIndex,
    auditMac: doc.auditMac,
    auditSigning: doc.auditSigning,
    sectors,
  };
}
