/**
 * Settings read from the environment: each has its variable, a doc line and a default (secrets
 * have none). `sectoken serve --help` lists them from SETTINGS_DOC, and the README's table is
 * generated from it (test/docs/readme.test.ts checks it).
 */
import { availableParallelism, hostname } from 'node:os';
import { fileURLToPath } from 'node:url';
import { join, resolve } from 'node:path';
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

export const SETTINGS_DOC: readonly { env: string; doc: string; fallback: string }[] = [
  {
    env: 'NODE_ENV',
    doc: '`production` enforces a real keyring, KEK and configuration; `development` and `test` do not; any other value is refused',
    fallback: 'development',
  },
  {
    env: 'PORT',
    doc: 'TCP port to listen on (0: any free port); empty counts as unset, as for every setting here',
    fallback: '8080',
  },
  { env: 'HOST', doc: 'address to bind', fallback: '127.0.0.1 (the container image sets 0.0.0.0)' },
  {
    env: 'SECTOKEN_CONFIG',
    doc: 'configuration file (sectors, clients, limits, legal bases)',
    fallback: 'development: `config/sectoken.dev.json`; production: required',
  },
  {
    env: 'SECTOKEN_KEYRING',
    doc: 'sealed keyring file',
    fallback: 'development: `keys/dev-keyring.json`; production: `keys/keyring.json`',
  },
  { env: 'SECTOKEN_KEK', doc: 'key-encryption key: 32 bytes as 64 hex digits or base64url (secret)', fallback: 'none' },
  {
    env: 'SECTOKEN_KEK_FILE',
    doc: 'file holding the key-encryption key, instead of `SECTOKEN_KEK` (setting both is refused)',
    fallback:
      'none (the development sample at its default paths uses `dev.kek` beside its keyring, `keys/dev.kek`, made on its first start)',
  },
  {
    env: 'SECTOKEN_PKCS11_MODULE',
    doc: "the KEK in an HSM instead: the vendor's PKCS#11 module (a `.so`); with `SECTOKEN_PKCS11_TOKEN` and `SECTOKEN_PKCS11_PIN_FILE`, never with `SECTOKEN_KEK(_FILE)` (but for `keys rewrap`)",
    fallback: 'none (the KEK is a file)',
  },
  { env: 'SECTOKEN_PKCS11_TOKEN', doc: 'label of the PKCS#11 token that holds the KEK', fallback: 'none' },
  {
    env: 'SECTOKEN_PKCS11_PIN_FILE',
    doc: "file holding the token's user PIN (one wrong PIN is one login attempt: the service never retries)",
    fallback: 'none',
  },
  {
    env: 'SECTOKEN_PKCS11_KEY',
    doc: 'label of the KEK in the token: AES-256, sensitive, not extractable (`keys init --pkcs11` makes it)',
    fallback: '`sectoken-kek`',
  },
  {
    env: 'SECTOKEN_REQUIRE_HSM',
    doc: '`true`: a file KEK is refused at start (and by the `keys` commands); only a PKCS#11 token may hold it',
    fallback: '`false`',
  },
  {
    env: 'SECTOKEN_AUDIT_DIR',
    doc: 'directory of the audit log, one chain (file) per instance',
    fallback: 'development: `audit/` in the package root; production: required, outside the package',
  },
  {
    env: 'SECTOKEN_INSTANCE_ID',
    doc: "this instance's name in audit records (1–64 letters, digits, `.`, `_`, `-`); one process per instance and audit directory (a second one refuses to start)",
    fallback: 'development: the host name; production: required',
  },
  {
    env: 'SECTOKEN_AUDIT_MIN_FREE_MB',
    doc: 'free space to keep on the audit disk, in MiB: below it `/readyz` reports `audit: disk_low` (0: no check)',
    fallback: '64',
  },
  {
    env: 'SECTOKEN_WORKERS',
    doc: 'node:cluster workers sharing the port, each with its own audit chain (`<instance>-w<n>`); production refuses more than one without Redis',
    fallback: 'production with Redis: one per core; otherwise 1',
  },
  {
    env: 'REDIS_URL',
    doc: 'one Redis server, e.g. `redis://127.0.0.1:6379/0`; neither this nor a cluster set means no Redis',
    fallback: 'none',
  },
  { env: 'REDIS_CLUSTER_NODES', doc: 'a Redis Cluster instead: comma-separated `host:port` seeds', fallback: 'none' },
  { env: 'SECTOKEN_REDIS_PREFIX', doc: 'prefix of every Redis key of this deployment', fallback: '`sectoken:`' },
  {
    env: 'REDIS_COMMAND_TIMEOUT_MS',
    doc: 'a Redis command slower than this fails, and the service goes on without it',
    fallback: '50',
  },
  { env: 'LOG_LEVEL', doc: 'pino level: fatal, error, warn, info, debug, trace, silent', fallback: 'info' },
];

