/**
 * The outage budget (src/limits/outageBudget.ts) with an injected clock: while Redis cannot be
 * asked, a client takes per window at most the smaller of what Redis last said was left and a
 * conservative share (a whole rate window of a minute or less, 1 % of a longer one), counted in
 * process per window of its own; and a refusal says when the nearer of the two windows ends.
 */
import { OUTAGE_SHARE, outageBudget, outageShare } from '../../src/limits/outageBudget.js';

const w = (points: number, perSeconds: number) => ({ points, perSeconds });

function clocked() {
  let t = 1_900_000_000_000;
  const budget = outageBudget(() => t);
  const takes = (name: string, window: ReturnType<typeof w>, times: number, points = 1) =>
    Array.from({ length: times }, () => budget.take(name, window, points));
  return { budget, takes, advance: (ms: number) => (t += ms) };
}

describe('outageShare', () => {
  it('is the whole of a window of a minute or less, and 1 % (rounded down) of a longer one', () => {
    expect(OUTAGE_SHARE).toBe(0.01);
    expect(outageShare(w(5, 1))).toBe(5);
    expect(outageShare(w(5, 60))).toBe(5);
    expect(outageShare(w(500, 61))).toBe(5);
    expect(outageShare(w(1000, 86400))).toBe(10);
    expect(outageShare(w(199, 3600))).toBe(1);
    expect(outageShare(w(99, 3600))).toBe(0);
  });
});

describe('outageBudget', () => {
  it('without a word from Redis, hands out the share of the window, then says to wait until the window of its own ends', () => {
    const { budget, takes, advance } = clocked();
    const day = w(1000, 86400);
    expect(takes('a', day, 10)).toEqual(Array(10).fill(undefined));
    expect(budget.take('a', day, 1)).toBe(86400);
    advance(1500);
    expect(budget.take('a', day, 1)).toBe(86399);
    // A window of its own of the same length from the first take: it ends, and the share is there again.
    advance(86400_000 - 1500 - 1);
    expect(budget.take('a', day, 1)).toBe(1);
    advance(1);
    expect(takes('a', day, 10)).toEqual(Array(10).fill(undefined));
    expect(budget.take('a', day, 1)).toBe(86400);
  });

  it('counts points, not calls, and refuses what would pass the share', () => {
    const { budget } = clocked();
    const minute = w(5, 60);
    expect(budget.take('a', minute, 3)).toBeUndefined();
    expect(budget.take('a', minute, 3)).toBe(60);
    expect(budget.take('a', minute, 2)).toBeUndefined();
    expect(budget.take('a', minute, 1)).toBe(60);
  });

  it('hands out no more than Redis said was left, taking it down as it goes, and waits for the nearer end', () => {
    const { budget, takes, advance } = clocked();
    const day = w(1000, 86400);
    budget.note('a', day, 997, 3600_000);
    expect(takes('a', day, 3)).toEqual([undefined, undefined, undefined]);
    // Redis's window ends in an hour, before the window of its own.
    expect(budget.take('a', day, 1)).toBe(3600);
    // Another name is its own: Redis said nothing of it, the share applies.
    expect(takes('b', day, 10)).toEqual(Array(10).fill(undefined));
    expect(budget.take('b', day, 1)).toBe(86400);
    // Once Redis's window has ended, what it said no longer holds: the share of its own does (3 of 10 taken).
    advance(3600_000);
    expect(takes('a', day, 7)).toEqual(Array(7).fill(undefined));
    expect(budget.take('a', day, 1)).toBe(86400 - 3600);
  });

  it('takes nothing of a window Redis said was used up, or used past its points', () => {
    const { budget } = clocked();
    const minute = w(5, 60);
    budget.note('a', minute, 5, 20_000);
    expect(budget.take('a', minute, 1)).toBe(20);
    budget.note('b', minute, 9, 20_000);
    expect(budget.take('b', minute, 1)).toBe(20);
    budget.note('c', minute, 2, 20_000);
    expect(budget.take('c', minute, 3)).toBeUndefined();
    expect(budget.take('c', minute, 1)).toBe(20);
  });

  it('a later word from Redis replaces the earlier one', () => {
    const { budget } = clocked();
    const minute = w(5, 60);
    budget.note('a', minute, 5, 20_000);
    budget.note('a', minute, 1, 30_000);
    expect(budget.take('a', minute, 4)).toBeUndefined();
    expect(budget.take('a', minute, 1)).toBe(30);
  });

  it('keeps what it took after Redis spoke again: the share of its own window holds however often Redis comes and goes', () => {
    const { budget } = clocked();
    const day = w(1000, 86400);
    expect(budget.take('a', day, 6)).toBeUndefined();
    budget.note('a', day, 0, 3600_000);
    expect(budget.take('a', day, 4)).toBeUndefined();
    expect(budget.take('a', day, 1)).toBe(3600);
  });
});
