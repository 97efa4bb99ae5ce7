/** An API error, told in the page's language, announced to screen readers. */
import { useI18n } from './i18n.js';
import { errorText } from './translate.js';

export function ErrorLine({ code }: { code: string | null }) {
  const { t } = useI18n();
  if (!code) return null;
  return (
    <p class="error" role="alert">
      {code === 'network' ? t('error.network') : errorText(t, code)}
    </p>
  );
}
