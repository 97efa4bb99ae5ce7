/**
 * The audit reader thread's entry (src/audit/reader/auditReader.ts starts it): runs each job it is sent and
 * answers with its id; a refusal keeps its error code, so that the edge answers it as it would have.
 */
import { parentPort } from 'node:worker_threads';
import { SectokenError } from '../../errors.js';
import { runReaderJob, type ReaderJob } from './readerJobs.js';

parentPort!.on('message', ({ id, job }: { id: number; job: ReaderJob }) => {
  try {
    parentPort!.postMessage({ id, result: runReaderJob(job) });
  } catch (err) {
    const code = err instanceof SectokenError ? err.code : undefined;
    parentPort!.postMessage({ id, error: err instanceof Error ? err.message : String(err), code });
  }
});
