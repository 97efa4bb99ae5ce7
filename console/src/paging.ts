/**
 * Pages of the audit search by the service's cursor (`next`, passed back as `after`): the cursors
 * of the pages seen are kept, so that "previous" goes back without a cursor of its own. Pure.
 */
export interface Paging {
  /** The cursor each page seen starts after (undefined: the first page). */
  starts: readonly (string | undefined)[];
  /** Which of them is shown. */
  at: number;
}

export const FIRST_PAGE: Paging = { starts: [undefined], at: 0 };

/** The `after` of the page shown. */
export const cursor = (p: Paging): string | undefined => p.starts[p.at];

/** The page after the one shown, which ends at `next`; the pages seen beyond it are forgotten. */
export const nextPage = (p: Paging, next: string): Paging => ({
  starts: [...p.starts.slice(0, p.at + 1), next],
  at: p.at + 1,
});

export const previousPage = (p: Paging): Paging => ({ ...p, at: Math.max(0, p.at - 1) });

/** The positions (from 1) of the first and last record shown, for "records 21–40 of 95". */
export const shown = (p: Paging, pageSize: number, count: number): { first: number; last: number } => ({
  first: p.at * pageSize + 1,
  last: p.at * pageSize + count,
});
