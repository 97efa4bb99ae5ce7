/** The auditor's dashboard: chain verification, signed checkpoint, charts, and the record search. */
import { useState } from 'preact/hooks';
import type { Checkpoint, Verification as Report } from './api.js';
import { query } from './api.js';
import { apiCaller } from './apiCaller.js';
import { Charts } from './Charts.js';
import { CheckpointPanel } from './CheckpointPanel.js';
import { ErrorLine } from './ErrorLine.js';
import { useI18n } from './i18n.js';
import { Records } from './Records.js';
import { useApi, useSession } from './session.js';
import { Verification } from './Verification.js';

/** The instances with a chain in the directory, the answering one first. */
const chainsOf = (report: Report | null): string[] => {
  if (!report) return [];
  const others = report.files.flatMap((f) =>
    f.instance !== null && f.instance !== report.live.instance ? [f.instance] : [],
  );
  return [report.live.instance, ...new Set(others)];
};

export function Auditor() {
  const { t } = useI18n();
  const session = useSession();
  const [error, setError] = useState<string | null>(null);
  // Bumped by "verify again" and by a new checkpoint: the chains are checked again, the records and charts read again.
  const [refreshKey, setRefreshKey] = useState(0);
  const verified = useApi<Report>('/v1/audit/verify', refreshKey);
  // The report against checkpoints the auditor gave back (POST), shown until the next check.
  const [withKept, setWithKept] = useState<{ report: Report; after: number } | null>(null);
  const report = withKept?.after === refreshKey ? withKept.report : verified.data;
  const api = apiCaller(session.apiKey, session.onAuthLost, setError);

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
    if (res) setWithKept({ report: res.body, after: refreshKey });
  };

  return (
    <main id="main" class="auditor">
      <h1 class="visually-hidden">{t('audit.heading')}</h1>
      <ErrorLine code={error ?? verified.error} />
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
            // The new checkpoint is now the one the chain is checked against.
            if (cp) {
              setWithKept(null);
              verified.reload();
            }
            return cp;
          }}
        />
      </div>
      <Charts refreshKey={refreshKey} />
      <Records refreshKey={refreshKey} />
    </main>
  );
}
