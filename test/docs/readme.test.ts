/**
 * The README agrees with the service: its error table is the one the code defines (codes, their
 * HTTP status, when each is answered), and its API table names every path the OpenAPI document
 * describes.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { PACKAGE_ROOT } from '../../src/config/env.js';
import { ERROR_CODES, ERROR_MEANINGS } from '../../src/errors.js';
import { HTTP_STATUS } from '../../src/http/errors.js';
import { startTestService } from '../helpers/service.js';

const readme = readFileSync(join(PACKAGE_ROOT, 'README.md'), 'utf8');

export const errorTableRows = (): string[] => ERROR_CODES.map((code) => `| \`${code}\` | ${HTTP_STATUS[code]} | ${ERROR_MEANINGS[code]} |`);

describe('README', () => {
  it('has the error table the code defines, every code once, in order', () => {
    const start = readme.indexOf('| code | status | when |');
    expect(start).toBeGreaterThan(0);
    const after = readme.slice(start).split('\n').slice(2);
    const rows = after.slice(0, after.findIndex((l) => !l.startsWith('|')));
    expect(rows).toEqual(errorTableRows());
  });

  it('names every path of the OpenAPI document', async () => {
    const service = startTestService();
    const doc = (await request(service.app).get('/openapi.json')).body as { paths: Record<string, unknown> };
    const missing = Object.keys(doc.paths).filter((path) => !readme.includes(path));
    expect(missing).toEqual([]);
    await service.close();
  });
});
