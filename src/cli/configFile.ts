/**
 * The configuration file as `clients add` and `clients remove` change it: read as JSON, checked
 * whole by the schema before anything is written, and replaced through a temporary file and a
 * rename (a crash leaves the old file or the new one, never half of one) that keeps the file's
 * mode and owner, so the service that reads it still can, and nobody else newly can.
 */
import { chmodSync, chownSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { ConfigError, parseConfig, readConfigJson } from '../config/schema.js';
import { CliError, fileReason } from './errors.js';

export type RawConfig = { clients?: unknown[] } & Record<string, unknown>;

export function readRawConfig(path: string): RawConfig {
  const raw = readConfigJson(path);
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new ConfigError(`configuration ${path} is not a JSON object`);
  return raw as RawConfig;
}

/** Refuses (ConfigError, naming the field) a configuration the service would refuse; writes nothing then. */
export function rewriteConfig(path: string, raw: RawConfig): void {
  parseConfig(raw, path);
  const { mode, uid, gid } = statSync(path);
  const tmp = `${path}.${process.pid}.tmp`;
  // Created owner-only, then given the old mode exactly (the umask would narrow it).
  writeFileSync(tmp, JSON.stringify(raw, null, 2) + '\n', { mode: 0o600, flag: 'wx' });
  try {
    chmodSync(tmp, mode & 0o7777);
    if (uid !== process.getuid?.() || gid !== process.getgid?.()) chownSync(tmp, uid, gid);
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EPERM')
      throw new CliError(
        `cannot keep the owner of ${path} (uid ${uid}, gid ${gid}): run the command as that user (or as root)`,
      );
    throw new CliError(`cannot rewrite ${path}: ${fileReason(err)}`);
  }
}
