/**
 * Settings read from the environment: each has its variable, a doc line and a default (secrets
 * have none). `sectoken serve --help` lists them from SETTINGS_DOC, and the README's table is
 * generated from it (test/docs/readme.test.ts checks it).
 */
import { availableParallelism, hostname } from 'node:os';
import { fileURLToPath } from 'node:url';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { ConfigError } from './schema.js';
import { INSTANCE_ID } from './names.js';

/** The repository (or installed package) root, where the development files live. */
export const PACKAGE_ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** The tracked development sample configuration, whose API keys are published. */
export const DEV_CONFIG_PATH = join(PACKAGE_ROOT, 'config', 'sectoken.dev.json');

export interface Settings {
  production: boolean;
  /**
   * No SECTOKEN_CONFIG, SECTOKEN_KEYRING, SECTOKEN_KEK or SECTOKEN_KEK_FILE names anything but the
   * development defaults: the only case where a development keyring may be created (SPEC "Keys").
   */
  defaultKeyPaths: boolean;
  port: number;
  host: string;
  configPath: string;
  keyringPath: string;
  /** The key-encryption key as given (hex or base64url); undefined when a file or nothing is given. */
  kek: string | undefined;
  kekFile: string | undefined;
  /** The KEK in a PKCS#11 token instead (src/keys/pkcs11/): all four or none. */
  pkcs11: { module: string; token: string; pinFile: string; key: string } | undefined;
  /** A file KEK is refused: only a PKCS#11 token may hold the KEK. */
  requireHsm: boolean;
  logLevel: string;
  auditDir: string;
  /** Below this much free space (MiB) on the audit disk the service reports itself not ready. */
  auditMinFreeMb: number;
  /** node:cluster workers on one port; 1 means no cluster. */
  workers: number;
  redis: { url: string | undefined; clusterNodes: string[] | undefined; prefix: string; commandTimeoutMs: number };
  /** Names this instance's audit chain; stable across restarts so the chain continues. */
  instanceId: string;
}

/**
 * One entry per setting: its variable, its doc line and default as `serve --help` and the README
 * print them, and the zod schema that reads its text (an empty or blank value counts as unset:
 * `PORT=` in a unit or compose file means "not given", never 0). A value the schema refuses is one
 * line, the schema's message. Defaults that depend on other settings (production or not, Redis or
 * not) are applied by readSettings, which the `fallback` text describes.
 */
interface Setting<T> {
  env: string;
  doc: string;
  fallback: string;
  read: z.ZodType<T | undefined, string | undefined>;
}

const setting = <T>(env: string, doc: string, fallback: string, read: z.ZodType<T, string>): Setting<T> => ({
  env,
  doc,
  fallback,
  read: read.optional(),
});

const text = z.string();
/** A whole number in [min, max], refused with `message`. */
const wholeNumber = (min: number, max: number, message: (raw: string) => string) =>
  z
    .string()
    .trim()
    .refine((s) => /^\d{1,7}$/.test(s) && Number(s) >= min && Number(s) <= max, {
      error: (i) => message(String(i.input)),
    })
    .transform(Number);
const oneOf = <const V extends readonly [string, ...string[]]>(values: V, message: (raw: string) => string) =>
  z.enum(values, { error: (i) => message(String(i.input)) });
