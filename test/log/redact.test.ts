/**
 * The logger's redaction (src/log.ts REDACT_PATHS) is a second fence: a national ID, token, TNI or
 * key placed in a log line's object, at the top level or one level down, never reaches the output.
 */
import { Writable } from 'node:stream';
import { createLogger } from '../../src/log.js';

function capture(): { logger: ReturnType<typeof createLogger>; text: () => string } {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString('utf8'));
      done();
    },
  });
  return { logger: createLogger('trace', sink), text: () => lines.join('') };
}

const SECRETS: Record<string, unknown> = {
  nationalId: 'AB123456',
  nationalIds: ['CD654321', 'EF111111'],
  token: '104738291734',
  tokens: ['2Q8F7KX1D4'],
  tni: 987654321,
  apiKey: 'stk_dev_hospital-backend',
  kek: '00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff',
  key: 'c2VjcmV0LWtleS1ieXRlcy1oZXJlLTMyYnl0ZXMhISE',
};
const shown = (value: unknown): string[] => (Array.isArray(value) ? value.map(String) : [String(value)]);

describe('log redaction', () => {
  it.each(Object.keys(SECRETS))(
    'when "%s" is logged at the top level or one level down, then its value is [redacted]',
    (field) => {
      const { logger, text } = capture();
      logger.info({ [field]: SECRETS[field] }, 'top');
      logger.warn({ body: { [field]: SECRETS[field] } }, 'nested');
      logger.error({ err: { [field]: SECRETS[field] } }, 'error');
      const out = text();
      expect(out.split('\n').filter(Boolean)).toHaveLength(3);
      for (const value of shown(SECRETS[field])) expect(out).not.toContain(value);
      expect(out.match(/\[redacted\]/g)).toHaveLength(3);
    },
  );

  it('when an Authorization header is logged with a request, then it is [redacted]', () => {
    const { logger, text } = capture();
    logger.info({ req: { headers: { authorization: 'Bearer stk_dev_hospital-backend', cookie: 'sid=1' } } }, 'req');
    expect(text()).not.toContain('stk_dev_hospital-backend');
    expect(text()).not.toContain('sid=1');
  });
});
