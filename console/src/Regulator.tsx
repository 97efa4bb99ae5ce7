/**
 * The regulator's view: the requests awaiting a second pair of eyes, a detail view to decide on
 * (the token among the facts, to check against the case file; approve or deny after a
 * confirmation naming the case), the requests they decided, their own requests with their state
 * and the one-time collection of a released result, and a form for a new reverse or translate.
 *
 * The lists (GET /v1/requests, and ?decidedBy=me) are what tell states. GET /v1/requests/{id} is called for another
 * person's request (facts only), and for one's own only when the person clicks "collect": for the
 * requester of an approved request that call hands the result out, once.
 */
import { useEffect, useState } from 'preact/hooks';
import type { Me, Released, RequestView } from './api.js';
import { apiCaller } from './apiCaller.js';
import { ConfirmDialog } from './ConfirmDialog.js';
import { ErrorLine } from './ErrorLine.js';
import { useI18n } from './i18n.js';
import { NewRequest, type Submitted } from './NewRequest.js';
import { RequestFacts, sectorsText, TimeLeft } from './RequestFacts.js';
import { ResultOnce } from './ResultOnce.js';
import { useApi, useSession } from './session.js';

const REFRESH_MS = 15_000;

interface RequestList {
  requests: RequestView[];
}

export function Regulator({ me }: { me: Me }) {
  const { t } = useI18n();
  const session = useSession();
  const all = useApi<RequestList>('/v1/requests');
  const mineDecided = useApi<RequestList>('/v1/requests?decidedBy=me');
  const requests = all.data?.requests ?? null;
  const decided = mineDecided.data?.requests ?? null;
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [detail, setDetail] = useState<RequestView | null>(null);
  const [confirm, setConfirm] = useState<{ decision: 'approve' | 'deny'; r: RequestView } | null>(null);
  const [result, setResult] = useState<{ caseId: string; released: Released } | null>(null);
  // The request just sent: its notice stays until it moves on (decided, collected) or the form is edited.
  const [sent, setSent] = useState<{ requestId: string; caseId: string } | null>(null);
  const [now, setNow] = useState(Date.now());
  const api = apiCaller(session.apiKey, session.onAuthLost, setError);

  const { reload: reloadAll } = all;
  const { reload: reloadDecided } = mineDecided;
  useEffect(() => {
    const timer = setInterval(() => {
      reloadAll();
      reloadDecided();
      setNow(Date.now());
    }, REFRESH_MS);
    return () => clearInterval(timer);
  }, [reloadAll, reloadDecided]);
  const load = () => {
    reloadAll();
    reloadDecided();
    setNow(Date.now());
  };

  const queue = (requests ?? []).filter((r) => !r.mine && r.state === 'pending');
  const mine = (requests ?? []).filter((r) => r.mine);

  const openDetail = async (r: RequestView) => {
    setNotice(null);
    if (r.mine) {
      setDetail(r); // never GET one's own request here: it could collect the result
      return;
    }
    const res = await api<RequestView>('GET', `/v1/requests/${encodeURIComponent(r.requestId)}`);
    if (res) setDetail(res.body);
  };

  const decide = async () => {
    if (!confirm) return;
    const { decision, r } = confirm;
    setConfirm(null);
    const res = await api<{ status: string }>(
      'POST',
      `/v1/requests/${encodeURIComponent(r.requestId)}/${decision}`,
      {},
    );
    if (res) {
      setNotice(t(decision === 'approve' ? 'req.approved' : 'req.denied', { caseId: r.caseId }));
      setDetail(null);
    }
    load();
  };

  const collect = async (r: RequestView) => {
    setNotice(null);
    const res = await api<Released>('GET', `/v1/requests/${encodeURIComponent(r.requestId)}`);
    if (res && ('nationalId' in res.body || 'token' in res.body)) setResult({ caseId: r.caseId, released: res.body });
    setDetail(null);
    load();
  };

  const submitted = (s: Submitted) => {
    if (s.released) setResult({ caseId: s.caseId, released: s.released });
    else setSent({ requestId: s.requestId, caseId: s.caseId });
    load();
  };
  const sentState = sent && (requests?.find((r) => r.requestId === sent.requestId)?.state ?? 'pending');
  const sentNotice = sent && sentState === 'pending' ? t('new.pending', { caseId: sent.caseId }) : null;

  return (
    <main id="main" class="regulator">
      <h1 class="visually-hidden">{t('app.title')}</h1>
      <ErrorLine code={error ?? all.error ?? mineDecided.error} />
      {notice && (
        <p class="notice" role="status">
          {notice}
        </p>
      )}
      {result && <ResultOnce caseId={result.caseId} result={result.released} onDone={() => setResult(null)} />}

      <section aria-labelledby="queue-title" class="panel">
        <div class="panel-head">
          <h2 id="queue-title">{t('req.queue')}</h2>
          <button type="button" onClick={load}>
            {t('common.refresh')}
          </button>
        </div>
        {requests === null ? (
          <p>{t('common.loading')}</p>
        ) : queue.length === 0 ? (
          <p>{t('req.queueEmpty')}</p>
        ) : (
          <RequestTable
            id="queue"
            caption={t('req.queue')}
            rows={queue}
            now={now}
            onDetail={(r) => void openDetail(r)}
          />
        )}
      </section>

      {detail && (
        <section aria-labelledby="detail-title" class="panel detail-panel" data-testid="detail">
          <div class="panel-head">
            <h2 id="detail-title">{t('req.detailsOf', { caseId: detail.caseId })}</h2>
            <button type="button" onClick={() => setDetail(null)}>
              {t('common.close')}
            </button>
          </div>
          <RequestFacts r={detail} now={now} />
          {detail.canDecide ? (
            <div class="actions">
              <button type="button" class="primary" onClick={() => setConfirm({ decision: 'approve', r: detail })}>
                {t('req.approve')}
              </button>
              <button type="button" class="danger" onClick={() => setConfirm({ decision: 'deny', r: detail })}>
                {t('req.deny')}
              </button>
            </div>
          ) : detail.mine && detail.state === 'approved' ? (
            <CollectButton onCollect={() => void collect(detail)} />
          ) : (
            !detail.mine && detail.state === 'pending' && <p>{t('req.cannotDecide')}</p>
          )}
        </section>
      )}

      <section aria-labelledby="decided-title" class="panel">
        <h2 id="decided-title">{t('req.decided')}</h2>
        <p class="hint">{t('req.decidedHint')}</p>
        {decided === null ? (
          <p>{t('common.loading')}</p>
        ) : decided.length === 0 ? (
          <p>{t('req.decidedEmpty')}</p>
        ) : (
          <RequestTable
            id="decided"
            caption={t('req.decided')}
            rows={decided}
            now={now}
            onDetail={(r) => void openDetail(r)}
          />
        )}
      </section>

      <section aria-labelledby="mine-title" class="panel">
        <h2 id="mine-title">{t('req.mine')}</h2>
        {requests === null ? (
          <p>{t('common.loading')}</p>
        ) : mine.length === 0 ? (
          <p>{t('req.mineEmpty')}</p>
        ) : (
          <RequestTable
            id="mine"
            caption={t('req.mine')}
            rows={mine}
            now={now}
            onDetail={(r) => void openDetail(r)}
            onCollect={(r) => void collect(r)}
            withRequester={false}
          />
        )}
      </section>

      <NewRequest me={me} notice={sentNotice} onSubmitted={submitted} onEdit={() => setSent(null)} />

      {confirm && (
        <ConfirmDialog
          title={t(confirm.decision === 'approve' ? 'req.confirmApprove' : 'req.confirmDeny', {
            caseId: confirm.r.caseId,
          })}
          confirmLabel={t(confirm.decision === 'approve' ? 'req.approve' : 'req.deny')}
          danger={confirm.decision === 'deny'}
          onConfirm={() => void decide()}
          onCancel={() => setConfirm(null)}
        >
          <RequestFacts r={confirm.r} now={now} />
          <p>{t('req.confirmText', { person: me.person ?? me.client, organisation: me.organisation ?? '' })}</p>
        </ConfirmDialog>
      )}
    </main>
  );
}

