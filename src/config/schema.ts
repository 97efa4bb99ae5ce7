/**
 * The configuration file (SECTOKEN_CONFIG): sectors and their token policies, clients, limits.
 * Validated at start and at every reload (SIGHUP); an invalid file stops the start, or is refused by
 * the reload, with a message naming the field.
 */
import { z } from 'zod';
import { ALPHABET_NAMES } from '../derivation/alphabet.js';
import { formatProblem, POLICIES, VERSION_CHARACTERS } from '../derivation/format.js';
import { FINGERPRINT } from '../keys/fingerprint.js';
import { readFileSync } from 'node:fs';
import { fileReason } from '../fileReason.js';
import { jsonSyntaxError } from './jsonError.js';
import { LEGAL_ACTS, LEGAL_BASIS_ID, ROLES } from './names.js';

export { LEGAL_ACTS, LEGAL_BASIS_ID, ROLES, type Role } from './names.js';
import { spellingCollisions } from './nameCollisions.js';
import { OperatorError } from '../errors.js';

export const SECTOR_ID = /^[a-z][a-z0-9-]{0,31}$/;
export const CLIENT_ID = /^[a-z0-9][a-z0-9._-]{0,63}$/;
/** Printable text without control or format characters, and not blank. */
export const PRINTABLE = /^(?=.*\S)[^\p{Cc}\p{Cf}\p{Zl}\p{Zp}]+$/u;

const sectorSchema = z.strictObject({
  description: z.string().max(200).optional(),
  policy: z.enum(POLICIES),
  alphabet: z.enum(ALPHABET_NAMES),
  length: z.number().int().min(3),
  checkCharacter: z.boolean().default(true),
  /** Symbols that carry the key version: 1 (r versions over the sector's life) or 2 (r²); DERIVATION.md §4. */
  versionCharacters: z.union(VERSION_CHARACTERS.map((k) => z.literal(k))).default(1),
  /** Reversals in this sector need a second regulator's approval. */
  dualControl: z.boolean().default(false),
});

const clientSchema = z.strictObject({
  id: z.string().regex(CLIENT_ID, 'lower-case letters, digits, ".", "_" or "-", at most 64'),
  description: z.string().max(200).optional(),
  role: z.enum(ROLES),
  sectors: z.array(z.string()).default([]),
  apiKeySha256: z.string().regex(/^[0-9a-f]{64}$/, 'the SHA-256 of the API key, 64 lower-case hex digits'),
  /** The accountable person who holds this key (required of regulators: dual control binds people). */
  person: z.string().max(100).regex(PRINTABLE, 'printable text, not blank').optional(),
  /** The organisation the person acts for (required of regulators). */
  organisation: z.string().max(100).regex(PRINTABLE, 'printable text, not blank').optional(),
});

const limitsSchema = z.strictObject({
  maxBatchSize: z.number().int().min(1).max(100_000).default(1000),
  maxBodyBytes: z
    .number()
    .int()
    .min(1024)
    .max(16 * 1024 * 1024)
    .default(256 * 1024),
  /** How long a dual-control reverse request waits for its decision and its fetch. */
  reverseRequestTtlSeconds: z
    .number()
    .int()
    .min(10)
    .max(7 * 24 * 3600)
    .default(900),
});

/**
 * Operations that rate limits and quotas count. `identities` is one budget per client and sector
 * that single calls, batch items and upgrade items all draw from (one point per national ID or
 * token), so batches enumerate no faster than single calls. `refusal` counts a client's refused
 * acts (sector "*").
 */
export const OPERATIONS = ['identities', 'reverse', 'translate', 'refusal'] as const;
export type Operation = (typeof OPERATIONS)[number];
/** Names of before the one identity budget: refused with a pointer rather than as merely unknown. */
const MERGED_OPERATIONS = ['tokenize', 'batchItem', 'upgradeItem'] as const;

/** `points` acts per `perSeconds`, per client, sector and operation: 1 s for a rate, 86400 for a daily quota. */
const windowSchema = z.strictObject({
  points: z.number().int().min(1),
  perSeconds: z
    .number()
    .int()
    .min(1)
    .max(31 * 86400),
});
const operationLimitsSchema = z.strictObject({
  ...(Object.fromEntries(OPERATIONS.map((op) => [op, z.array(windowSchema).max(4).optional()])) as Record<
    Operation,
    z.ZodOptional<z.ZodArray<typeof windowSchema>>
  >),
  ...(Object.fromEntries(
    MERGED_OPERATIONS.map((op) => [
      op,
      z.never({ error: 'now part of "identities": one budget for single, batch and upgrade items' }).optional(),
    ]),
  ) as Record<(typeof MERGED_OPERATIONS)[number], z.ZodOptional<z.ZodNever>>),
});
const rateLimitsSchema = z.strictObject({
  /** For every client, unless overridden. */
  defaults: operationLimitsSchema.default({}),
  /** Per client id: replaces the defaults of the operations it names. */
  clients: z.record(z.string(), operationLimitsSchema).default({}),
});
export type OperationLimits = z.infer<typeof operationLimitsSchema>;

