/**
 * The fast path of token and batch bodies (src/http/batchBody.ts) only ever accepts what the zod
 * schemas accept, with the same result: anything it refuses goes to zod, which keeps the codes and
 * messages. Checked on random bodies near the rules' edges and on hostile shapes.
 */
import fc from 'fast-check';
import { fastBatchRequest, fastTokenRequest } from '../../src/http/batchBody.js';
import { batchRequest, tokenRequest } from '../../src/http/schemas.js';

const MAX = 1000;
const batchSchema = batchRequest(MAX);

/** Strings around the length limits (0, 1, 64, 65, 256, 257) and a few odd characters. */
const edgyString = fc.oneof(
  fc.constantFrom(
    '',
    'a',
    'x'.repeat(64),
    'x'.repeat(65),
    'A'.repeat(256),
    'A'.repeat(257),
    'tax',
    'AB123456',
    '\u0000',
    '𝔸',
  ),
  fc.string({ maxLength: 300 }),
);
const value = fc.oneof(
  edgyString,
  fc.integer(),
  fc.constant(null),
  fc.boolean(),
  fc.array(edgyString, { maxLength: 3 }),
  fc.constant({}),
);
const keyName = fc.constantFrom('sector', 'nationalId', 'nationalIds', '__proto__', 'constructor', 'extra');
/** Mostly valid, with the limits' neighbours. */
const sectorLike = fc.oneof(fc.string({ minLength: 1, maxLength: 64 }), edgyString);
const idLike = fc.oneof(fc.string({ maxLength: 256 }), edgyString);
const body = fc.oneof(
  fc.record({ sector: sectorLike, nationalId: idLike }),
  fc.record({ nationalIds: fc.array(idLike, { minLength: 1, maxLength: 20 }), sector: sectorLike }),
  fc.record({ sector: value, nationalId: value }),
  fc.record({
    sector: value,
    nationalIds: fc.oneof(fc.array(edgyString, { maxLength: 5 }), fc.array(value, { maxLength: 5 }), value),
  }),
  fc.dictionary(keyName, value, { maxKeys: 4 }),
  value,
);
// Bodies as express.json would hand them over: through JSON text (which keeps a "__proto__" key as data).
const parsed = body.map((b) => JSON.parse(JSON.stringify(b)) as unknown);

describe('fast body path', () => {
  it('when it accepts a token body, zod accepts it too, with the same fields', () => {
    let accepted = 0;
    fc.assert(
      fc.property(parsed, (b) => {
        const fast = fastTokenRequest(b);
        if (fast === undefined) return;
        accepted++;
        expect(tokenRequest.safeParse(b)).toEqual({ success: true, data: fast });
      }),
      { numRuns: 3000 },
    );
    expect(accepted).toBeGreaterThan(300); // not vacuous
  });

  it('when it accepts a batch body, zod accepts it too, with the same fields', () => {
    let accepted = 0;
    fc.assert(
      fc.property(parsed, (b) => {
        const fast = fastBatchRequest(b, MAX);
        if (fast === undefined) return;
        accepted++;
        expect(batchSchema.safeParse(b)).toEqual({ success: true, data: fast });
      }),
      { numRuns: 3000 },
    );
    expect(accepted).toBeGreaterThan(300); // not vacuous
  });

  it('when zod accepts an ordinary body, the fast path accepts it as well', () => {
    const ok = [
      { sector: 'tax', nationalId: 'AB123456' },
      { nationalId: '', sector: 'x'.repeat(64) },
    ];
    for (const b of ok) expect(fastTokenRequest(b)).toEqual(tokenRequest.parse(b));
    const batch = { sector: 'tax', nationalIds: Array.from({ length: MAX }, (_v, i) => `AB${i}`) };
    expect(fastBatchRequest(batch, MAX)).toEqual(batchSchema.parse(batch));
  });

  it('when a body has a "__proto__" key, an array or an object with another prototype, the fast path leaves it to zod', () => {
    expect(fastTokenRequest(JSON.parse('{"sector":"tax","nationalId":"AB1","__proto__":{}}'))).toBeUndefined();
    expect(
      fastTokenRequest(
        Object.assign(Object.create({ polluted: true }) as object, { sector: 'tax', nationalId: 'AB1' }),
      ),
    ).toBeUndefined();
    expect(
      fastBatchRequest(
        {
          sector: 'tax',
          nationalIds: Object.assign(Object.create(Array.prototype) as object, { length: 1, 0: 'AB1' }),
        },
        MAX,
      ),
    ).toBeUndefined();
    expect(fastBatchRequest({ sector: 'tax', nationalIds: [] }, MAX)).toBeUndefined();
    expect(
      fastBatchRequest({ sector: 'tax', nationalIds: Array.from({ length: MAX + 1 }, () => 'AB1') }, MAX),
    ).toBeUndefined();
  });
});
