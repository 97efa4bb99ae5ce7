/**
 * An unauthenticated caller of an audited act is refused, and the refusal recorded: aggregated per
 * source and interval (src/audit/writer/refusals.ts), so that anonymous callers cannot grow the log at will.
 */
import type { AuditAct } from '../../audit/chain/record.js';
import type { AuditDeps } from './auditDeps.js';

export async function recordRefusal(
  deps: Pick<AuditDeps, 'refusals'>,
  remoteAddress: string | undefined,
  act: AuditAct | undefined,
): Promise<void> {
  if (act) await deps.refusals.refuse(remoteAddress, act);
}