const samePath = (a: string, b: string): boolean => resolve(a) === resolve(b);

const LOG_LEVELS = new Set(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);

/** NODE_ENV values; unset means development. A typo (`prod`, `Production`) is refused, never read as development. */
const MODES = new Set(['production', 'development', 'test']);

export function readSettings(env: NodeJS.ProcessEnv = process.env): Settings {
  if (env.NODE_ENV && !MODES.has(env.NODE_ENV)) {
    throw new ConfigError(
      `NODE_ENV=${JSON.stringify(env.NODE_ENV).slice(0, 40)} is not a mode: set it to production, development or test (unset means development)`,
    );
  }
  const production = env.NODE_ENV === 'production';
  // An empty setting counts as unset (`PORT=` in a unit file or a compose file means "not given"),
  // never as 0: `Number('')` is 0, which would listen on a random port.
  const portText = env.PORT?.trim() || '8080';
  const port = /^\d{1,5}$/.test(portText) ? Number(portText) : Number.NaN;
  if (!(port >= 0 && port <= 65535))
    throw new ConfigError(
      `PORT must be a whole number in [0, 65535] (0: any free port), not ${JSON.stringify(portText.slice(0, 20))}`,
    );
  const logLevel = env.LOG_LEVEL || 'info';
  if (!LOG_LEVELS.has(logLevel)) throw new ConfigError(`LOG_LEVEL must be one of ${[...LOG_LEVELS].join(', ')}`);
  const devConfigPath = DEV_CONFIG_PATH;
  const configPath = env.SECTOKEN_CONFIG || (production ? undefined : devConfigPath);
  if (!configPath)
    throw new ConfigError(
      'SECTOKEN_CONFIG is not set: production needs a configuration file of its own (sectors, legal bases, limits; no sample clients), with clients created by `sectoken clients add`',
    );
  const instanceId =
    env.SECTOKEN_INSTANCE_ID ||
    hostname()
      .replace(/[^A-Za-z0-9._-]/g, '-')
      .slice(0, 64) ||
    'sectoken';
  if (!INSTANCE_ID.test(instanceId))
    throw new ConfigError("SECTOKEN_INSTANCE_ID must be 1–64 letters, digits, '.', '_' or '-'");
  const clusterNodes = env.REDIS_CLUSTER_NODES
    ? env.REDIS_CLUSTER_NODES.split(',')
        .map((n) => n.trim())
        .filter(Boolean)
    : undefined;
  if (clusterNodes?.some((n) => !/^[A-Za-z0-9.-]+:\d{1,5}$/.test(n)))
    throw new ConfigError('REDIS_CLUSTER_NODES must be comma-separated host:port');
  const commandTimeoutMs = Number(env.REDIS_COMMAND_TIMEOUT_MS || 50);
  if (!Number.isInteger(commandTimeoutMs) || commandTimeoutMs < 1 || commandTimeoutMs > 10_000)
    throw new ConfigError('REDIS_COMMAND_TIMEOUT_MS must be an integer in [1, 10000]');
  const prefix = env.SECTOKEN_REDIS_PREFIX || 'sectoken:';
  // No braces: the service places its own {req} hash tag, which a brace in the prefix would break.
  if (!/^[A-Za-z0-9:._-]{1,64}$/.test(prefix))
    throw new ConfigError('SECTOKEN_REDIS_PREFIX must be 1–64 of A–Z a–z 0–9 : . _ -');
  // One worker per core only where Redis shares their limits; `sectoken serve` refuses more without it.
  const withRedis = Boolean(env.REDIS_URL || clusterNodes?.length);
  const workers = Number(env.SECTOKEN_WORKERS || (production && withRedis ? availableParallelism() : 1));
  if (!Number.isInteger(workers) || workers < 1 || workers > 256)
    throw new ConfigError('SECTOKEN_WORKERS must be an integer in [1, 256]');
  const auditMinFreeMb = Number(env.SECTOKEN_AUDIT_MIN_FREE_MB || 64);
  if (!Number.isInteger(auditMinFreeMb) || auditMinFreeMb < 0 || auditMinFreeMb > 1_048_576)
    throw new ConfigError('SECTOKEN_AUDIT_MIN_FREE_MB must be an integer in [0, 1048576]');
  const keyringPath =
    env.SECTOKEN_KEYRING || join(PACKAGE_ROOT, 'keys', production ? 'keyring.json' : 'dev-keyring.json');
  const pkcs11 = readPkcs11(env);
  if (env.SECTOKEN_REQUIRE_HSM && !['true', 'false'].includes(env.SECTOKEN_REQUIRE_HSM))
    throw new ConfigError('SECTOKEN_REQUIRE_HSM must be true or false');
  const defaultKeyPaths =
    !production &&
    !pkcs11 &&
    !env.SECTOKEN_KEK &&
    samePath(configPath, devConfigPath) &&
    samePath(keyringPath, join(PACKAGE_ROOT, 'keys', 'dev-keyring.json')) &&
    (!env.SECTOKEN_KEK_FILE || samePath(env.SECTOKEN_KEK_FILE, join(PACKAGE_ROOT, 'keys', 'dev.kek')));
  return {
    production,
    defaultKeyPaths,
    port,
    host: env.HOST || '127.0.0.1',
    configPath,
    keyringPath,
    kek: env.SECTOKEN_KEK || undefined,
    kekFile: env.SECTOKEN_KEK_FILE || undefined,
    pkcs11,
    requireHsm: env.SECTOKEN_REQUIRE_HSM === 'true',
    logLevel,
    auditDir: env.SECTOKEN_AUDIT_DIR || join(PACKAGE_ROOT, 'audit'),
    auditMinFreeMb,
    instanceId,
    workers,
    redis: { url: env.REDIS_URL || undefined, clusterNodes, prefix, commandTimeoutMs },
  };
}

