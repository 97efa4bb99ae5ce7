/**
 * The auditors' reads run on a thread of their own (node:worker_threads), never on the event loop:
 * verifying 100,000 records with their MACs takes about 1.3 s, counting them for the charts 0.26 s,
 * and while the event loop did that no token was served. One thread, started on the first read,
 * holding the process open only while a read is under way, started again if it dies; a read it
 * was doing then fails, the next one works. It runs the built code (dist/audit/reader/readerThread.js).
 */
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { SectokenError, type ErrorCode } from '../../errors.js';
import type { ReaderJob, ReaderResults } from './readerJobs.js';

export interface AuditReader {
  run<K extends ReaderJob['kind']>(job: Extract<ReaderJob, { kind: K }>): Promise<ReaderResults[K]>;
  close(): Promise<void>;
}

interface Pending {
  resolve: (result: never) => void;
  reject: (err: Error) => void;
}

export function auditReader(packageRoot: string): AuditReader {
  const entry = join(packageRoot, 'dist', 'audit', 'reader', 'readerThread.js');
  let worker: Worker | undefined;
  let nextId = 1;
  const pending = new Map<number, Pending>();

  const failAll = (why: string): void => {
    for (const p of pending.values()) p.reject(new Error(`the audit reader stopped: ${why}`));
    pending.clear();
    worker = undefined;
  };
  const started = (): Worker => {
    if (worker) return worker;
    // Nothing of the parent's command line (a test runner's or an inspector's flags) reaches the thread.
    const w = new Worker(entry, { execArgv: [] });
    w.on(
      'message',
      ({ id, result, error, code }: { id: number; result?: unknown; error?: string; code?: ErrorCode }) => {
        const p = pending.get(id);
        if (!p) return;
        pending.delete(id);
        if (pending.size === 0) w.unref();
        if (error === undefined) p.resolve(result as never);
        else p.reject(code === undefined ? new Error(error) : new SectokenError(code, error));
      },
    );
    w.on('error', (err) => {
      if (worker === w) failAll(err.message);
    });
    w.on('exit', (code) => {
      if (worker === w) failAll(`exit ${code}`);
    });
    return (worker = w);
  };

  return {
    run(job) {
      const w = started();
      const id = nextId++;
      // Held open while a read is under way (listeners alone would hold it for ever).
      if (pending.size === 0) w.ref();
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve: resolve, reject });
        w.postMessage({ id, job });
      });
    },
    async close() {
      const w = worker;
      worker = undefined;
      failAll('closed');
      if (w) await w.terminate();
    },
  };
}
