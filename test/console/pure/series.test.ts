/** The charts' series (console/src/series.ts), pure. */
import { byDay, tableRows } from '../../../console/src/series.js';

describe('chart series', () => {
  const counts = [
    { day: '2026-03-01', key: 'forbidden', count: 2 },
    { day: '2026-03-03', key: 'dual_control_unavailable', count: 1 },
    { day: '2026-03-03', key: 'forbidden', count: 1 },
  ];

  it('when counts are given per day, then each key is a series over every day, 0 where nothing was counted, named by its label, days shown as asked', () => {
    const s = byDay(['2026-03-01', '2026-03-02', '2026-03-03'], counts, {
      name: (k) => k.toUpperCase(),
      day: (d) => d.slice(5),
    });
    expect(s).toEqual({
      labels: ['03-01', '03-02', '03-03'],
      datasets: [
        { label: 'DUAL_CONTROL_UNAVAILABLE', data: [0, 0, 1] },
        { label: 'FORBIDDEN', data: [2, 0, 1] },
      ],
    });
  });

  it('when a chart is read as a table, then only the counts that are not 0 are rows', () => {
    expect(tableRows(byDay(['2026-03-01', '2026-03-02', '2026-03-03'], counts))).toEqual([
      ['2026-03-03', 'dual_control_unavailable', 1],
      ['2026-03-01', 'forbidden', 2],
      ['2026-03-03', 'forbidden', 1],
    ]);
    expect(tableRows(byDay([], []))).toEqual([]);
  });
});
