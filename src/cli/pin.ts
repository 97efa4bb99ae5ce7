/**
 * Pins a new keyring in the configuration file (`keyringFingerprint`), as `clients add` records a
 * client there: the configuration then refuses any other keyring (src/keys/store.ts loadKeyring).
 * A configuration that cannot be written (mounted read-only) is told what line to add by hand.
 */
import { readRawConfig, rewriteConfig } from './configFile.js';
import { fileReason } from './errors.js';

/** Writes the pin and returns the line that says so, or the line that says what to add. */
export function pinInConfiguration(configPath: string, fingerprint: string): string {
  try {
    // Through the same rewrite as `clients add`: the file keeps its mode and owner.
    rewriteConfig(configPath, { ...readRawConfig(configPath), keyringFingerprint: fingerprint });
    return `pinned it in ${configPath}: "keyringFingerprint": "${fingerprint}" (every instance serving this configuration must use this keyring)`;
  } catch (err) {
    return `could not write ${configPath} (${err instanceof Error && !('code' in err) ? err.message : fileReason(err)}): add "keyringFingerprint": "${fingerprint}" to it by hand; production refuses to start without it`;
  }
}
