/**
 * A released result, shown once: it lives only in this component's memory (never in storage, the
 * URL or the title) and is gone when the person hides it or leaves the page.
 */
import { useEffect, useRef } from 'preact/hooks';
import type { Released } from './api.js';
import { useI18n } from './i18n.js';

export function ResultOnce({ caseId, result, onDone }: { caseId: string; result: Released; onDone: () => void }) {
  const { t } = useI18n();
  const ref = useRef<HTMLElement>(null);
  useEffect(() => ref.current?.focus(), []);
  return (
    <section class="result" aria-labelledby="result-title" tabIndex={-1} ref={ref}>
      <h2 id="result-title">{t('result.heading', { caseId })}</h2>
      <p class="warning" role="alert">
        {t('result.warning')}
      </p>
      <dl>
        {'nationalId' in result ? (
          <>
            <dt>{t('result.nationalId')}</dt>
            <dd class="secret" data-testid="released-value">
              {result.nationalId}
            </dd>
          </>
        ) : (
          <>
            <dt>{t('result.token', { sector: result.toSector })}</dt>
            <dd class="secret" data-testid="released-value">
              {result.token}
            </dd>
          </>
        )}
      </dl>
      <button type="button" class="primary" onClick={onDone}>
        {t('result.done')}
      </button>
    </section>
  );
}