const PKCS11_TOGETHER = ['SECTOKEN_PKCS11_MODULE', 'SECTOKEN_PKCS11_TOKEN', 'SECTOKEN_PKCS11_PIN_FILE'] as const;

/** The PKCS#11 settings: module, token and PIN file go together (the key label has a default). */
function readPkcs11(env: NodeJS.ProcessEnv): Settings['pkcs11'] {
  const given = PKCS11_TOGETHER.filter((name) => env[name]);
  if (given.length === 0) {
    if (env.SECTOKEN_PKCS11_KEY)
      throw new ConfigError(
        `SECTOKEN_PKCS11_KEY is set without ${PKCS11_TOGETHER.join(', ')}: set those too, or unset it`,
      );
    return undefined;
  }
  const { SECTOKEN_PKCS11_MODULE: module, SECTOKEN_PKCS11_TOKEN: token, SECTOKEN_PKCS11_PIN_FILE: pinFile } = env;
  if (!module || !token || !pinFile) {
    const missing = PKCS11_TOGETHER.filter((name) => !env[name]);
    throw new ConfigError(
      `${given.join(' and ')} set without ${missing.join(' and ')}: a KEK in a PKCS#11 token needs all three`,
    );
  }
  return { module, token, pinFile, key: env.SECTOKEN_PKCS11_KEY || 'sectoken-kek' };
}
