/** One sample audit chain for the verifier's tests (chainEdges, verifyRules): the same entry sealed record after record. */
import { GENESIS, sealRecord, type AuditEntry, type AuditRecord } from '../../src/audit/chain/record.js';

export const MAC_KEY = new Uint8Array(32).fill(11);
export const NAME = 'audit-i1.jsonl';
export const SAMPLE_ENTRY: AuditEntry = {
  act: 'reverse',
  client: 'regulator-cndp',
  person: 'P',
  organisation: 'O',
  sector: 'tax',
  token: '1ABC',
  legalBasis: 'L',
  caseId: 'C',
  purpose: 'p',
  outcome: 'ok',
};

/** `n` records of `instance`, one a second from 10:00:01 UTC, each linked to the one before. */
export function sampleChain(n: number, instance = 'i1'): AuditRecord[] {
  const out: AuditRecord[] = [];
  for (let seq = 1; seq <= n; seq++)
    out.push(
      sealRecord(MAC_KEY, SAMPLE_ENTRY, {
        instance,
        seq,
        time: `2026-11-30T10:00:0${seq}.000Z`,
        prev: out.at(-1)?.hash ?? GENESIS,
      }),
    );
  return out;
}
