/**
 * The auditors' charts, drawn from the server's counts (GET /v1/audit/stats) with Chart.js —
 * only its bar chart parts are bundled. Each canvas has a name, and the same numbers as a table.
 * Refusals (what a caller asked or sent) and failures of the service (an outage: a store it needs
 * unavailable) are two charts: an outage is not a refusal. Codes show in the page's language.
 */
import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, Tooltip } from 'chart.js';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { query, type AuditStats } from './api.js';
import { ChainsRead } from './ChainsRead.js';
import { DayField } from './DayField.js';
import { ErrorLine } from './ErrorLine.js';
import { dayStart, intlLocale, parseDay, showDay, utcDay } from './format.js';
import { useI18n } from './i18n.js';
import { byDay, tableRows, type Series } from './series.js';
import { useApi } from './session.js';
import { codeLabel } from './translate.js';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Legend, Tooltip);

// Distinguishable hues, dark enough against white.
const PALETTE = ['#1d4ed8', '#b45309', '#047857', '#7c3aed', '#be123c', '#0e7490', '#4d7c0f', '#a21caf', '#374151'];

/** `perDay`: categories are days and each dataset a series (stacked, with a legend); otherwise one dataset over named categories. */
function BarChart({ id, title, series, perDay }: { id: string; title: string; series: Series; perDay: boolean }) {
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
        locale: intlLocale(lang),
        plugins: { legend: { display: perDay, position: 'bottom', rtl: document.documentElement.dir === 'rtl' } },
        scales: { x: { stacked: perDay }, y: { stacked: perDay, beginAtZero: true, ticks: { precision: 0 } } },
      },
    });
    return () => chart.destroy();
  }, [series, lang, perDay]);
  const rows = tableRows(series);
  return (
    <figure class="chart" aria-labelledby={`${id}-title`} data-testid={id}>
      <figcaption id={`${id}-title`}>{title}</figcaption>
      {rows.length === 0 ? (
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
              {rows.map(([category, label, n]) => (
                <tr key={`${category} ${label}`}>
                  <td>{category}</td>
                  {perDay && <td>{label}</td>}
                  <td>{n}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </figure>
  );
}

export function Charts({ refreshKey }: { refreshKey: number }) {
  const { t } = useI18n();
  // The last 30 UTC days, today's included.
  const [range, setRange] = useState(() => ({ from: utcDay(Date.now() - 29 * 86_400_000), to: utcDay(Date.now()) }));
  const [from, setFrom] = useState(() => showDay(range.from));
  const [to, setTo] = useState(() => showDay(range.to));
  const [invalid, setInvalid] = useState(false);
  const loaded = useApi<AuditStats>(
    `/v1/audit/stats${query({ from: dayStart(range.from), to: dayStart(range.to, 1) })}`,
    refreshKey,
  );
  const stats = loaded.data;
  // Made again only when the counts or the language change, so that each chart is drawn once per answer.
  const series = useMemo(() => {
    if (!stats) return null;
    const days = stats.days;
    const outcome = { day: showDay, name: (code: string) => codeLabel(t, 'outcome', code) };
    return {
      regulator: byDay(days, stats.actsByRegulator, { day: showDay }),
      basis: byDay(days, stats.actsByLegalBasis, { day: showDay }),
      refusals: byDay(days, stats.refusalsByCode, outcome),
      failures: byDay(days, stats.failuresByCode, outcome),
      ended: {
        labels: [t('chart.released'), t('chart.denied'), t('chart.expired')],
        datasets: [
          {
            label: t('chart.ended'),
            data: [stats.requestsEnded.released, stats.requestsEnded.denied, stats.requestsEnded.expired],
          },
        ],
      },
    };
  }, [stats, t]);

  return (
    <section aria-labelledby="charts-title" class="panel">
      <h2 id="charts-title">{t('audit.charts')}</h2>
      <form
        class="grid"
        method="get"
        action="#"
        onSubmit={(e) => {
          e.preventDefault();
          const [f, l] = [parseDay(from), parseDay(to)];
          setInvalid(!f || !l);
          if (f && l) setRange({ from: f, to: l });
        }}
      >
        <DayField id="c-from" label={t('audit.from')} value={from} onInput={setFrom} invalid={invalid} required />
        <DayField id="c-to" label={t('audit.to')} value={to} onInput={setTo} invalid={invalid} required />
        <div class="actions">
          <button type="submit">{t('audit.chartsShow')}</button>
        </div>
      </form>
      {invalid && (
        <p class="error" role="alert">
          {t('audit.badDay', { value: parseDay(from) ? to : from })}
        </p>
      )}
      <p class="hint">{t('audit.utcDays')}</p>
      <ErrorLine code={loaded.error} />
      {stats && <ChainsRead chains={stats.chains} testId="charts-chains" />}
      {series === null ? (
        <p>{t('common.loading')}</p>
      ) : (
        <div class="charts">
          <BarChart id="chart-regulator" title={t('chart.byRegulator')} series={series.regulator} perDay />
          <BarChart id="chart-basis" title={t('chart.byBasis')} series={series.basis} perDay />
          <BarChart id="chart-refusals" title={t('chart.refusals')} series={series.refusals} perDay />
          <BarChart id="chart-failures" title={t('chart.failures')} series={series.failures} perDay />
          <BarChart id="chart-ended" title={t('chart.ended')} series={series.ended} perDay={false} />
        </div>
      )}
    </section>
  );
}
