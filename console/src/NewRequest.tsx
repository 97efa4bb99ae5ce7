/**
 * A new reverse or translate. The legal-basis choice lists only the bases that cover the act on
 * the chosen sectors (GET /v1/legal-bases). 200 is the result at once (shown once); 202 a
 * pending request waiting for a second person. Once sent, the case and purpose are cleared (a
 * second request for the same case is typed anew, never sent by a second click); the notice of a
 * pending request is the regulator view's (`notice`), and any edit here (`onEdit`) ends it.
 */
import { useState } from 'preact/hooks';
import type { LegalBasis, Me, Pending, Released } from './api.js';
import { apiCaller } from './apiCaller.js';
import { ErrorLine } from './ErrorLine.js';
import { useI18n } from './i18n.js';
import { useApi, useSession } from './session.js';

type Act = 'reverse' | 'translate';

/** What a submission gave: the result at once, or a request waiting for a second person. */
export type Submitted = { caseId: string } & ({ released: Released } | { released: null; requestId: string });

export const covers = (b: LegalBasis, act: Act, sector: string, toSector: string): boolean =>
  b.acts.includes(act) &&
  (act === 'reverse'
    ? b.sectors.includes(sector)
    : b.sectorPairs.some(([from, to]) => from === sector && to === toSector));

export function NewRequest(props: {
  me: Me;
  notice: string | null;
  onSubmitted: (s: Submitted) => void;
  onEdit: () => void;
}) {
  const { t } = useI18n();
  const session = useSession();
  const sectors = props.me.sectors;
  const bases = useApi<{ legalBases: LegalBasis[] }>('/v1/legal-bases').data?.legalBases ?? [];
  const [act, setAct] = useState<Act>('reverse');
  const [sector, setSector] = useState(sectors[0] ?? '');
  const [toSector, setToSector] = useState(sectors[1] ?? sectors[0] ?? '');
  const [token, setToken] = useState('');
  const [chosenBasis, setBasis] = useState('');
  const [caseId, setCaseId] = useState('');
  const [purpose, setPurpose] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const api = apiCaller(session.apiKey, session.onAuthLost, setError);
  /** A field's setter that also ends the notice of the request sent before. */
  const edit =
    <V,>(set: (v: V) => void) =>
    (v: V) => {
      set(v);
      props.onEdit();
    };

  const usable = bases.filter((b) => covers(b, act, sector, toSector));
  // A basis chosen before the act or sectors changed may no longer cover them: then none is chosen.
  const basis = usable.some((b) => b.id === chosenBasis) ? chosenBasis : '';

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    const common = { token: token.trim(), legalBasis: basis, caseId: caseId.trim(), purpose: purpose.trim() };
    const res =
      act === 'reverse'
        ? await api<Released | Pending>('POST', '/v1/reverse', { sector, ...common })
        : await api<Released | Pending>('POST', '/v1/translate', {
            fromSector: sector,
            toSector,
            ...common,
          });
    setBusy(false);
    if (!res) return;
    setToken('');
    setCaseId('');
    setPurpose('');
    if ('status' in res.body && res.body.status === 'pending')
      props.onSubmitted({ caseId: common.caseId, released: null, requestId: res.body.requestId });
    else props.onSubmitted({ caseId: common.caseId, released: res.body });
  };

  return (
    <section aria-labelledby="new-title" class="panel">
      <h2 id="new-title">{t('new.heading')}</h2>
      <form onSubmit={(e) => void submit(e)} class="grid" method="post" action="#" autocomplete="off">
        <fieldset class="span">
          <legend>{t('new.act')}</legend>
          {(['reverse', 'translate'] as const).map((a) => (
            <label class="inline" key={a}>
              <input type="radio" name="act" value={a} checked={act === a} onChange={() => edit(setAct)(a)} />{' '}
              {t(`act.${a}`)}
            </label>
          ))}
        </fieldset>
        <div class="field">
          <label for="new-sector">{t('new.sector')}</label>
          <select id="new-sector" value={sector} onChange={(e) => edit(setSector)(e.currentTarget.value)}>
            {sectors.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </div>
        {act === 'translate' && (
          <div class="field">
            <label for="new-to-sector">{t('new.toSector')}</label>
            <select id="new-to-sector" value={toSector} onChange={(e) => edit(setToSector)(e.currentTarget.value)}>
              {sectors
                .filter((s) => s !== sector)
                .map((s) => (
                  <option key={s} value={s}>
                    {s}
                  </option>
                ))}
            </select>
          </div>
        )}
        <div class="field">
          <label for="new-token">{t('new.token')}</label>
          <input
            id="new-token"
            value={token}
            onInput={(e) => edit(setToken)(e.currentTarget.value)}
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
            onChange={(e) => edit(setBasis)(e.currentTarget.value)}
            required
            aria-describedby={usable.length === 0 ? 'new-basis-none' : undefined}
          >
            <option value="">{t('new.basisChoose')}</option>
            {usable.map((b) => (
              <option key={b.id} value={b.id}>
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
            onInput={(e) => edit(setCaseId)(e.currentTarget.value)}
            required
            maxLength={64}
          />
        </div>
        <div class="field span">
          <label for="new-purpose">{t('new.purpose')}</label>
          <textarea
            id="new-purpose"
            value={purpose}
            onInput={(e) => edit(setPurpose)(e.currentTarget.value)}
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
      {props.notice && (
        <p class="notice" role="status">
          {props.notice}
        </p>
      )}
    </section>
  );
}
