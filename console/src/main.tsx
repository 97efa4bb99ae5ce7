/**
 * The console: sign-in, then the regulator's or the auditor's view. Language from one catalogue
 * (strings.ts); the document's lang and dir follow it, so a right-to-left catalogue lays out
 * mirrored (the stylesheet uses logical properties only).
 */
import { render } from 'preact';
import { useCallback, useLayoutEffect, useMemo, useState } from 'preact/hooks';
import { ApiError, call, forgetKey, storedKey, type Me } from './api.js';
import { Auditor } from './Auditor.js';
import { Header } from './Header.js';
import { I18n } from './i18n.js';
import { Regulator } from './Regulator.js';
import { SessionContext } from './session.js';
import { SignIn } from './SignIn.js';
import { CATALOGUE, ENGLISH, LANGS, type Lang } from './strings.js';
import { translator } from './translate.js';
import { useLoad } from './useLoad.js';

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
    document.documentElement.lang = i18n.lang;
    document.documentElement.dir = (CATALOGUE[i18n.lang] ?? ENGLISH)['meta.dir'];
    document.title = i18n.t('app.title');
  }, [i18n]);
  const chooseLang = (l: Lang) => {
    localStorage.setItem(LANG_SLOT, l);
    setLang(l);
  };

  const signOut = useCallback((why: string | null = null) => {
    forgetKey();
    setKey(null);
    setMe(null);
    setNotice(why);
  }, []);

  // A key kept in this tab (a reload): ask who it is again.
  useLoad(key && !me ? key : null, async (k, signal) => {
    try {
      const who = (await call<Me>(k, 'GET', '/v1/me', undefined, signal)).body;
      if (!signal.aborted) setMe(who);
      return who;
    } catch (err) {
      if (!signal.aborted) signOut(err instanceof ApiError && err.status === 401 ? i18n.t('signin.wrongKey') : null);
      throw err;
    }
  });

  const session = useMemo(
    () => key && { apiKey: key, onAuthLost: () => signOut(i18n.t('error.unauthenticated')) },
    [key, i18n, signOut],
  );

  return (
    <I18n.Provider value={i18n}>
      <a class="skip" href="#main">
        {i18n.t('app.skip')}
      </a>
      <Header me={me} onSignOut={() => signOut()} onLang={chooseLang} />
      {!session || !me ? (
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
      ) : (
        <SessionContext.Provider value={session}>
          {me.role === 'regulator' ? <Regulator me={me} /> : <Auditor />}
        </SessionContext.Provider>
      )}
    </I18n.Provider>
  );
}

const root = document.getElementById('app');
if (!root) throw new Error('index.html has no #app element');
render(<App />, root);
