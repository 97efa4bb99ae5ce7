/** Rate and time left of a bulk run. Rows skipped on --resume took no time in this run: they count as done, not as speed. */
export function rateAndEta(p: { rows: number; resumedFrom: number; elapsedMs: number; total?: number }): {
  rate: number;
  etaSeconds: number | undefined;
} {
  const rate = (p.rows - p.resumedFrom) / Math.max(p.elapsedMs / 1000, 0.001);
  const etaSeconds =
    p.total === undefined ? undefined : rate > 0 ? Math.ceil(Math.max(0, p.total - p.rows) / rate) : undefined;
  return { rate, etaSeconds };
}
