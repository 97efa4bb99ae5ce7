/** The facts an approver decides on: act, sectors, token, legal basis and its reference, case, purpose, requester, time. */
import type { RequestView } from './api.js';
import { formatTime, minutesLeft } from './format.js';
import { useI18n } from './i18n.js';

export const sectorsText = (r: RequestView): string => (r.toSector ? `${r.sector} → ${r.toSector}` : r.sector);

export function TimeLeft({ r, now }: { r: RequestView; now: number }) {
  const { t } = useI18n();
  const open = r.state === 'pending' || r.state === 'approved';
  if (!open) return <>—</>;
  const n = minutesLeft(r.expiresAt, now);
  return <>{n > 0 ? t('req.minutes', { n }) : t('req.expired')}</>;
}

export function RequestFacts({ r, now }: { r: RequestView; now: number }) {
  const { lang, t } = useI18n();
  return (
    <dl class="facts">
      <dt>{t('req.act')}</dt>
      <dd>{t(`act.${r.act}`)}</dd>
      <dt>{t('req.sectors')}</dt>
      <dd>{sectorsText(r)}</dd>
      <dt>{t('req.token')}</dt>
      <dd>
        {r.sourceToken === null ? (
          <span class="hint">{t('req.tokenHidden')}</span>
        ) : (
          <code data-testid="request-token">{r.sourceToken}</code>
        )}
      </dd>
      <dt>{t('req.basis')}</dt>
      <dd>
        <strong>{r.legalBasis.id}</strong> — {r.legalBasis.title}
        <br />
        <span class="reference">{r.legalBasis.reference}</span>
      </dd>
      <dt>{t('req.case')}</dt>
      <dd class="case-id">{r.caseId}</dd>
      <dt>{t('req.purpose')}</dt>
      <dd>{r.purpose}</dd>
      <dt>{t('req.requester')}</dt>
      <dd>
        {r.requester.person} ({r.requester.organisation}; {r.requester.client})
      </dd>
      <dt>{t('req.state')}</dt>
      <dd>{t(`state.${r.state}`)}</dd>
      <dt>{t('req.createdAt')}</dt>
      <dd>{formatTime(lang, r.createdAt)}</dd>
      <dt>{t('req.expiresAt')}</dt>
      <dd>
        {formatTime(lang, r.expiresAt)} (<TimeLeft r={r} now={now} />)
      </dd>
      {r.decidedBy && (
        <>
          <dt>{t('req.decidedBy')}</dt>
          <dd>
            {r.decidedBy.person} ({r.decidedBy.organisation})
          </dd>
        </>
      )}
    </dl>
  );
}
