/** The charts' series, from the counts of GET /v1/audit/stats. Pure. */

export interface DayCount {
  day: string;
  key: string;
  count: number;
}

export interface Series {
  labels: string[];
  datasets: { label: string; data: number[] }[];
}

/**
 * Days as categories (every day of `days`, YYYY-MM-DD, a missing count is 0, each shown as `day`
 * gives it), one dataset per key in key order, named by `name` (a code's label in the page's
 * language). Both show the value itself by default.
 */
export function byDay(
  days: string[],
  counts: DayCount[],
  show: { name?: (key: string) => string; day?: (day: string) => string } = {},
): Series {
  const { name = (k: string) => k, day = (d: string) => d } = show;
  const keys = [...new Set(counts.map((c) => c.key))].sort();
  const index = new Map(counts.map((c) => [`${c.day} ${c.key}`, c.count]));
  return {
    labels: days.map(day),
    datasets: keys.map((key) => ({ label: name(key), data: days.map((d) => index.get(`${d} ${key}`) ?? 0) })),
  };
}

/** The rows of a chart's table: only the non-zero counts, as [category, series, count]. */
export const tableRows = (series: Series): [string, string, number][] =>
  series.datasets.flatMap((d) =>
    d.data.flatMap((n, i): [string, string, number][] => (n === 0 ? [] : [[series.labels[i] ?? '', d.label, n]])),
  );
