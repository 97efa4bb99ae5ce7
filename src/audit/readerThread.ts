/** The audit reader thread's entry (src/audit/auditReader.ts starts it): runs each job it is sent and answers with its id. */
import { parentPort } from 'node:worker_threads';
import { runReaderJob, type ReaderJob } from './readerJobs.js';

parentPort!.on('message', ({ id, job }: { id: number; job: ReaderJob }) => {
  try {
    parentPort!.postMessage({ id, result: runReaderJob(job) });
  } catch (err) {
    parentPort!.postMessage({ id, error: err instanceof Error ? err.message : String(err) });
  }
});
