/** The banner: title, who is signed in, language choice, sign-out. */
import type { Me } from './api.js';
import { useI18n } from './i18n.js';
import { CATALOGUE, ENGLISH, LANGS, type Lang } from './strings.js';

export function Header({
  me,
  onSignOut,
  onLang,
}: {
  me: Me | null;
  onSignOut: () => void;
  onLang: (lang: Lang) => void;
}) {
  const { lang, t } = useI18n();
  return (
    <header class="banner">
      <div class="brand">
        <span class="title">{t('app.title')}</span>
        <span class="subtitle">{t('app.subtitle')}</span>
      </div>
      {me && (
        <div class="who" data-testid="who">
          <span>
            {t('who.signedInAs')} <strong>{me.person ?? me.client}</strong>
            {me.organisation && ` (${me.organisation})`}
          </span>
          <span class="detail">{t('who.client', { client: me.client, role: t(`role.${me.role}`) })}</span>
          {me.sectors.length > 0 && <span class="detail">{t('who.sectors', { sectors: me.sectors.join(', ') })}</span>}
        </div>
      )}
      <div class="tools">
        <label for="lang">{t('lang.label')}</label>
        <select id="lang" value={lang} onChange={(e) => onLang(e.currentTarget.value as Lang)}>
          {LANGS.map((l) => (
            <option key={l} value={l} lang={l}>
              {(CATALOGUE[l] ?? ENGLISH)['meta.name']}
            </option>
          ))}
        </select>
        {me && (
          <button type="button" onClick={onSignOut}>
            {t('who.signOut')}
          </button>
        )}
      </div>
    </header>
  );
}
