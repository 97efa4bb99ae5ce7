/**
 * An empty setting counts as unset, for every setting (`PORT=` in a unit or compose file means "not
 * given"): never 0, which for PORT is a random port and for SECTOKEN_AUDIT_MIN_FREE_MB no check.
 */
import { readSettings, SETTINGS_DOC } from '../../src/config/env.js';

it('when every setting is set to the empty string, then each takes its default, as if unset', () => {
  const empty = Object.fromEntries(SETTINGS_DOC.map((s) => [s.env, '']));
  expect(readSettings(empty)).toEqual(readSettings({}));
  const settings = readSettings(empty);
  expect([settings.port, settings.auditMinFreeMb, settings.logLevel, settings.redis.prefix]).toEqual([
    8080,
    64,
    'info',
    'sectoken:',
  ]);
});

it('when PORT is blank or malformed, then blank is the default and malformed is refused naming it', () => {
  expect(readSettings({ PORT: '  ' }).port).toBe(8080);
  expect(readSettings({ PORT: '0' }).port).toBe(0);
  expect(() => readSettings({ PORT: '8080x' })).toThrow(
    'PORT must be a whole number in [0, 65535] (0: any free port), not "8080x"',
  );
});