const cacheSchema = z.strictObject({
  /**
   * Entries of the in-process LRU of derived tokens; 0 (the default) turns it off. Deriving costs
   * less than the LRU's blind index and bookkeeping, and single requests without a cache are
   * derived together (src/acts/tokens/derivationQueue.ts); 100,000 entries held ~30 MB of heap, which V8
   * multiplied into ~100 MB of RSS under load. Worth it only in front of the Redis tier.
   */
  lruEntries: z.number().int().min(0).max(10_000_000).default(0),
  /** Whether tokens of each policy are also cached in Redis (when Redis is configured). */
  redis: z
    .strictObject({ reversible: z.boolean().default(false), 'one-way': z.boolean().default(false) })
    .default({ reversible: false, 'one-way': false }),
  ttlSeconds: z
    .number()
    .int()
    .min(1)
    .max(30 * 86400)
    .default(86400),
});

/** SPEC "Legal bases": an act is lawful only under a configured basis that covers it. */
const legalBasisSchema = z.strictObject({
  id: z.string().regex(LEGAL_BASIS_ID, 'upper-case letters, digits and "-", e.g. LOI-09-08-ART-4'),
  title: z.string().min(1).max(200),
  reference: z.string().min(1).max(300),
  acts: z.array(z.enum(LEGAL_ACTS)).min(1),
  /** Sectors where it allows reverse. */
  sectors: z.array(z.string()).default([]),
  /** Ordered [from, to] pairs where it allows translate. */
  sectorPairs: z.array(z.tuple([z.string(), z.string()])).default([]),
  dualControl: z.boolean().default(false),
  /** Under dual control, the approver must act for another organisation than the requester. */
  approverFromOtherOrganisation: z.boolean().default(false),
});

