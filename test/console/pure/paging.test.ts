/** Paging the audit search by cursor (console/src/paging.ts), pure. */
import { cursor, FIRST_PAGE, nextPage, previousPage, shown } from '../../../console/src/paging.js';

describe('paging by cursor', () => {
  it('when pages are followed and gone back, then each page starts after the cursor it was reached by', () => {
    const second = nextPage(FIRST_PAGE, 'c1');
    const third = nextPage(second, 'c2');
    expect([cursor(FIRST_PAGE), cursor(second), cursor(third)]).toEqual([undefined, 'c1', 'c2']);
    expect(cursor(previousPage(third))).toBe('c1');
    expect(cursor(previousPage(previousPage(third)))).toBeUndefined();
    expect(previousPage(FIRST_PAGE)).toEqual(FIRST_PAGE);
  });

  it('when a page is left by "next" after going back, then the pages seen beyond it are forgotten', () => {
    const back = previousPage(nextPage(nextPage(FIRST_PAGE, 'c1'), 'c2'));
    expect(nextPage(back, 'c9')).toEqual({ starts: [undefined, 'c1', 'c9'], at: 2 });
  });

  it('when a page is shown, then its first and last positions count the pages before it', () => {
    expect(shown(FIRST_PAGE, 20, 20)).toEqual({ first: 1, last: 20 });
    expect(shown(nextPage(FIRST_PAGE, 'c1'), 20, 7)).toEqual({ first: 21, last: 27 });
  });
});
