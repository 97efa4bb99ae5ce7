/**
 * Readiness as an orchestrator probes it, every few seconds: each answer is one ordinary log line
 * (a not-ready answer is the probe working, not a fault), and only a change of state is said, once,
 * at warn (to not ready, with the failing checks) or info (back to ready).
 */
import type { Logger } from '../log.js';
import type { Readiness } from './routes/health.js';

export function loggingChanges(readiness: () => Readiness, logger: Logger): () => Readiness {
  let last: Readiness['status'] = 'ready';
  return () => {
    const state = readiness();
    if (state.status !== last) {
      last = state.status;
      if (state.status === 'ready') logger.info({ checks: state.checks }, 'ready again');
      else logger.warn({ checks: state.checks }, 'not ready: /readyz answers 503 until this clears');
    }
    return state;
  };
}
