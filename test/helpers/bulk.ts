/**
 * For `sectoken bulk` tests: a service process to run against (no rate limits unless given), and
 * the tokens it must answer, computed from the same keyring without it.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseConfig } from '../../src/config/schema.js';
import { parseKek } from '../../src/keys/seal.js';
import { openKeyringFile } from '../../src/keys/store.js';
import { createTokenizer } from '../../src/derivation/tokenizer.js';
import { startServer } from './cli.js';
import { devConfig } from './service.js';
import { devKeyring } from './devKeyring.js';

/** A service with a keyring of its own under `dir` (once per `dir`) and `config` (unlimited by default). */
export async function bulkServer(
  dir: string,
  config: object = { ...devConfig(), rateLimits: { defaults: {}, clients: {} } },
): Promise<Awaited<ReturnType<typeof startServer>>> {
  const keyringPath = join(dir, 'dev-keyring.json');
  if (!existsSync(keyringPath)) devKeyring(keyringPath);
  const configPath = join(dir, `config-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(configPath, JSON.stringify(config));
  return startServer({
    SECTOKEN_CONFIG: configPath,
    SECTOKEN_KEYRING: keyringPath,
    SECTOKEN_AUDIT_DIR: join(dir, 'audit'),
  });
}

/** The health-sector token of a national ID, as the service of bulkServer(dir) answers it. */
export function expectedToken(dir: string): (nationalId: string) => string {
  const kek = parseKek(readFileSync(join(dir, 'dev.kek'), 'utf8'), 'dev.kek');
  const tokenizer = createTokenizer(
    parseConfig(devConfig(), 'sample'),
    openKeyringFile(join(dir, 'dev-keyring.json'), kek),
  );
  return (nationalId) => tokenizer.tokenize('health', nationalId).token;
}

export const BULK_ENV = { SECTOKEN_API_KEY: 'stk_dev_hospital-backend' };

/** A progress line that `bulk` prints off a terminal every 5 s: on a loaded machine even a short run may print one. */
const PROGRESS_LINE = /^bulk: \d+ rows, \d+ rows\/s, \d+ row errors$/;

/** A run's stderr without its progress lines, for comparing what else it said. */
export const withoutProgress = (stderr: string): string =>
  stderr
    .split('\n')
    .filter((line) => !PROGRESS_LINE.test(line))
    .join('\n');
