/**
 * Which chains the records above were read from (docs/AUDIT.md §6): searches and charts hold only
 * records that verify, so a chain that does not is named here, with the line from which its
 * records were left out; otherwise one quiet line says every chain read verified.
 */
import type { ChainRead } from './api.js';
import { useI18n } from './i18n.js';

export function ChainsRead({ chains, testId }: { chains: ChainRead[]; testId: string }) {
  const { t } = useI18n();
  const unverified = chains.filter((c) => !c.verified);
  if (unverified.length === 0) {
    return (
      <p class="chains-read" data-testid={testId} data-verified="true">
        {t('audit.readFrom', { chains: chains.length })}
      </p>
    );
  }
  return (
    <div role="alert" class="error" data-testid={testId} data-verified="false">
      <p>{t('audit.leftOutIntro')}</p>
      <ul>
        {unverified.map((c) => (
          <li key={c.file}>
            {t('audit.leftOut', { file: c.file, line: c.firstBad?.line ?? 1, reason: c.firstBad?.reason ?? '' })}
          </li>
        ))}
      </ul>
    </div>
  );
}
