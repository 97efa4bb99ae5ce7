/**
 * The verification state of every instance's chain, against the last checkpoint this instance
 * issued and any the auditor kept elsewhere and gives back here (one result each).
 */
import type { Verification as Report } from './api.js';
import { formatTime } from './format.js';
import { useI18n } from './i18n.js';

export function Verification({
  report,
  onVerify,
  onKept,
}: {
  report: Report | null;
  onVerify: () => void;
  onKept: (files: File[]) => void;
}) {
  const { lang, t } = useI18n();
  // The last checkpoint issued comes first; the ones the auditor gave follow.
  const kept = report ? report.checkpoints.slice(report.live.lastCheckpoint ? 1 : 0) : [];
  return (
    <section aria-labelledby="chain-title" class="panel" data-testid="verification">
      <div class="panel-head">
        <h2 id="chain-title">{t('audit.chain')}</h2>
        <button type="button" onClick={onVerify}>
          {t('audit.verifyAgain')}
        </button>
      </div>
      {report === null ? (
        <p>{t('common.loading')}</p>
      ) : (
        <>
          <p
            class={report.ok ? 'status ok' : 'status bad'}
            role="status"
            data-testid="chain-status"
            data-ok={String(report.ok)}
          >
            {report.ok ? `✔ ${t('audit.allOk')}` : `✘ ${t('audit.broken')}`}
          </p>
          <div class="scroll" role="region" aria-label={t('audit.chain')} tabIndex={0}>
            <table>
              <thead>
                <tr>
                  <th scope="col">{t('audit.file')}</th>
                  <th scope="col">{t('audit.instance')}</th>
                  <th scope="col">{t('audit.records')}</th>
                  <th scope="col">{t('audit.status')}</th>
                </tr>
              </thead>
              <tbody>
                {report.files.map((f) => (
                  <tr key={f.name}>
                    <th scope="row">{f.name}</th>
                    <td>{f.instance ?? '—'}</td>
                    <td>{f.records}</td>
                    <td class={f.firstBad ? 'bad' : 'ok'} data-testid="file-status">
                      {f.firstBad
                        ? t('audit.firstBad', { line: f.firstBad.line, reason: f.firstBad.reason })
                        : t('audit.ok')}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <dl class="facts">
            <dt>{t('audit.live')}</dt>
            <dd class={report.live.ok ? 'ok' : 'bad'}>
              {report.live.ok ? t('audit.liveOk', { size: report.live.head.size }) : report.live.reason}
            </dd>
            <dt>{t('audit.lastCheckpoint')}</dt>
            <dd>
              {report.live.lastCheckpoint
                ? `${formatTime(lang, report.live.lastCheckpoint.time)} · ${report.live.lastCheckpoint.size} · ${
                    report.checkpoints[0]?.ok
                      ? t('audit.checkpointOk')
                      : t('audit.checkpointBad', { reason: report.checkpoints[0]?.reason ?? '' })
                  }`
                : t('audit.noCheckpoint')}
            </dd>
            {kept.length > 0 && (
              <>
                <dt>{t('audit.kept')}</dt>
                <dd>
                  <ul data-testid="kept-checkpoints">
                    {kept.map((c, i) => (
                      <li key={i} class={c.ok ? 'ok' : 'bad'}>
                        {`${c.instance} · ${c.size} · ${c.ok ? t('audit.checkpointOk') : t('audit.checkpointBad', { reason: c.reason ?? '' })}`}
                      </li>
                    ))}
                  </ul>
                </dd>
              </>
            )}
            <dt>{t('audit.writable')}</dt>
            <dd>{report.live.writable ? t('common.yes') : t('common.no')}</dd>
            <dt>{t('audit.macChecked')}</dt>
            <dd>{report.macChecked ? t('common.yes') : t('common.no')}</dd>
            {report.problems.length > 0 && (
              <>
                <dt>{t('audit.problems')}</dt>
                <dd class="bad">
                  <ul>
                    {report.problems.map((p) => (
                      <li key={p}>{p}</li>
                    ))}
                  </ul>
                </dd>
              </>
            )}
          </dl>
          <p>
            <label for="kept-files">{t('audit.keptPick')}</label>{' '}
            <input
              id="kept-files"
              type="file"
              accept="application/json,.json"
              multiple
              onChange={(e) => {
                // Emptied once read, so that the same file can be given again after a change on disk.
                const input = e.currentTarget;
                onKept([...(input.files ?? [])]);
                input.value = '';
              }}
            />
          </p>
        </>
      )}
    </section>
  );
}
