/**
 * Search the audit records by case, client, legal basis, act, outcome and days, a page at a time.
 * Pages follow the service's cursor (`next`, passed back as `after`); the cursors of the pages seen
 * are kept so that "previous" goes back. Only records that verify come back; the chains read are
 * shown under the table (ChainsRead).
 */
import { useEffect, useState } from 'preact/hooks';
import { query, type AuditPage } from './api.js';
import { ChainsRead } from './ChainsRead.js';
import { dayStart, formatTime } from './format.js';
import { useI18n } from './i18n.js';

const PAGE = 20;
const ACTS = ['reverse', 'reverse-request', 'translate', 'translate-request', 'approve', 'deny', 'release', 'expire'];

interface Filters {
  from: string;
  to: string;
  client: string;
  caseId: string;
  legalBasis: string;
  act: string;
  outcome: string;
}
const EMPTY: Filters = { from: '', to: '', client: '', caseId: '', legalBasis: '', act: '', outcome: '' };

type Search = (q: string) => Promise<AuditPage | undefined>;

export function Records({ search, refreshKey }: { search: Search; refreshKey: number }) {
  const { lang, t } = useI18n();
  const [filters, setFilters] = useState<Filters>(EMPTY);
  const [applied, setApplied] = useState<Filters>(EMPTY);
  // The cursor each page seen starts after (undefined: the first page), and which page is shown.
  const [starts, setStarts] = useState<(string | undefined)[]>([undefined]);
  const [at, setAt] = useState(0);
  const [page, setPage] = useState<AuditPage | null>(null);

  useEffect(() => {
    const f = applied;
    const q = query({
      from: f.from ? dayStart(f.from) : undefined,
      to: f.to ? dayStart(f.to, 1) : undefined,
      client: f.client.trim(),
      caseId: f.caseId.trim(),
      legalBasis: f.legalBasis.trim(),
      act: f.act,
      outcome: f.outcome.trim(),
      limit: PAGE,
      after: starts[at],
    });
    void search(q).then((p) => p && setPage(p));
  }, [applied, at, refreshKey]);
  const first = at * PAGE;

  const field = (name: keyof Filters, label: string, type: 'text' | 'date' = 'text') => (
    <div class="field">
      <label for={`q-${name}`}>{label}</label>
      {type === 'date' ? (
        <input
          id={`q-${name}`}
          type="date"
          value={filters[name]}
          onInput={(e) => setFilters({ ...filters, [name]: e.currentTarget.value })}
        />
      ) : (
        <input
          id={`q-${name}`}
          type="text"
          value={filters[name]}
          onInput={(e) => setFilters({ ...filters, [name]: e.currentTarget.value })}
        />
      )}
    </div>
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
          setStarts([undefined]);
          setAt(0);
          setApplied(filters);
        }}
      >
        {field('caseId', t('audit.caseId'))}
        {field('client', t('audit.client'))}
        {field('legalBasis', t('audit.basis'))}
        <div class="field">
          <label for="q-act">{t('audit.act')}</label>
          <select
            id="q-act"
            value={filters.act}
            onChange={(e) => setFilters({ ...filters, act: e.currentTarget.value })}
          >
            <option value="">{t('audit.any')}</option>
            {ACTS.map((a) => (
              <option value={a}>{a}</option>
            ))}
          </select>
        </div>
        {field('outcome', t('audit.outcome'))}
        {field('from', t('audit.from'), 'date')}
        {field('to', t('audit.to'), 'date')}
        <div class="actions">
          <button type="submit" class="primary">
            {t('audit.searchSubmit')}
          </button>
        </div>
      </form>
      {page && <ChainsRead chains={page.chains} testId="records-chains" />}
      {page === null ? (
        <p>{t('common.loading')}</p>
      ) : page.total === 0 ? (
        <p role="status">{t('audit.noResults')}</p>
      ) : (
        <>
          <p role="status" data-testid="records-count">
            {t('audit.results', { first: first + 1, last: first + page.records.length, total: page.total })}
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
                    <td>{r.act}</td>
                    <td>{r.client ?? '—'}</td>
                    <td>{r.person ?? '—'}</td>
                    <td>{r.toSector ? `${r.sector ?? '—'} → ${r.toSector}` : (r.sector ?? '—')}</td>
                    <td>{r.legalBasis ?? '—'}</td>
                    <td>{r.caseId ?? '—'}</td>
                    <td>{r.count ? `${r.outcome} ×${r.count}` : r.outcome}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <div class="actions">
            <button type="button" disabled={at === 0} onClick={() => setAt(at - 1)}>
              {t('audit.prev')}
            </button>
            <button
              type="button"
              disabled={page.next === null}
              onClick={() => {
                setStarts([...starts.slice(0, at + 1), page.next ?? undefined]);
                setAt(at + 1);
              }}
            >
              {t('audit.next')}
            </button>
          </div>
        </>
      )}
    </section>
  );
}
