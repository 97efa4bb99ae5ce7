/**
 * `sectoken serve`: listen, say how to call the service, and close cleanly on SIGINT/SIGTERM.
 * With SECTOKEN_WORKERS > 1 the primary forks node:cluster workers that share the port; each
 * worker is an instance of its own (its own audit chain, `<instance>-w<n>`), and the primary
 * restarts any that dies and passes SIGHUP on once the configuration and keyring it re-read pass
 * (onReload). Without Redis the workers share no limits, so the
 * primary refuses them in production (and where dual control is configured) before forking.
 */
import cluster, { type Worker } from 'node:cluster';
import type { AddressInfo } from 'node:net';
import { assertAuditDirWritable } from './audit/writer/auditDir.js';
import { requireNamedState } from './config/productionState.js';
import { readSettings, type Settings } from './config/env.js';
import { createLogger, type Logger } from './log.js';
import { ConfigError } from './config/schema.js';
import { drainable } from './shutdown.js';
import { createService, loadConfigured } from './service.js';

export async function serve(): Promise<void> {
  const settings = readSettings();
  requireNamedState(process.env, settings);
  const logger = createLogger(settings.logLevel);
  if (settings.workers > 1 && cluster.isPrimary) {
    runPrimary(settings, logger);
    return;
  }
  return runInstance(settings, logger);
}

function runPrimary(settings: Settings, logger: Logger): void {
  // Check configuration and keys once, and make the development keyring before any worker races to.
  const started = loadConfigured(settings);
  const { notices, unshared } = started;
  assertAuditDirWritable(settings.auditDir);
  for (const notice of unshared ? [...notices, unshared] : notices) logger.warn(notice);
  let stopping = false;
  // Workers that listen, and so handle SIGHUP (one still starting would die of it, and reads the files as they are anyway).
  const listening = new Set<Worker>();
  const fork = (n: number): void => {
    const worker = cluster.fork({
      SECTOKEN_INSTANCE_ID: `${settings.instanceId}-w${n}`,
      SECTOKEN_WORKER_NUMBER: String(n),
    });
    worker.once('listening', () => listening.add(worker));
    worker.on('exit', (code, signal) => {
      listening.delete(worker);
      if (stopping) return;
      logger.error({ worker: n, code, signal }, 'worker died; starting another');
      setTimeout(() => fork(n), 500);
    });
  };
  for (let n = 1; n <= settings.workers; n++) fork(n);
  logger.info({ workers: settings.workers }, 'sectoken primary started');
  // The primary checks first (and adds development keys for a new sector, once): workers reload
  // only what passed, and none of them races to write the keyring.
  onReload(
    logger,
    () => loadConfigured(settings, started).notices,
    () => {
      for (const worker of listening) worker.process.kill('SIGHUP');
    },
  );
  const stop = (): void => {
    stopping = true;
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM');
    setTimeout(() => process.exit(0), 10_000).unref();
    cluster.on('exit', () => {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
    });
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

/**
 * SIGHUP: re-read the configuration and the keyring together and take both, or neither. One log
 * line either way: a refusal says why and that the previous configuration and keyring still serve.
 * The primary of several workers only checks, then passes the signal on: each worker says its own.
 */
function onReload(logger: Logger, reload: () => string[], passOn?: () => void): void {
  process.on('SIGHUP', () => {
    let notices: string[];
    try {
      notices = reload();
    } catch (err) {
      logger.error(
        { reason: (err as Error).message },
        'reload refused: still serving with the previous configuration and keyring',
      );
      return;
    }
    if (passOn) passOn();
    else logger.info(notices.length > 0 ? { notices } : {}, 'configuration and keyring reloaded');
  });
}

/** Requests still unanswered this long after SIGTERM are cut off. */
const SHUTDOWN_DEADLINE_MS = 10_000;

async function runInstance(settings: Settings, logger: Logger): Promise<void> {
  const service = createService(settings, logger);
  for (const notice of service.notices) logger.warn(notice);
  // SIGHUP: the whole configuration and keyring, or (refused) nothing; handled before listening,
  // so that the primary's SIGHUP to a worker that listens always finds the handler.
  onReload(logger, () => service.reload());

  const server = service.app.listen(settings.port, settings.host);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', (err: NodeJS.ErrnoException) => {
      // Operator mistakes, in one line with the fix (cli.ts prints ConfigError without a stack).
      if (err.code === 'EADDRINUSE')
        reject(
          new ConfigError(
            `port ${settings.port} on ${settings.host} is in use: stop whatever listens there, or set PORT to a free port`,
          ),
        );
      else if (err.code === 'EACCES')
        reject(
          new ConfigError(
            `not allowed to listen on port ${settings.port} on ${settings.host}: set PORT to 1024 or above`,
          ),
        );
      else if (err.code === 'EADDRNOTAVAIL')
        reject(
          new ConfigError(
            `HOST ${settings.host} is not an address of this machine: set HOST to one (127.0.0.1, 0.0.0.0)`,
          ),
        );
      else if (err.code === 'ENOTFOUND' || err.code === 'EAI_AGAIN')
        reject(
          new ConfigError(
            `HOST ${settings.host} is not a name this machine can resolve: set HOST to an address (127.0.0.1, 0.0.0.0, ::) or a name it resolves`,
          ),
        );
      else reject(err);
    });
  });
  const drain = drainable(server);
  const { port } = server.address() as AddressInfo;
  const url = `http://${settings.host.includes(':') ? `[${settings.host}]` : settings.host}:${port}`;
  // The process to signal: `npm start` puts npm in front, and workers take signals from their primary.
  const pid = cluster.isWorker ? process.ppid : process.pid;
  logger.info(
    {
      url,
      pid,
      instance: settings.instanceId,
      sectors: service.tokenizer().sectorIds(),
      development: service.development,
    },
    `sectoken listening (pid ${pid}; reload configuration and keys: kill -HUP ${pid}; stop: kill ${pid})`,
  );
  const firstWorker = !cluster.isWorker || process.env.SECTOKEN_WORKER_NUMBER === '1';
  if (service.development && firstWorker) {
    process.stderr.write(
      `\n  sectoken (DEVELOPMENT keyring and configuration) on ${url}, pid ${pid}\n  try:\n` +
        `    curl -s ${url}/v1/tokens -H 'Authorization: Bearer stk_dev_hospital-backend' \\\n` +
        `      -H 'Content-Type: application/json' -d '{"sector":"health","nationalId":"AB123456"}'\n` +
        `  reload the configuration and keyring (after \`clients add\`, \`keys rotate\` …): kill -HUP ${pid}    stop: kill ${pid} (or Ctrl-C)\n\n`,
    );
  }

  // Dual-control requests past their time are closed and audited even if nobody asks about them.
  const sweeper = setInterval(() => {
    service.expireRequests().catch((err: unknown) => logger.error({ err }, 'could not expire reverse requests'));
  }, 15_000);
  sweeper.unref();

  let closing = false;
  const shutdown = (signal: string): void => {
    if (closing) return;
    closing = true;
    logger.info({ signal }, 'shutting down: accepting no more connections, answering requests in flight');
    clearInterval(sweeper);
    // Exit as soon as the last answer is written; only stuck requests wait for the deadline.
    void drain
      .close(SHUTDOWN_DEADLINE_MS)
      .then(({ stuck }) => {
        if (stuck > 0) logger.warn({ stuck }, 'shutdown deadline reached: cut off requests still in flight');
        return service.close();
      })
      .finally(() => process.exit(0));
    setTimeout(() => process.exit(0), SHUTDOWN_DEADLINE_MS + 5_000).unref();
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}
