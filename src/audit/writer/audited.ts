/**
 * Runs an act that must be audited: its outcome, success or refusal, is one durable record
 * before anything is answered. If the record cannot be written, the caller gets
 * audit_unavailable and the act's result is dropped.
 */
import { SectokenError } from '../../errors.js';
import type { AuditOutcome } from '../chain/acts.js';
import type { AuditLog } from './log.js';
import type { AuditEntry } from '../chain/record.js';

export interface Outcome<T> {
  value: T;
  outcome: AuditOutcome;
  /** Fields learned during the act (a request id, the act's final name). */
  extra?: Partial<AuditEntry>;
}

export async function audited<T>(
  audit: AuditLog,
  entry: Omit<AuditEntry, 'outcome'>,
  act: () => Outcome<T> | Promise<Outcome<T>>,
): Promise<{ value: T; auditId: string }> {
  let done: Outcome<T>;
  try {
    done = await act();
  } catch (err) {
    if (err instanceof SectokenError && err.code !== 'audit_unavailable')
      await audit.append({ ...entry, outcome: err.code });
    throw err;
  }
  const record = await audit.append({ ...entry, ...done.extra, outcome: done.outcome });
  return { value: done.value, auditId: record.id };
}
