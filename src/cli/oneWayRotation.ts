/**
 * `keys rotate` on a one-way sector: a new key gives every person a new token there, and
 * `POST /v1/tokens/upgrade` cannot carry stored tokens across (an HMAC cannot be opened to re-issue
 * it): the sector's backends must tokenize everyone again from national IDs. So it is refused
 * unless confirmed with --confirm-new-tokens, and said again when done.
 */
import { CliError } from './errors.js';

const CONSEQUENCE =
  "every person's token in it changes under the new key, and `POST /v1/tokens/upgrade` cannot re-issue one-way tokens: its backends must tokenize every person again from national IDs";

/** The warning to print before the result (empty for a reversible sector); refuses an unconfirmed one-way rotation. */
export function oneWayRotation(sector: string, policy: string, confirmed: boolean): string {
  // A blind sector is one-way too (DERIVATION.md §10.5): its backends blind everyone again.
  if (policy === 'reversible') return '';
  if (!confirmed)
    throw new CliError(
      `sector "${sector}" is ${policy}: ${CONSEQUENCE}. To rotate it anyway, add --confirm-new-tokens`,
    );
  return `warning: sector "${sector}" is ${policy}: ${CONSEQUENCE}; `;
}
