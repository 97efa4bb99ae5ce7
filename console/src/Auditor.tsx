/** The auditor's dashboard: chain verification, signed checkpoint, charts, and the record search. */
import { useEffect, useState } from 'preact/hooks';
import type { AuditPage, AuditStats, Checkpoint, Verification as Report } from './api.js';
import { query } from './api.js';
import { Charts } from './Charts.js';
import { CheckpointPanel } from './CheckpointPanel.js';
import { ErrorLine } from './ErrorLine.js';
import { useI18n } from './i18n.js';
import { Records } from './Records.js';
import { apiCaller } from './apiCaller.js';
import { Verification } from './Verification.js';

/** The instances with a chain in the directory, the answering one first. */
const chainsOf = (report: Report | null): string[] => {
  if (!report) return [];
  const others = report.files.flatMap((f) =>
    f.instance !== null && f.instance !== report.live.instance ? [f.instance] : [],
  );
  return [report.live.instance, ...new Set(others)];
};

export function Auditor({ apiKey, onAuthLost }: { apiKey: string; onAuthLost: () => void }) {
  const { t } = useI18n();
  const [error, setError] = useState<string | null>(null);
  const [report, setReport] = useState<Report | null>(null);
  // Bumped by "verify again": the records and charts are read again too.
  const [refreshKey, setRefreshKey] = useState(0);
  const api = apiCaller(apiKey, onAuthLost, setError);

  const verify = async () => {
    const res = await api<Report>('GET', '/v1/audit/verify');
    if (res) setReport(res.body);
  };
  useEffect(() => void verify(), [apiKey, refreshKey]);
  // Checkpoints the auditor kept off-host, read from the files chosen; only their content is sent.
  const verifyKept = async (files: File[]) => {
    if (files.length === 0) return;
    let checkpoints: Checkpoint[];
    try {
      checkpoints = await Promise.all(files.map(async (f) => JSON.parse(await f.text()) as Checkpoint));
    } catch {
      setError('not_a_checkpoint');
      return;
    }
    const res = await api<Report>('POST', '/v1/audit/verify', { checkpoints });
    if (res) setReport(res.body);
  };

  return (
    <main id="main" class="auditor">
      <h1 class="visually-hidden">{t('audit.heading')}</h1>
      <ErrorLine code={error} />
      <div class="columns">
        <Verification
          report={report}
          onVerify={() => setRefreshKey((k) => k + 1)}
          onKept={(files) => void verifyKept(files)}
        />
        <CheckpointPanel
          instances={chainsOf(report)}
          take={async (instance) => {
            const cp = (await api<Checkpoint>('GET', `/v1/audit/checkpoint${query({ instance })}`))?.body;
            if (cp) void verify(); // the new checkpoint is now the one the chain is checked against
            return cp;
          }}
        />
      </div>
      <Charts
        load={async (from, to) => (await api<AuditStats>('GET', `/v1/audit/stats${query({ from, to })}`))?.body}
        refreshKey={refreshKey}
      />
      <Records search={async (q) => (await api<AuditPage>('GET', `/v1/audit${q}`))?.body} refreshKey={refreshKey} />
    </main>
  );
}
