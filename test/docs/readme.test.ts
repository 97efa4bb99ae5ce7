/**
 * The README agrees with the service: its error table is the one the code defines (codes, their
 * HTTP status, when each is answered), its settings table is SETTINGS_DOC, its API table names every
 * path the OpenAPI document describes, its layout names every src/ folder, and its configuration
 * example passes the service's validation as pasted.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { PACKAGE_ROOT, SETTINGS_DOC } from '../../src/config/env.js';
import { parseConfig } from '../../src/config/schema.js';
import { ERROR_CODES, ERROR_MEANINGS } from '../../src/errors.js';
import { HTTP_STATUS } from '../../src/http/errors.js';
import { startTestService } from '../helpers/service.js';

const readme = readFileSync(join(PACKAGE_ROOT, 'README.md'), 'utf8');

/** The table rows right after a header line, up to the first line that is not a row. */
function tableAfter(header: string): string[] {
  const start = readme.indexOf(header);
  expect(start).toBeGreaterThan(0);
  const after = readme.slice(start).split('\n').slice(2);
  return after.slice(
    0,
    after.findIndex((l) => !l.startsWith('|')),
  );
}

export const errorTableRows = (): string[] =>
  ERROR_CODES.map((code) => `| \`${code}\` | ${HTTP_STATUS[code]} | ${ERROR_MEANINGS[code]} |`);

describe('README', () => {
  it('has the error table the code defines, every code once, in order', () => {
    expect(tableAfter('| code | status | when |')).toEqual(errorTableRows());
  });

  it('names every path of the OpenAPI document', async () => {
    const service = startTestService();
    const doc = (await request(service.app).get('/openapi.json')).body as { paths: Record<string, unknown> };
    const missing = Object.keys(doc.paths).filter((path) => !readme.includes(path));
    expect(missing).toEqual([]);
    await service.close();
  });

  it('has the settings table SETTINGS_DOC defines (which `serve --help` prints), every variable once, in order', () => {
    expect(tableAfter('| variable | meaning | default |')).toEqual(
      SETTINGS_DOC.map((s) => `| \`${s.env}\` | ${s.doc} | ${s.fallback} |`),
    );
  });

  it('names every src/ folder in the layout list of docs/ARCHITECTURE.md', () => {
    const architecture = readFileSync(join(PACKAGE_ROOT, 'docs', 'ARCHITECTURE.md'), 'utf8');
    const layout = architecture.slice(architecture.indexOf('Layout:'), architecture.indexOf('Tests mirror'));
    const folders = readdirSync(join(PACKAGE_ROOT, 'src')).filter((name) =>
      statSync(join(PACKAGE_ROOT, 'src', name)).isDirectory(),
    );
    expect(folders.length).toBeGreaterThan(5);
    expect(folders.filter((f) => !layout.includes(`src/${f}/`))).toEqual([]);
  });

  it('has a configuration example that passes validation as pasted', () => {
    const at = readme.indexOf('<!-- configuration example -->');
    expect(at).toBeGreaterThan(0);
    const start = readme.indexOf('```json\n', at) + '```json\n'.length;
    const text = readme.slice(start, readme.indexOf('\n```', start));
    const config = parseConfig(JSON.parse(text), 'README.md');
    expect(Object.keys(config.sectors)).toEqual(['health', 'social']);
    expect(config.development).toBe(false);
  });
});
