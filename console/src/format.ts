/** Dates and durations for people, in the page's language. Pure (no DOM). */

/**
 * The locale whose conventions the page's language writes times in: English as in Britain (day
 * before month, a 24-hour clock, as the days typed and shown here), not as in the United States.
 */
export const intlLocale = (lang: string): string => (lang === 'en' ? 'en-GB' : lang);

/**
 * A time in the page's language, with its time zone (the reader's, unless `timeZone` is given):
 * an auditor comparing records with another source must know which clock they read.
 */
export const formatTime = (lang: string, iso: string, timeZone?: string): string =>
  new Intl.DateTimeFormat(intlLocale(lang), {
    dateStyle: 'medium',
    timeStyle: 'long',
    ...(timeZone ? { timeZone } : {}),
  }).format(new Date(iso));

/** Whole minutes left until `iso` (at least 0). */
export const minutesLeft = (iso: string, now: number): number =>
  Math.max(0, Math.ceil((Date.parse(iso) - now) / 60_000));

/** YYYY-MM-DD of a time, in UTC (the audit counts UTC days). */
export const utcDay = (t: number): string => new Date(t).toISOString().slice(0, 10);

/** The start of a UTC day as the API's ISO time; `plusDays` moves it. */
export const dayStart = (day: string, plusDays = 0): string =>
  new Date(Date.parse(`${day}T00:00:00Z`) + plusDays * 86_400_000).toISOString();

/**
 * A day as people in Europe and North Africa write it, dd/mm/yyyy, whatever the browser's locale
 * (a date input would show mm/dd/yyyy under an American one): from YYYY-MM-DD.
 */
export const showDay = (day: string): string => {
  const [y, m, d] = day.split('-');
  return `${d}/${m}/${y}`;
};

/**
 * The YYYY-MM-DD of a day typed as dd/mm/yyyy (also with `.` or `-`, one-digit day or month) or as
 * YYYY-MM-DD; '' for blank; null for anything else, a day that does not exist (31/02) included.
 */
export function parseDay(text: string): string | null {
  const s = text.trim();
  if (s === '') return '';
  const iso = /^(?<y>\d{4})-(?<m>\d{2})-(?<d>\d{2})$/.exec(s)?.groups;
  const european = /^(?<d>\d{1,2})[/.-](?<m>\d{1,2})[/.-](?<y>\d{4})$/.exec(s)?.groups;
  const { y, m, d } = iso ?? european ?? {};
  if (y === undefined || m === undefined || d === undefined) return null;
  const day = `${y}-${m.padStart(2, '0')}-${d.padStart(2, '0')}`;
  const t = Date.parse(`${day}T00:00:00Z`);
  return Number.isNaN(t) || utcDay(t) !== day ? null : day;
}
