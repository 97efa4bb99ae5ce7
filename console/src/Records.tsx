/**
 * Search the audit records by case, client, legal basis, act, outcome and days, a page at a time,
 * newest first (`order=desc`: an auditor of a long log lands on its latest records). Pages follow
 * the service's cursor (paging.ts). Only records that verify come back; the chains read are shown
 * above the table (ChainsRead). Acts and outcomes show in the page's language, their codes as the
 * options' values.
 */
import { useState } from 'preact/hooks';
import { query, type AuditPage } from './api.js';
import { ChainsRead } from './ChainsRead.js';
import { DayField } from './DayField.js';
import { ErrorLine } from './ErrorLine.js';
import { dayStart, formatTime, parseDay } from './format.js';
import { useI18n } from './i18n.js';
import { cursor, FIRST_PAGE, nextPage, previousPage, shown, type Paging } from './paging.js';
import { useApi } from './session.js';
import { codeLabel, codesOf } from './translate.js';

const PAGE = 20;
const ACTS = codesOf('auditAct');
/** Every outcome the catalogue names: ok, pending, expired and the error codes. */
const OUTCOMES = codesOf('outcome');

interface Filters {
  /** Days as typed (dd/mm/yyyy) in the form; YYYY-MM-DD once applied. */
  from: string;
  to: string;
  client: string;
  caseId: string;
  legalBasis: string;
  act: string;
  outcome: string;
}
const EMPTY: Filters = { from: '', to: '', client: '', caseId: '', legalBasis: '', act: '', outcome: '' };

const pathOf = (f: Filters, paging: Paging): string =>
  `/v1/audit${query({
    from: f.from ? dayStart(f.from) : undefined,
    to: f.to ? dayStart(f.to, 1) : undefined,
    client: f.client.trim(),
    caseId: f.caseId.trim(),
    legalBasis: f.legalBasis.trim(),
    act: f.act,
    outcome: f.outcome,
    order: 'desc',
    limit: PAGE,
    after: cursor(paging),
  })}`;

export function Records({ refreshKey }: { refreshKey: number }) {
  const { lang, t } = useI18n();
  const [filters, setFilters] = useState<Filters>(EMPTY);
  const [applied, setApplied] = useState<Filters>(EMPTY);
  const [paging, setPaging] = useState<Paging>(FIRST_PAGE);
  const [badDay, setBadDay] = useState<string | null>(null);
  const loaded = useApi<AuditPage>(pathOf(applied, paging), refreshKey);
  const page = loaded.data;
  const { first, last } = shown(paging, PAGE, page?.records.length ?? 0);

  const text = (name: 'caseId' | 'client' | 'legalBasis', label: string) => (
    <div class="field">
      <label for={`q-${name}`}>{label}</label>
      <input
        id={`q-${name}`}
        type="text"
        value={filters[name]}
        onInput={(e) => setFilters({ ...filters, [name]: e.currentTarget.value })}
      />
    </div>
  );
  const choice = (name: 'act' | 'outcome', label: string, codes: string[], kind: 'auditAct' | 'outcome') => (
    <div class="field">
      <label for={`q-${name}`}>{label}</label>
      <select
        id={`q-${name}`}
        value={filters[name]}
        onChange={(e) => setFilters({ ...filters, [name]: e.currentTarget.value })}
      >
        <option value="">{t('audit.any')}</option>
        {codes.map((c) => (
          <option key={c} value={c}>
            {codeLabel(t, kind, c)}
          </option>
        ))}
      </select>
    </div>
  );
  const day = (name: 'from' | 'to', label: string) => (
    <DayField
      id={`q-${name}`}
      label={label}
      value={filters[name]}
      invalid={parseDay(filters[name]) === null && badDay !== null}
      onInput={(v) => setFilters({ ...filters, [name]: v })}
    />
  );

  return (
    <section aria-labelledby="records-title" class="panel">
      <h2 id="records-title">{t('audit.search')}</h2>
      <form
        class="grid"
        method="get"
        action="#"
        onSubmit={(e) => {
          e.preventDefault();
          const [from, to] = [parseDay(filters.from), parseDay(filters.to)];
          if (from === null || to === null) {
            setBadDay(from === null ? filters.from : filters.to);
            return;
          }
          setBadDay(null);
          setPaging(FIRST_PAGE);
          setApplied({ ...filters, from, to });
        }}
      >
        {text('caseId', t('audit.caseId'))}
        {text('client', t('audit.client'))}
        {text('legalBasis', t('audit.basis'))}
        {choice('act', t('audit.act'), ACTS, 'auditAct')}
        {choice('outcome', t('audit.outcome'), OUTCOMES, 'outcome')}
        {day('from', t('audit.from'))}
        {day('to', t('audit.to'))}
        <div class="actions">
          <button type="submit" class="primary">
            {t('audit.searchSubmit')}
          </button>
        </div>
      </form>
      {badDay !== null && (
        <p class="error" role="alert">
          {t('audit.badDay', { value: badDay })}
        </p>
      )}
      <ErrorLine code={loaded.error} />
      {page && <ChainsRead chains={page.chains} testId="records-chains" />}
      {page === null ? (
        <p>{t('common.loading')}</p>
      ) : page.total === 0 ? (
        <p role="status">{t('audit.noResults')}</p>
      ) : (
        <>
          <p role="status" data-testid="records-count">
            {t('audit.results', { first, last, total: page.total })}
          </p>
          <div class="scroll" role="region" aria-label={t('audit.search')} tabIndex={0}>
            <table data-testid="records">
              <thead>
                <tr>
                  <th scope="col">{t('audit.time')}</th>
                  <th scope="col">{t('audit.act')}</th>
                  <th scope="col">{t('audit.client')}</th>
                  <th scope="col">{t('audit.person')}</th>
                  <th scope="col">{t('audit.sector')}</th>
                  <th scope="col">{t('audit.basis')}</th>
                  <th scope="col">{t('audit.caseId')}</th>
                  <th scope="col">{t('audit.outcome')}</th>
                </tr>
              </thead>
              <tbody>
                {page.records.map((r) => (
                  <tr key={r.id}>
                    <td>{formatTime(lang, r.time)}</td>
                    <td data-code={r.act}>{codeLabel(t, 'auditAct', r.act)}</td>
                    <td class="ident">{r.client ?? '—'}</td>
                    <td>{r.person ?? '—'}</td>
                    <td>{r.toSector ? `${r.sector ?? '—'} → ${r.toSector}` : (r.sector ?? '—')}</td>
                    <td class="ident">{r.legalBasis ?? '—'}</td>
                    <td class="case-id">{r.caseId ?? '—'}</td>
                    <td data-code={r.outcome}>
                      {codeLabel(t, 'outcome', r.outcome)}
                      {r.count ? ` ×${r.count}` : ''}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <div class="actions">
            <button
              type="button"
              disabled={loaded.loading || paging.at === 0}
              onClick={() => setPaging(previousPage(paging))}
            >
              {t('audit.prev')}
            </button>
            <button
              type="button"
              disabled={loaded.loading || page.next === null}
              onClick={() => page.next !== null && setPaging(nextPage(paging, page.next))}
            >
              {t('audit.next')}
            </button>
          </div>
        </>
      )}
    </section>
  );
}