function CollectButton({ onCollect }: { onCollect: () => void }) {
  const { t } = useI18n();
  return (
    <div class="actions">
      <button type="button" class="primary" onClick={onCollect}>
        {t('req.collect')}
      </button>
      <span class="hint">{t('req.collectHint')}</span>
    </div>
  );
}

function RequestTable(props: {
  id: string;
  caption: string;
  rows: RequestView[];
  now: number;
  onDetail: (r: RequestView) => void;
  onCollect?: (r: RequestView) => void;
  /** False for one's own requests: the requester is always oneself there. */
  withRequester?: boolean;
}) {
  const { t } = useI18n();
  const withRequester = props.withRequester ?? true;
  const onCollect = props.onCollect;
  return (
    <div class="scroll" role="region" aria-label={props.caption} tabIndex={0}>
      <table id={props.id}>
        <thead>
          <tr>
            <th scope="col">{t('req.case')}</th>
            <th scope="col">{t('req.act')}</th>
            <th scope="col">{t('req.sectors')}</th>
            <th scope="col">{t('req.basis')}</th>
            <th scope="col">{t('req.purpose')}</th>
            {withRequester && <th scope="col">{t('req.requester')}</th>}
            <th scope="col">{t('req.state')}</th>
            <th scope="col">{t('req.timeLeft')}</th>
            <th scope="col">
              <span class="visually-hidden">{t('req.details')}</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {props.rows.map((r) => (
            <tr key={r.requestId} data-request={r.requestId}>
              <th scope="row" class="case-id">
                {r.caseId}
              </th>
              <td>{t(`act.${r.act}`)}</td>
              <td>{sectorsText(r)}</td>
              <td>
                <abbr class="ident" title={`${r.legalBasis.title} — ${r.legalBasis.reference}`}>
                  {r.legalBasis.id}
                </abbr>
                <div class="reference">{r.legalBasis.reference}</div>
              </td>
              <td>{r.purpose}</td>
              {withRequester && (
                <td>
                  {r.requester.person}
                  <div class="reference">{r.requester.organisation}</div>
                </td>
              )}
              <td>{t(`state.${r.state}`)}</td>
              <td>
                <TimeLeft r={r} now={props.now} />
              </td>
              <td class="row-actions">
                <button type="button" onClick={() => props.onDetail(r)} aria-label={`${t('req.details')}: ${r.caseId}`}>
                  {t('req.details')}
                </button>
                {onCollect && r.state === 'approved' && (
                  <button
                    type="button"
                    class="primary"
                    onClick={() => onCollect(r)}
                    aria-label={`${t('req.collect')}: ${r.caseId}`}
                  >
                    {t('req.collect')}
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
