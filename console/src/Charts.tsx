/**
 * The auditors' charts, drawn from the server's counts (GET /v1/audit/stats) with Chart.js —
 * only its bar chart parts are bundled. Each canvas has a name, and the same numbers as a table.
 */
import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, Tooltip } from 'chart.js';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { AuditStats, DayCount } from './api.js';
import { ChainsRead } from './ChainsRead.js';
import { dayStart, utcDay } from './format.js';
import { useI18n } from './i18n.js';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Legend, Tooltip);

// Distinguishable hues, dark enough against white.
const PALETTE = ['#1d4ed8', '#b45309', '#047857', '#7c3aed', '#be123c', '#0e7490', '#4d7c0f', '#a21caf', '#374151'];

interface Series {
  labels: string[];
  datasets: { label: string; data: number[] }[];
}

function byDay(days: string[], counts: DayCount[]): Series {
  const keys = [...new Set(counts.map((c) => c.key))].sort();
  const index = new Map(counts.map((c) => [`${c.day} ${c.key}`, c.count]));
  return {
    labels: days,
    datasets: keys.map((key) => ({ label: key, data: days.map((d) => index.get(`${d} ${key}`) ?? 0) })),
  };
}

/** `byDay`: categories are days and each dataset a series; otherwise one dataset over named categories. */
function BarChart({ id, title, series, byDay: perDay }: { id: string; title: string; series: Series; byDay: boolean }) {
  const stacked = perDay;
  const { lang, t } = useI18n();
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    if (!canvas.current) return undefined;
    const chart = new Chart(canvas.current, {
      type: 'bar',
      data: {
        labels: series.labels,
        datasets: series.datasets.map((d, i) => ({ ...d, backgroundColor: PALETTE[i % PALETTE.length] })),
      },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        locale: lang,
        plugins: { legend: { display: perDay, position: 'bottom', rtl: document.documentElement.dir === 'rtl' } },
        scales: { x: { stacked }, y: { stacked, beginAtZero: true, ticks: { precision: 0 } } },
      },
    });
    return () => chart.destroy();
  }, [series, lang]);
  const empty = series.datasets.every((d) => d.data.every((n) => n === 0));
  return (
    <figure class="chart" aria-labelledby={`${id}-title`} data-testid={id}>
      <figcaption id={`${id}-title`}>{title}</figcaption>
      {empty ? (
        <p>{t('chart.empty')}</p>
      ) : (
        <div class="chart-box">
          <canvas ref={canvas} role="img" aria-label={title} />
        </div>
      )}
      <details>
        <summary>{t('chart.asTable')}</summary>
        <div class="scroll" role="region" aria-label={title} tabIndex={0}>
          <table>
            <thead>
              <tr>
                <th scope="col">{perDay ? t('chart.day') : t('chart.outcome')}</th>
                {perDay && <th scope="col">{t('chart.key')}</th>}
                <th scope="col">{t('chart.count')}</th>
              </tr>
            </thead>
            <tbody>
              {series.datasets.flatMap((d) =>
                d.data.map((n, i) =>
                  n === 0 ? null : (
                    <tr>
                      <td>{series.labels[i]}</td>
                      {perDay && <td>{d.label}</td>}
                      <td>{n}</td>
                    </tr>
                  ),
                ),
              )}
            </tbody>
          </table>
        </div>
      </details>
    </figure>
  );
}

export function Charts({
  load,
  refreshKey,
}: {
  load: (from: string, to: string) => Promise<AuditStats | undefined>;
  refreshKey: number;
}) {
  const { t } = useI18n();
  const today = utcDay(Date.now());
  const [from, setFrom] = useState(utcDay(Date.now() - 29 * 86_400_000));
  const [to, setTo] = useState(today);
  const [range, setRange] = useState({ from, to });
  const [stats, setStats] = useState<AuditStats | null>(null);
  useEffect(() => {
    void load(dayStart(range.from), dayStart(range.to, 1)).then((s) => s && setStats(s));
  }, [range, refreshKey]);

  const days = stats?.days ?? [];
  return (
    <section aria-labelledby="charts-title" class="panel">
      <h2 id="charts-title">{t('audit.charts')}</h2>
      <form
        class="grid"
        method="get"
        action="#"
        onSubmit={(e) => {
          e.preventDefault();
          setRange({ from, to });
        }}
      >
        <div class="field">
          <label for="c-from">{t('audit.from')}</label>
          <input id="c-from" type="date" value={from} onInput={(e) => setFrom(e.currentTarget.value)} required />
        </div>
        <div class="field">
          <label for="c-to">{t('audit.to')}</label>
          <input id="c-to" type="date" value={to} onInput={(e) => setTo(e.currentTarget.value)} required />
        </div>
        <div class="actions">
          <button type="submit">{t('audit.chartsShow')}</button>
        </div>
      </form>
      {stats && <ChainsRead chains={stats.chains} testId="charts-chains" />}
      {stats === null ? (
        <p>{t('common.loading')}</p>
      ) : (
        <div class="charts">
          <BarChart
            id="chart-regulator"
            title={t('chart.byRegulator')}
            series={byDay(days, stats.actsByRegulator)}
            byDay
          />
          <BarChart id="chart-basis" title={t('chart.byBasis')} series={byDay(days, stats.actsByLegalBasis)} byDay />
          <BarChart id="chart-refusals" title={t('chart.refusals')} series={byDay(days, stats.refusalsByCode)} byDay />
          <BarChart
            id="chart-ended"
            title={t('chart.ended')}
            byDay={false}
            series={{
              labels: [t('chart.released'), t('chart.denied'), t('chart.expired')],
              datasets: [
                {
                  label: t('chart.ended'),
                  data: [stats.requestsEnded.released, stats.requestsEnded.denied, stats.requestsEnded.expired],
                },
              ],
            }}
          />
        </div>
      )}
    </section>
  );
}
