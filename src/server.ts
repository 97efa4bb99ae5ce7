/** `sectoken serve`: listen, say how to call the service, and close cleanly on SIGINT/SIGTERM. */
import type { AddressInfo } from 'node:net';
import { readSettings } from './config/env.js';
import { createLogger } from './log.js';
import { createService } from './service.js';

export async function serve(): Promise<void> {
  const settings = readSettings();
  const logger = createLogger(settings.logLevel);
  const service = createService(settings, logger);
  for (const notice of service.notices) logger.warn(notice);

  const server = service.app.listen(settings.port, settings.host);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${settings.host.includes(':') ? `[${settings.host}]` : settings.host}:${port}`;
  logger.info({ url, sectors: service.tokenizer().sectorIds(), development: service.development }, 'sectoken listening');
  if (service.development) {
    process.stderr.write(
      `\n  sectoken (DEVELOPMENT keyring and configuration) on ${url}\n  try:\n` +
        `    curl -s ${url}/v1/tokens -H 'Authorization: Bearer stk_dev_hospital-backend' \\\n` +
        `      -H 'Content-Type: application/json' -d '{"sector":"health","nationalId":"AB123456"}'\n\n`,
    );
  }

  // Dual-control requests past their time are closed and audited even if nobody asks about them.
  const sweeper = setInterval(() => {
    service.expireRequests().catch((err: unknown) => logger.error({ err }, 'could not expire reverse requests'));
  }, 15_000);
  sweeper.unref();

  // SIGHUP: pick up a rotated keyring without a restart; a bad keyring keeps the old one.
  process.on('SIGHUP', () => {
    try {
      service.reloadKeys();
      logger.info('keyring reloaded');
    } catch (err) {
      logger.error({ reason: (err as Error).message }, 'keyring reload refused; still serving with the previous keys');
    }
  });

  let closing = false;
  const shutdown = (signal: string): void => {
    if (closing) return;
    closing = true;
    logger.info({ signal }, 'shutting down');
    clearInterval(sweeper);
    server.close(() => {
      void service.close().finally(() => process.exit(0));
    });
    server.closeIdleConnections();
    setTimeout(() => process.exit(0), 10_000).unref();
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}
