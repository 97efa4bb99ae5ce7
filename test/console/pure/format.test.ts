/** The console's formatting of times and days (console/src/format.ts), pure. */
import { dayStart, formatTime, minutesLeft, parseDay, showDay, utcDay } from '../../../console/src/format.js';

describe('formatTime', () => {
  it('when a time is shown, then it carries its time zone, in the page language (English with day first and a 24-hour clock)', () => {
    expect(formatTime('en', '2026-12-07T16:05:09.000Z', 'UTC')).toBe('7 Dec 2026, 16:05:09 UTC');
    expect(formatTime('fr', '2026-12-07T16:05:09.000Z', 'Europe/Paris')).toMatch(/^7 déc\. 2026.*17:05:09 UTC\+1$/);
  });
});

describe('days', () => {
  it('when a day is typed as dd/mm/yyyy (/, . or -, one digit allowed) or as ISO, then it reads as YYYY-MM-DD', () => {
    expect(['07/12/2026', '7/12/2026', '07.12.2026', '7-12-2026', '2026-12-07', ' 07/12/2026 '].map(parseDay)).toEqual(
      Array(6).fill('2026-12-07'),
    );
    expect(parseDay('1/2/2026')).toBe('2026-02-01');
  });

  it('when the text is blank, then it is no bound; when it is no day, then null', () => {
    expect(parseDay('  ')).toBe('');
    for (const bad of ['31/02/2026', '12/31/2026', '2026-13-01', '7/12/26', 'yesterday', '00/01/2026', '2026/12/07'])
      expect([bad, parseDay(bad)]).toEqual([bad, null]);
  });

  it('when a day is shown, then it is dd/mm/yyyy, and reads back as itself', () => {
    expect(showDay('2026-02-01')).toBe('01/02/2026');
    expect(parseDay(showDay('2026-02-01'))).toBe('2026-02-01');
  });

  it('when a UTC day is turned into bounds, then they are its start and the next day’s', () => {
    expect(utcDay(Date.parse('2026-12-07T23:59:59.999Z'))).toBe('2026-12-07');
    expect([dayStart('2026-12-31'), dayStart('2026-12-31', 1)]).toEqual([
      '2026-12-31T00:00:00.000Z',
      '2027-01-01T00:00:00.000Z',
    ]);
  });

  it('when minutes are left, then they round up and never go below 0', () => {
    const now = Date.parse('2026-12-07T10:00:00.000Z');
    expect(minutesLeft('2026-12-07T10:00:01.000Z', now)).toBe(1);
    expect(minutesLeft('2026-12-07T10:15:00.000Z', now)).toBe(15);
    expect(minutesLeft('2026-12-07T09:00:00.000Z', now)).toBe(0);
  });
});
