/** Dates and durations for people, in the page's language. */
export const formatTime = (lang: string, iso: string): string =>
  new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'medium' }).format(new Date(iso));

/** Whole minutes left until `iso` (at least 0). */
export const minutesLeft = (iso: string, now: number): number =>
  Math.max(0, Math.ceil((Date.parse(iso) - now) / 60_000));

/** YYYY-MM-DD of a time, in UTC (the audit counts UTC days). */
export const utcDay = (t: number): string => new Date(t).toISOString().slice(0, 10);

/** The start of a UTC day as the API's ISO time; `plusDays` moves it. */
export const dayStart = (day: string, plusDays = 0): string =>
  new Date(Date.parse(`${day}T00:00:00Z`) + plusDays * 86_400_000).toISOString();