const matching = (pattern: RegExp, message: string) => z.string().regex(pattern, { error: message });

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const SETTINGS = {
  // A typo (`prod`, `Production`) is refused, never read as development.
  mode: setting(
    'NODE_ENV',
    '`production` enforces a real keyring, KEK and configuration; `development` and `test` do not; any other value is refused',
    'development',
    oneOf(
      ['production', 'development', 'test'],
      (raw) =>
        `NODE_ENV=${JSON.stringify(raw).slice(0, 40)} is not a mode: set it to production, development or test (unset means development)`,
    ),
  ),
  port: setting(
    'PORT',
    'TCP port to listen on (0: any free port); empty counts as unset, as for every setting here',
    '8080',
    wholeNumber(
      0,
      65535,
      (raw) =>
        `PORT must be a whole number in [0, 65535] (0: any free port), not ${JSON.stringify(raw.trim().slice(0, 20))}`,
    ),
  ),
  host: setting('HOST', 'address to bind', '127.0.0.1 (the container image sets 0.0.0.0)', text),
  configPath: setting(
    'SECTOKEN_CONFIG',
    'configuration file (sectors, clients, limits, legal bases)',
    'development: `config/sectoken.dev.json`; production: required',
    text,
  ),
  keyringPath: setting(
    'SECTOKEN_KEYRING',
    'sealed keyring file',
    'development: `keys/dev-keyring.json`; production: `keys/keyring.json`',
    text,
  ),
  kek: setting('SECTOKEN_KEK', 'key-encryption key: 32 bytes as 64 hex digits or base64url (secret)', 'none', text),
  kekFile: setting(
    'SECTOKEN_KEK_FILE',
    'file holding the key-encryption key, instead of `SECTOKEN_KEK` (setting both is refused)',
    'none (the development sample at its default paths uses `dev.kek` beside its keyring, `keys/dev.kek`, made on its first start)',
    text,
  ),
  pkcs11Module: setting(
    'SECTOKEN_PKCS11_MODULE',
    "the KEK in an HSM instead: the vendor's PKCS#11 module (a `.so`); with `SECTOKEN_PKCS11_TOKEN` and `SECTOKEN_PKCS11_PIN_FILE`, never with `SECTOKEN_KEK(_FILE)` (but for `keys rewrap`)",
    'none (the KEK is a file)',
    text,
  ),
  pkcs11Token: setting('SECTOKEN_PKCS11_TOKEN', 'label of the PKCS#11 token that holds the KEK', 'none', text),
  pkcs11PinFile: setting(
    'SECTOKEN_PKCS11_PIN_FILE',
    "file holding the token's user PIN (one wrong PIN is one login attempt: the service never retries)",
    'none',
    text,
  ),
  pkcs11Key: setting(
    'SECTOKEN_PKCS11_KEY',
    'label of the KEK in the token: AES-256, sensitive, not extractable (`keys init --pkcs11` makes it)',
    '`sectoken-kek`',
    text,
  ),
  requireHsm: setting(
    'SECTOKEN_REQUIRE_HSM',
    '`true`: a file KEK is refused at start (and by the `keys` commands); only a PKCS#11 token may hold it',
    '`false`',
    oneOf(['true', 'false'], () => 'SECTOKEN_REQUIRE_HSM must be true or false').transform((v) => v === 'true'),
  ),
  auditDir: setting(
    'SECTOKEN_AUDIT_DIR',
    'directory of the audit log, one chain (file) per instance',
    'development: `audit/` in the package root; production: required, outside the package',
    text,
  ),
  instanceId: setting(
    'SECTOKEN_INSTANCE_ID',
    "this instance's name in audit records (1–64 letters, digits, `.`, `_`, `-`); one process per instance and audit directory (a second one refuses to start)",
    'development: the host name; production: required',
    matching(INSTANCE_ID, "SECTOKEN_INSTANCE_ID must be 1–64 letters, digits, '.', '_' or '-'"),
  ),
  auditMinFreeMb: setting(
    'SECTOKEN_AUDIT_MIN_FREE_MB',
    'free space to keep on the audit disk, in MiB: below it `/readyz` reports `audit: disk_low` (0: no check)',
    '64',
    wholeNumber(0, 1_048_576, () => 'SECTOKEN_AUDIT_MIN_FREE_MB must be an integer in [0, 1048576]'),
  ),
  workers: setting(
    'SECTOKEN_WORKERS',
    'node:cluster workers sharing the port, each with its own audit chain (`<instance>-w<n>`); production refuses more than one without Redis',
    'production with Redis: one per core; otherwise 1',
    wholeNumber(1, 256, () => 'SECTOKEN_WORKERS must be an integer in [1, 256]'),
  ),
  redisUrl: setting(
    'REDIS_URL',
    'one Redis server, e.g. `redis://127.0.0.1:6379/0`; neither this nor a cluster set means no Redis',
    'none',
    text,
  ),
  clusterNodes: setting(
    'REDIS_CLUSTER_NODES',
    'a Redis Cluster instead: comma-separated `host:port` seeds',
    'none',
    z
      .string()
      .transform((s) =>
        s
          .split(',')
          .map((n) => n.trim())
          .filter(Boolean),
      )
      .refine((nodes) => nodes.every((n) => /^[A-Za-z0-9.-]+:\d{1,5}$/.test(n)), {
        error: 'REDIS_CLUSTER_NODES must be comma-separated host:port',
      }),
  ),
  redisPrefix: setting(
    'SECTOKEN_REDIS_PREFIX',
    'prefix of every Redis key of this deployment',
    '`sectoken:`',
    // No braces: the service places its own {req} hash tag, which a brace in the prefix would break.
    matching(/^[A-Za-z0-9:._-]{1,64}$/, 'SECTOKEN_REDIS_PREFIX must be 1–64 of A–Z a–z 0–9 : . _ -'),
  ),
  commandTimeoutMs: setting(
    'REDIS_COMMAND_TIMEOUT_MS',
    'a Redis command slower than this fails, and the service goes on without it',
    '50',
    wholeNumber(1, 10_000, () => 'REDIS_COMMAND_TIMEOUT_MS must be an integer in [1, 10000]'),
  ),
  logLevel: setting(
    'LOG_LEVEL',
    'pino level: fatal, error, warn, info, debug, trace, silent',
    'info',
    oneOf(LOG_LEVELS, () => `LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}`),
  ),
};

