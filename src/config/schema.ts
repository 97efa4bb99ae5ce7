/**
 * The configuration file (SECTOKEN_CONFIG): sectors and their token policies, clients, limits.
 * Validated once at start; an invalid file stops the start with a message naming the field.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ALPHABET_NAMES } from '../tokens/alphabet.js';
import { formatProblem, POLICIES } from '../tokens/format.js';

export const SECTOR_ID = /^[a-z][a-z0-9-]{0,31}$/;
export const CLIENT_ID = /^[a-z0-9][a-z0-9._-]{0,63}$/;
export const ROLES = ['service', 'regulator', 'auditor'] as const;
export type Role = (typeof ROLES)[number];

const sectorSchema = z.strictObject({
  description: z.string().max(200).optional(),
  policy: z.enum(POLICIES),
  alphabet: z.enum(ALPHABET_NAMES),
  length: z.number().int().min(3),
  checkCharacter: z.boolean().default(true),
  /** Reversals in this sector need a second regulator's approval. */
  dualControl: z.boolean().default(false),
});

const clientSchema = z.strictObject({
  id: z.string().regex(CLIENT_ID, 'lower-case letters, digits, ".", "_" or "-", at most 64'),
  description: z.string().max(200).optional(),
  role: z.enum(ROLES),
  sectors: z.array(z.string()).default([]),
  apiKeySha256: z.string().regex(/^[0-9a-f]{64}$/, 'the SHA-256 of the API key, 64 lower-case hex digits'),
});

const limitsSchema = z.strictObject({
  maxBatchSize: z.number().int().min(1).max(100_000).default(1000),
  maxBodyBytes: z.number().int().min(1024).max(16 * 1024 * 1024).default(256 * 1024),
});

export const configSchema = z
  .strictObject({
    $comment: z.string().optional(),
    /** Marks the sample configuration, whose API keys are published: production refuses it. */
    development: z.boolean().default(false),
    sectors: z.record(z.string().regex(SECTOR_ID, 'sector ids are lower-case, start with a letter, at most 32'), sectorSchema),
    clients: z.array(clientSchema).default([]),
    limits: limitsSchema.default({ maxBatchSize: 1000, maxBodyBytes: 256 * 1024 }),
  })
  .superRefine((config, ctx) => {
    for (const [id, sector] of Object.entries(config.sectors)) {
      const problem = formatProblem(sector);
      if (problem) ctx.addIssue({ code: 'custom', path: ['sectors', id, 'length'], message: problem });
    }
    const seenIds = new Set<string>();
    const seenKeys = new Set<string>();
    config.clients.forEach((client, i) => {
      if (seenIds.has(client.id)) ctx.addIssue({ code: 'custom', path: ['clients', i, 'id'], message: 'duplicate client id' });
      if (seenKeys.has(client.apiKeySha256)) ctx.addIssue({ code: 'custom', path: ['clients', i, 'apiKeySha256'], message: 'two clients share one API key' });
      seenIds.add(client.id);
      seenKeys.add(client.apiKeySha256);
      client.sectors.forEach((sector, j) => {
        if (!Object.hasOwn(config.sectors, sector)) {
          ctx.addIssue({ code: 'custom', path: ['clients', i, 'sectors', j], message: `unknown sector "${sector}"` });
        }
      });
      if (client.role === 'auditor' && client.sectors.length > 0) {
        ctx.addIssue({ code: 'custom', path: ['clients', i, 'sectors'], message: 'an auditor has no sectors' });
      }
    });
  });

export type Config = z.infer<typeof configSchema>;
export type SectorConfig = Config['sectors'][string];
export type ClientConfig = Config['clients'][number];

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Parses and validates; every problem is reported as "path: message", one per line. */
export function parseConfig(raw: unknown, source: string): Config {
  const result = configSchema.safeParse(raw);
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => `  ${issue.path.map(String).join('.') || '(root)'}: ${issue.message}`);
  throw new ConfigError(`invalid configuration ${source}:\n${lines.join('\n')}`);
}

export function loadConfigFile(path: string): Config {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read configuration ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`configuration ${path} is not valid JSON: ${(err as Error).message}`);
  }
  return parseConfig(raw, path);
}
