/** Why parseConfig refuses a configuration (the ConfigError's message); fails the test if it is accepted. */
import { ConfigError, parseConfig } from '../../src/config/schema.js';

export function problemOf(raw: Record<string, unknown>): string {
  try {
    parseConfig(raw, 'test.json');
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('the configuration was accepted');
}
