/**
 * The record line (src/audit/chain/record.ts lineOfBody) is built from the body's JSON without parsing it
 * back: it must be, byte for byte, what serializing the whole record gave, for any content.
 */
import fc from 'fast-check';
import {
  AUDIT_ACTS,
  body,
  GENESIS,
  recordLine,
  sealRecord,
  type AuditOutcome,
  type AuditRecord,
} from '../../src/audit/chain/record.js';

/** The line as it was first written: the whole record serialized, hash and mac after the body's fields. */
const serialized = (r: AuditRecord): string =>
  JSON.stringify({ ...JSON.parse(body(r)), hash: r.hash, mac: r.mac }) + '\n';

const text = fc.option(fc.string({ unit: 'binary', maxLength: 30 }), { nil: null });

describe('the audit record line', () => {
  it('is what serializing the whole record gives, for any text in any field (quotes, escapes, any Unicode)', () => {
    fc.assert(
      fc.property(
        // Outcomes are a closed set when written, but the serializer is held to any text (a record read back may hold anything).
        fc.record({
          act: fc.constantFrom(...AUDIT_ACTS),
          client: text,
          person: text,
          organisation: text,
          sector: text,
          toSector: text,
          token: text,
          legalBasis: text,
          caseId: text,
          purpose: text,
          requestId: text,
          outcome: fc.string({ unit: 'binary', maxLength: 20 }).map((s) => s as AuditOutcome),
          count: fc.option(fc.nat(), { nil: null }),
        }),
        fc.integer({ min: 1, max: 1e9 }),
        (entry, seq) => {
          const record = sealRecord(new Uint8Array(32).fill(9), entry, {
            instance: 'i-1',
            seq,
            time: '2026-11-30T10:00:00.000Z',
            prev: GENESIS,
          });
          expect(recordLine(record)).toBe(serialized(record));
        },
      ),
      { numRuns: 500 },
    );
  });
});
