/**
 * `keys rotate` on a one-way sector through the real CLI: refused unless --confirm-new-tokens,
 * since every person's token there changes and `upgrade` cannot follow; confirmed, it rotates and
 * says so again. A reversible sector rotates as before, without a warning.
 */
import { readFileSync } from 'node:fs';
import { runCli, productionSetup } from '../helpers/cli.js';

const production = (): Record<string, string> => productionSetup().env;

it('when a one-way sector is rotated without --confirm-new-tokens, then one line says every token changes and the keyring is untouched; with it, it rotates and warns', () => {
  const env = production();
  const before = readFileSync(env.SECTOKEN_KEYRING!, 'utf8');
  const refused = runCli(['keys', 'rotate', '--sector', 'social'], env);
  expect(refused.status).toBe(1);
  expect(refused.stderr).toBe(
    'sectoken: sector "social" is one-way: every person\'s token in it changes under the new key, and `POST /v1/tokens/upgrade` cannot re-issue one-way tokens: its backends must tokenize every person again from national IDs. To rotate it anyway, add --confirm-new-tokens\n',
  );
  expect(readFileSync(env.SECTOKEN_KEYRING!, 'utf8')).toBe(before);

  const done = runCli(['keys', 'rotate', '--sector', 'social', '--confirm-new-tokens'], env);
  expect(done.status).toBe(0);
  expect(done.stderr).toMatch(/^warning: sector "social" is one-way: every person's token in it changes/);
  expect(done.stderr).toMatch(/sector "social" now issues tokens under key version 2/);

  const reversible = runCli(['keys', 'rotate', '--sector', 'tax'], env);
  expect(reversible.status).toBe(0);
  expect(reversible.stderr).not.toMatch(/warning/);
});