export const configSchema = z
  .strictObject({
    $comment: z.string().optional(),
    /** Marks the sample configuration, whose API keys are published: production refuses it. */
    development: z.boolean().default(false),
    /** The keyring this configuration is served with (src/keys/fingerprint.ts); required in production. */
    keyringFingerprint: z
      .string()
      .regex(FINGERPRINT, '32 lower-case hex digits, as `sectoken keys fingerprint` prints')
      .optional(),
    sectors: z.record(
      z.string().regex(SECTOR_ID, 'sector ids are lower-case, start with a letter, at most 32'),
      sectorSchema,
    ),
    clients: z.array(clientSchema).default([]),
    limits: limitsSchema.default({ maxBatchSize: 1000, maxBodyBytes: 256 * 1024, reverseRequestTtlSeconds: 900 }),
    legalBases: z.array(legalBasisSchema).default([]),
    rateLimits: rateLimitsSchema.default({ defaults: {}, clients: {} }),
    cache: cacheSchema.default({ lruEntries: 0, redis: { reversible: false, 'one-way': false }, ttlSeconds: 86400 }),
  })
  .superRefine((config, ctx) => {
    for (const [id, sector] of Object.entries(config.sectors)) {
      const problem = formatProblem(sector);
      if (problem) ctx.addIssue({ code: 'custom', path: ['sectors', id, 'length'], message: problem });
    }
    const seenIds = new Set<string>();
    const seenKeys = new Set<string>();
    config.clients.forEach((client, i) => {
      if (seenIds.has(client.id))
        ctx.addIssue({
          code: 'custom',
          path: ['clients', i, 'id'],
          message: `duplicate client id "${client.id}": every client has an id of its own`,
        });
      if (seenKeys.has(client.apiKeySha256))
        ctx.addIssue({
          code: 'custom',
          path: ['clients', i, 'apiKeySha256'],
          message: 'two clients share one API key',
        });
      seenIds.add(client.id);
      seenKeys.add(client.apiKeySha256);
      client.sectors.forEach((sector, j) => {
        if (!Object.hasOwn(config.sectors, sector)) {
          ctx.addIssue({ code: 'custom', path: ['clients', i, 'sectors', j], message: `unknown sector "${sector}"` });
        }
      });
      if (client.role === 'regulator') {
        for (const field of ['person', 'organisation'] as const) {
          if (client[field] === undefined)
            ctx.addIssue({
              code: 'custom',
              path: ['clients', i, field],
              message: `a regulator names its accountable ${field} (dual control binds people, not keys)`,
            });
        }
      }
      if ((client.role === 'auditor' || client.role === 'operator') && client.sectors.length > 0) {
        ctx.addIssue({ code: 'custom', path: ['clients', i, 'sectors'], message: `an ${client.role} has no sectors` });
      }
    });
    for (const field of ['person', 'organisation'] as const) {
      for (const { first, second, index } of spellingCollisions(config.clients, field)) {
        ctx.addIssue({
          code: 'custom',
          path: ['clients', index, field],
          message: `clients "${first}" and "${second}" name one ${field} typed two ways (names are compared after Unicode NFKC, case folding and white-space collapsing): type it the same in both, or tell the two apart`,
        });
      }
    }
    for (const id of Object.keys(config.rateLimits.clients)) {
      if (!seenIds.has(id))
        ctx.addIssue({ code: 'custom', path: ['rateLimits', 'clients', id], message: `unknown client "${id}"` });
    }
    const seenBases = new Set<string>();
    config.legalBases.forEach((basis, i) => {
      if (seenBases.has(basis.id))
        ctx.addIssue({
          code: 'custom',
          path: ['legalBases', i, 'id'],
          message: `duplicate legal basis id "${basis.id}"`,
        });
      seenBases.add(basis.id);
      const known = (sector: string): boolean => Object.hasOwn(config.sectors, sector);
      basis.sectors.forEach((sector, j) => {
        if (!known(sector))
          ctx.addIssue({
            code: 'custom',
            path: ['legalBases', i, 'sectors', j],
            message: `unknown sector "${sector}"`,
          });
      });
      basis.sectorPairs.forEach(([from, to], j) => {
        if (!known(from) || !known(to) || from === to) {
          ctx.addIssue({
            code: 'custom',
            path: ['legalBases', i, 'sectorPairs', j],
            message: 'a pair names two different configured sectors',
          });
        }
      });
      if (basis.acts.includes('reverse') && basis.sectors.length === 0) {
        ctx.addIssue({
          code: 'custom',
          path: ['legalBases', i, 'sectors'],
          message: 'a basis that allows reverse names its sectors',
        });
      }
      if (basis.acts.includes('translate') && basis.sectorPairs.length === 0) {
        ctx.addIssue({
          code: 'custom',
          path: ['legalBases', i, 'sectorPairs'],
          message: 'a basis that allows translate names its sector pairs',
        });
      }
    });
  });

export type Config = z.infer<typeof configSchema>;
export type LegalBasis = Config['legalBases'][number];
export type SectorConfig = Config['sectors'][string];
export type ClientConfig = Config['clients'][number];

export class ConfigError extends OperatorError {
  override name = 'ConfigError';
}

/**
 * A problem's path as an operator finds it in the file: a client or legal basis by its id
 * (`clients."lab-results".sectors.0`), not by its place in the list (`clients.3.sectors.0`).
 */
function pathIn(raw: unknown, path: PropertyKey[]): string {
  const [list, index, ...rest] = path;
  const item =
    (list === 'clients' || list === 'legalBases') && typeof index === 'number'
      ? (raw as Record<string, unknown[] | undefined> | null)?.[list]?.[index]
      : undefined;
  const id = (item as { id?: unknown } | undefined)?.id;
  const named = typeof id === 'string' && id !== '' ? [list, JSON.stringify(id), ...rest] : path;
  return named.map(String).join('.') || '(root)';
}

/** Parses and validates; every problem is reported as "path: message", one per line. */
export function parseConfig(raw: unknown, source: string): Config {
  const result = configSchema.safeParse(raw);
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => `  ${pathIn(raw, issue.path)}: ${issue.message}`);
  throw new ConfigError(`invalid configuration ${source}:\n${lines.join('\n')}`);
}

/**
 * The configuration file as JSON. An unreadable file is refused in words naming the path; a UTF-8
 * byte-order mark (which Windows editors write) is accepted and dropped, as RFC 8259 §8.1 allows.
 */
export function readConfigJson(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read configuration ${path}: ${fileReason(err)}`);
  }
  if (text.startsWith('\uFEFF')) text = text.slice(1);
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`configuration ${path} is not valid JSON: ${jsonSyntaxError(text, err)}`);
  }
}

export function loadConfigFile(path: string): Config {
  return parseConfig(readConfigJson(path), path);
}
