/**
 * The console: sign-in, then the regulator's or the auditor's view. Language from one catalogue
 * (strings.ts); the document's lang and dir follow it, so a right-to-left catalogue lays out
 * mirrored (the stylesheet uses logical properties only).
 */
import { render } from 'preact';
import { useEffect, useLayoutEffect, useMemo, useState } from 'preact/hooks';
import { ApiError, call, forgetKey, storedKey, type Me } from './api.js';
import { Auditor } from './Auditor.js';
import { Header } from './Header.js';
import { I18n } from './i18n.js';
import { Regulator } from './Regulator.js';
import { SignIn } from './SignIn.js';
import { CATALOGUE, LANGS, translator, type Lang } from './strings.js';

const LANG_SLOT = 'sectoken.lang';

function initialLang(): Lang {
  const saved = localStorage.getItem(LANG_SLOT);
  if (saved && (LANGS as string[]).includes(saved)) return saved as Lang;
  const browser = navigator.language.slice(0, 2);
  return (LANGS as string[]).includes(browser) ? (browser as Lang) : 'en';
}

function App() {
  const [lang, setLang] = useState<Lang>(initialLang);
  const [key, setKey] = useState<string | null>(storedKey);
  const [me, setMe] = useState<Me | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const i18n = useMemo(() => ({ lang, t: translator(lang) }), [lang]);

  // A layout effect: the page's language and direction change in the same task as its text, so the
  // document never shows French while saying it is English (a plain effect ran a frame later).
  useLayoutEffect(() => {
    document.documentElement.lang = lang;
    document.documentElement.dir = CATALOGUE[lang]!['meta.dir'];
    document.title = i18n.t('app.title');
  }, [lang]);
  const chooseLang = (l: Lang) => {
    localStorage.setItem(LANG_SLOT, l);
    setLang(l);
  };

  const signOut = (why: string | null = null) => {
    forgetKey();
    setKey(null);
    setMe(null);
    setNotice(why);
  };

  // A key kept in this tab (a reload): ask who it is again.
  useEffect(() => {
    if (key && !me) {
      call<Me>(key, 'GET', '/v1/me').then(
        (r) => setMe(r.body),
        (err: unknown) => signOut(err instanceof ApiError && err.status === 401 ? i18n.t('signin.wrongKey') : null),
      );
    }
  }, [key]);

  const authLost = () => signOut(i18n.t('error.unauthenticated'));

  return (
    <I18n.Provider value={i18n}>
      <a class="skip" href="#main">
        {i18n.t('app.skip')}
      </a>
      <Header me={me} onSignOut={() => signOut()} onLang={chooseLang} />
      {!key || !me ? (
        key ? (
          <main id="main">
            <p>{i18n.t('common.loading')}</p>
          </main>
        ) : (
          <SignIn
            notice={notice}
            onSignedIn={(k, m) => {
              // The key field is gone with the sign-in form: leave no selection behind in the page.
              document.getSelection()?.removeAllRanges();
              setNotice(null);
              setKey(k);
              setMe(m);
            }}
          />
        )
      ) : me.role === 'regulator' ? (
        <Regulator apiKey={key} me={me} onAuthLost={authLost} />
      ) : (
        <Auditor apiKey={key} onAuthLost={authLost} />
      )}
    </I18n.Provider>
  );
}

const root = document.getElementById('app');
if (!root) throw new Error('index.html has no #app element');
render(<App />, root);
