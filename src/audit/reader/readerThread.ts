/**
 * The audit reader thread's entry (src/audit/reader/auditReader.ts starts it): runs each job it is sent and
 * answers with its id; a refusal keeps its error code, so that the edge answers it as it would have.
 */
import { parentPort } from 'node:worker_threads';
import { SectokenError } from '../../errors.js';
import { runReaderJob, type ReaderJob } from './readerJobs.js';

const port = parentPort;
if (!port) throw new Error('readerThread.ts runs as a worker thread only');

port.on('message', ({ id, job }: { id: number; job: ReaderJob }) => {
  try {
    port.postMessage({ id, result: runReaderJob(job) });
  } catch (err) {
    const code = err instanceof SectokenError ? err.code : undefined;
    port.postMessage({ id, error: err instanceof Error ? err.message : String(err), code });
  }
});
