/**
 * A new reverse or translate. The legal-basis choice lists only the bases that cover the act on
 * the chosen sectors (GET /v1/legal-bases). 200 is the result at once (shown once); 202 a
 * pending request waiting for a second person.
 */
import { useEffect, useState } from 'preact/hooks';
import type { LegalBasis, Me, Released } from './api.js';
import { ErrorLine } from './ErrorLine.js';
import { useI18n } from './i18n.js';
import { apiCaller } from './apiCaller.js';

type Act = 'reverse' | 'translate';

export const covers = (b: LegalBasis, act: Act, sector: string, toSector: string): boolean =>
  b.acts.includes(act) &&
  (act === 'reverse'
    ? b.sectors.includes(sector)
    : b.sectorPairs.some(([from, to]) => from === sector && to === toSector));

export function NewRequest(props: {
  apiKey: string;
  me: Me;
  onAuthLost: () => void;
  onDone: (caseId: string, released: Released | null) => void;
}) {
  const { t } = useI18n();
  const sectors = props.me.sectors;
  const [bases, setBases] = useState<LegalBasis[]>([]);
  const [act, setAct] = useState<Act>('reverse');
  const [sector, setSector] = useState(sectors[0] ?? '');
  const [toSector, setToSector] = useState(sectors[1] ?? sectors[0] ?? '');
  const [token, setToken] = useState('');
  const [basis, setBasis] = useState('');
  const [caseId, setCaseId] = useState('');
  const [purpose, setPurpose] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const api = apiCaller(props.apiKey, props.onAuthLost, setError);

  useEffect(() => {
    void api<{ legalBases: LegalBasis[] }>('GET', '/v1/legal-bases').then((r) => r && setBases(r.body.legalBases));
  }, [props.apiKey]);

  const usable = bases.filter((b) => covers(b, act, sector, toSector));
  // A basis chosen before the act or sectors changed may no longer cover them.
  useEffect(() => {
    if (basis && !usable.some((b) => b.id === basis)) setBasis('');
  }, [act, sector, toSector, bases]);

  const submit = async (e: Event) => {
    e.preventDefault();
    setNotice(null);
    setBusy(true);
    const common = { token: token.trim(), legalBasis: basis, caseId: caseId.trim(), purpose: purpose.trim() };
    const res =
      act === 'reverse'
        ? await api<Released & { status?: string }>('POST', '/v1/reverse', { sector, ...common })
        : await api<Released & { status?: string }>('POST', '/v1/translate', {
            fromSector: sector,
            toSector,
            ...common,
          });
    setBusy(false);
    if (!res) return;
    setToken('');
    if (res.status === 202) {
      setNotice(t('new.pending', { caseId: common.caseId }));
      props.onDone(common.caseId, null);
    } else {
      props.onDone(common.caseId, res.body);
    }
  };

  return (
    <section aria-labelledby="new-title" class="panel">
      <h2 id="new-title">{t('new.heading')}</h2>
      <form onSubmit={(e) => void submit(e)} class="grid" method="post" action="#" autocomplete="off">
        <fieldset class="span">
          <legend>{t('new.act')}</legend>
          {(['reverse', 'translate'] as const).map((a) => (
            <label class="inline">
              <input type="radio" name="act" value={a} checked={act === a} onChange={() => setAct(a)} /> {t(`act.${a}`)}
            </label>
          ))}
        </fieldset>
        <div class="field">
          <label for="new-sector">{t('new.sector')}</label>
          <select id="new-sector" value={sector} onChange={(e) => setSector(e.currentTarget.value)}>
            {sectors.map((s) => (
              <option value={s}>{s}</option>
            ))}
          </select>
        </div>
        {act === 'translate' && (
          <div class="field">
            <label for="new-to-sector">{t('new.toSector')}</label>
            <select id="new-to-sector" value={toSector} onChange={(e) => setToSector(e.currentTarget.value)}>
              {sectors
                .filter((s) => s !== sector)
                .map((s) => (
                  <option value={s}>{s}</option>
                ))}
            </select>
          </div>
        )}
        <div class="field">
          <label for="new-token">{t('new.token')}</label>
          <input
            id="new-token"
            value={token}
            onInput={(e) => setToken(e.currentTarget.value)}
            required
            maxLength={128}
            spellcheck={false}
          />
        </div>
        <div class="field span">
          <label for="new-basis">{t('new.basis')}</label>
          <select
            id="new-basis"
            value={basis}
            onChange={(e) => setBasis(e.currentTarget.value)}
            required
            aria-describedby={usable.length === 0 ? 'new-basis-none' : undefined}
          >
            <option value="">{t('new.basisChoose')}</option>
            {usable.map((b) => (
              <option value={b.id}>
                {b.id} — {b.title}
                {b.dualControl ? ` (${t('new.dualControl')})` : ''}
              </option>
            ))}
          </select>
          {usable.length === 0 && (
            <p id="new-basis-none" class="hint">
              {t('new.basisNone')}
            </p>
          )}
        </div>
        <div class="field">
          <label for="new-case">{t('new.caseId')}</label>
          <input
            id="new-case"
            value={caseId}
            onInput={(e) => setCaseId(e.currentTarget.value)}
            required
            maxLength={64}
          />
        </div>
        <div class="field span">
          <label for="new-purpose">{t('new.purpose')}</label>
          <textarea
            id="new-purpose"
            value={purpose}
            onInput={(e) => setPurpose(e.currentTarget.value)}
            required
            maxLength={500}
            rows={2}
          />
        </div>
        <div class="actions span">
          <button type="submit" class="primary" disabled={busy}>
            {t('new.submit')}
          </button>
        </div>
      </form>
      <ErrorLine code={error} />
      {notice && (
        <p class="notice" role="status">
          {notice}
        </p>
      )}
    </section>
  );
}
