/**
 * Sign-in with the person's API key: checked with GET /v1/me before it is kept (sessionStorage,
 * this tab only). A wrong key, or a key of a backend, gets a sentence saying so.
 */
import { useState } from 'preact/hooks';
import { ApiError, call, keepKey, type Me } from './api.js';
import { ErrorLine } from './ErrorLine.js';
import { useI18n } from './i18n.js';

export function SignIn({ onSignedIn, notice }: { onSignedIn: (key: string, me: Me) => void; notice: string | null }) {
  const { t } = useI18n();
  const [key, setKey] = useState('');
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<string | null>(notice);
  const [code, setCode] = useState<string | null>(null);

  const submit = async (e: Event) => {
    e.preventDefault();
    setMessage(null);
    setCode(null);
    const given = key.trim();
    if (!given) {
      setMessage(t('signin.empty'));
      return;
    }
    setBusy(true);
    try {
      const me = (await call<Me>(given, 'GET', '/v1/me')).body;
      if (me.role !== 'regulator' && me.role !== 'auditor') {
        setMessage(t('signin.wrongRole', { role: t(`role.${me.role}`) }));
        return;
      }
      keepKey(given);
      setKey('');
      onSignedIn(given, me);
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) setMessage(t('signin.wrongKey'));
      else setCode(err instanceof ApiError ? err.code : 'network');
    } finally {
      setBusy(false);
    }
  };

  return (
    <main id="main" class="signin">
      <h1>{t('signin.heading')}</h1>
      <p>{t('signin.intro')}</p>
      <form onSubmit={(e) => void submit(e)} method="post" action="#" autocomplete="off" novalidate>
        <label for="api-key">{t('signin.key')}</label>
        <input
          id="api-key"
          name="api-key"
          type="password"
          value={key}
          onInput={(e) => setKey(e.currentTarget.value)}
          autocomplete="off"
          spellcheck={false}
          aria-describedby={message ? 'signin-message' : undefined}
        />
        <button type="submit" class="primary" disabled={busy}>
          {busy ? t('signin.checking') : t('signin.submit')}
        </button>
      </form>
      {message && (
        <p id="signin-message" class="error" role="alert">
          {message}
        </p>
      )}
      <ErrorLine code={code} />
    </main>
  );
}
