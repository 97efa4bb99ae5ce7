/** A page of the audit log holds only offset + limit records (src/audit/reader/smallest.ts): the same page as sorting everything. */
import fc from 'fast-check';
import { smallest } from '../../src/audit/reader/smallest.js';
import { byTimeThenId } from '../../src/audit/reader/read.js';
import type { AuditRecord } from '../../src/audit/chain/record.js';

const records = fc.uniqueArray(
  fc.record({
    time: fc.constantFrom('2026-11-30T10:00:00.000Z', '2026-11-30T10:00:00.001Z', '2026-12-01T00:00:00.000Z'),
    id: fc.string({ maxLength: 6 }),
  }),
  {
    selector: (r) => r.id,
    maxLength: 60,
  },
) as fc.Arbitrary<AuditRecord[]>;

describe('the k smallest records', () => {
  it('are the first k of the whole sorted log, in order, for any k', () => {
    fc.assert(
      fc.property(records, fc.integer({ min: 0, max: 70 }), (all, k) => {
        expect(smallest(all, k, byTimeThenId)).toEqual([...all].sort(byTimeThenId).slice(0, k));
      }),
      { numRuns: 500 },
    );
  });

  it('reads the whole sequence even when it keeps nothing (the caller counts the total as it goes)', () => {
    let read = 0;
    function* counted(): Generator<number> {
      for (const n of [3, 1, 2]) {
        read += 1;
        yield n;
      }
    }
    expect(smallest(counted(), 0, (a, b) => a - b)).toEqual([]);
    expect(read).toBe(3);
  });
});
