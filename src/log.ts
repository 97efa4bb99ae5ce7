/**
 * Structured logs (pino). Request logs carry method, path, status, time, request id and client id,
 * never bodies or headers; redaction is a second fence for anything that slips through.
 */
import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger };

export const REDACT_PATHS = [
  'nationalId', '*.nationalId', 'nationalIds', '*.nationalIds',
  'token', '*.token', 'tokens', '*.tokens', 'tni', '*.tni',
  'apiKey', '*.apiKey', 'kek', '*.kek', 'key', '*.key',
  'req.headers.authorization', 'req.headers.cookie', 'headers.authorization',
];

export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options = {
    level,
    base: { service: 'sectoken' },
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return destination ? pino(options, destination) : pino(options);
}