type Given = { [K in keyof typeof SETTINGS]: (typeof SETTINGS)[K] extends Setting<infer T> ? T | undefined : never };

export const SETTINGS_DOC: readonly { env: string; doc: string; fallback: string }[] = Object.values(SETTINGS).map(
  ({ env, doc, fallback }) => ({ env, doc, fallback }),
);

/** Each setting as given, read by its schema; undefined where unset, empty or blank. */
function readGiven(env: NodeJS.ProcessEnv): Given {
  const given: Record<string, unknown> = {};
  for (const [name, entry] of Object.entries(SETTINGS) as [string, Setting<unknown>][]) {
    const raw = env[entry.env];
    const result = entry.read.safeParse(raw?.trim() ? raw : undefined);
    if (!result.success) throw new ConfigError(result.error.issues[0]?.message ?? `${entry.env} is not valid`);
    given[name] = result.data;
  }
  return given as Given;
}

const samePath = (a: string, b: string): boolean => resolve(a) === resolve(b);

export function readSettings(env: NodeJS.ProcessEnv = process.env): Settings {
  const given = readGiven(env);
  const production = given.mode === 'production';
  const devConfigPath = DEV_CONFIG_PATH;
  const configPath = given.configPath ?? (production ? undefined : devConfigPath);
  if (!configPath)
    throw new ConfigError(
      'SECTOKEN_CONFIG is not set: production needs a configuration file of its own (sectors, legal bases, limits; no sample clients), with clients created by `sectoken clients add`',
    );
  const instanceId =
    given.instanceId ??
    (hostname()
      .replace(/[^A-Za-z0-9._-]/g, '-')
      .slice(0, 64) ||
      'sectoken');
  const clusterNodes = given.clusterNodes;
  // One worker per core only where Redis shares their limits; `sectoken serve` refuses more without it.
  const withRedis = Boolean(given.redisUrl ?? clusterNodes?.length);
  const workers = given.workers ?? (production && withRedis ? availableParallelism() : 1);
  const keyringPath = given.keyringPath ?? join(PACKAGE_ROOT, 'keys', production ? 'keyring.json' : 'dev-keyring.json');
  const pkcs11 = readPkcs11(given);
  const defaultKeyPaths =
    !production &&
    !pkcs11 &&
    !given.kek &&
    samePath(configPath, devConfigPath) &&
    samePath(keyringPath, join(PACKAGE_ROOT, 'keys', 'dev-keyring.json')) &&
    (!given.kekFile || samePath(given.kekFile, join(PACKAGE_ROOT, 'keys', 'dev.kek')));
  return {
    production,
    defaultKeyPaths,
    port: given.port ?? 8080,
    host: given.host ?? '127.0.0.1',
    configPath,
    keyringPath,
    kek: given.kek,
    kekFile: given.kekFile,
    pkcs11,
    requireHsm: given.requireHsm ?? false,
    logLevel: given.logLevel ?? 'info',
    auditDir: given.auditDir ?? join(PACKAGE_ROOT, 'audit'),
    auditMinFreeMb: given.auditMinFreeMb ?? 64,
    instanceId,
    workers,
    redis: {
      url: given.redisUrl,
      clusterNodes,
      prefix: given.redisPrefix ?? 'sectoken:',
      commandTimeoutMs: given.commandTimeoutMs ?? 50,
    },
  };
}

const PKCS11_TOGETHER = ['SECTOKEN_PKCS11_MODULE', 'SECTOKEN_PKCS11_TOKEN', 'SECTOKEN_PKCS11_PIN_FILE'] as const;

/** The PKCS#11 settings: module, token and PIN file go together (the key label has a default). */
function readPkcs11(given: Given): Settings['pkcs11'] {
  const { pkcs11Module: module, pkcs11Token: token, pkcs11PinFile: pinFile } = given;
  const present = [module, token, pinFile].map((v) => v !== undefined);
  if (!present.some(Boolean)) {
    if (given.pkcs11Key)
      throw new ConfigError(
        `SECTOKEN_PKCS11_KEY is set without ${PKCS11_TOGETHER.join(', ')}: set those too, or unset it`,
      );
    return undefined;
  }
  if (!module || !token || !pinFile) {
    const named = (want: boolean) => PKCS11_TOGETHER.filter((_, i) => present[i] === want);
    throw new ConfigError(
      `${named(true).join(' and ')} set without ${named(false).join(' and ')}: a KEK in a PKCS#11 token needs all three`,
    );
  }
  return { module, token, pinFile, key: given.pkcs11Key ?? 'sectoken-kek' };
}
