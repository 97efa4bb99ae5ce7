/**
 * Which configuration file `clients add` and `clients remove` edit, and the flags of `clients add`
 * checked before the file is: a missing or wrong flag is named as a flag (`--person is required
 * for regulators`), not as a broken file (`clients.10.person`).
 */
import { resolve } from 'node:path';
import { DEV_CONFIG_PATH, readSettings } from '../config/env.js';
import { CLIENT_ID, ROLES } from '../config/schema.js';
import type { RawConfig } from './configFile.js';
import { CliError } from './errors.js';

/**
 * `--config`, else SECTOKEN_CONFIG. The tracked development sample is edited only when `--config`
 * names it: otherwise a forgotten SECTOKEN_CONFIG would put a real client (and its key) into a file
 * of the repository, whose keys are published.
 */
export function clientsConfigPath(option: string | undefined): string {
  if (option) return option;
  const { configPath } = readSettings();
  if (resolve(configPath) === resolve(DEV_CONFIG_PATH)) {
    throw new CliError(
      `refusing to edit the development sample ${configPath}: clients of a real deployment belong in its own configuration (make one with \`sectoken config init <path>\`, then set SECTOKEN_CONFIG=<path>); to change the sample itself, add --config ${configPath}`,
    );
  }
  return configPath;
}

export interface ClientFlags {
  id: string;
  role: string;
  sectors: string[];
  person?: string;
  organisation?: string;
}

/** Refuses, naming the flag, what the configuration would refuse of the new client. */
export function checkClientFlags(flags: ClientFlags, raw: RawConfig, path: string): void {
  if (!CLIENT_ID.test(flags.id))
    throw new CliError(
      '--id must be 1–64 lower-case letters, digits, ".", "_" or "-", starting with a letter or digit',
    );
  if (!(ROLES as readonly string[]).includes(flags.role))
    throw new CliError(`--role must be one of ${ROLES.join(', ')} (not "${flags.role}")`);
  if ((raw.clients ?? []).some((c) => (c as { id?: unknown }).id === flags.id))
    throw new CliError(
      `a client "${flags.id}" is already in ${path}: choose another --id, or give its holder a new key with \`sectoken clients remove --id ${flags.id}\` then \`clients add\``,
    );
  if (flags.role === 'regulator') {
    const missing = (['person', 'organisation'] as const).filter((f) => !flags[f]?.trim()).map((f) => `--${f}`);
    if (missing.length > 0)
      throw new CliError(
        `${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} required for regulators: the accountable person who holds the key and the organisation they act for (dual control binds people, not keys)`,
      );
  }
  if ((flags.role === 'auditor' || flags.role === 'operator') && flags.sectors.length > 0)
    throw new CliError(`--sectors is not for an ${flags.role}: auditors and operators have no sectors`);
  const known = Object.keys(raw.sectors ?? {});
  const unknown = flags.sectors.filter((s) => !known.includes(s));
  if (unknown.length > 0)
    throw new CliError(
      `--sectors: unknown sector ${unknown.map((s) => `"${s}"`).join(', ')} (${path} has ${known.join(', ') || 'none'})`,
    );
}
