/**
 * The contract (src/http/contract.ts) and its binding (src/http/bind.ts): the audited act of an
 * unauthenticated call is found by matching paths exactly as express routes them; a response
 * that does not match its schema is a 500, logged, never sent; a path's operations are bound
 * together; the console takes its types from the contract and ships no schema.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import express, { Router } from 'express';
import request from 'supertest';
import { bind, jsonText } from '../../src/http/bind.js';
import { API, auditedActOf, pathMatcher, type Operation } from '../../src/http/contract.js';
import { errorHandler } from '../../src/http/errors.js';
import { bearer, startTestService, type TestService } from '../helpers/service.js';

const ID = 'AAAAAAAAAAAAAAAAAAAAAA';
const concrete = (path: string): string => path.replace(':id', ID);

describe('the audited act of an unauthenticated call', () => {
  let service: TestService;
  beforeAll(() => {
    service = startTestService();
  });
  afterAll(() => rmSync(service.dir, { recursive: true, force: true }));

  const operations = Object.entries(API as Record<string, Operation>);

  it('when each path of the table is written as express also routes it (any case, one trailing slash) or as it does not, then the table matches exactly when express routes it', async () => {
    const inTable = (url: string): boolean => operations.some(([, o]) => pathMatcher(o.path).test(url));
    const seen = new Set<boolean>();
    for (const [, op] of operations.filter(([, o]) => o.path.startsWith('/v1/'))) {
      const path = concrete(op.path);
      for (const url of [
        path,
        path.toUpperCase(),
        `${path}/`,
        `${path}//`,
        `${path}/x`,
        `${path}x`,
        path.replace('/v1/', '/v1//'),
      ]) {
        // Routed is anything but the edge's own 404 (a request not found is routed).
        const res = await request(service.app)[op.method](url).set('Authorization', bearer('auditor'));
        expect({ url, routed: res.body.error?.message !== 'no such route' }).toEqual({ url, routed: inTable(url) });
        seen.add(inTable(url));
      }
    }
    expect([...seen].sort()).toEqual([false, true]);
  });

  it('names the audited acts of the table and nothing else', () => {
    expect(operations.filter(([, o]) => o.audited).map(([n, o]) => `${n}:${o.audited}`)).toEqual([
      'reverse:reverse',
      'translate:translate',
      'readRequest:release',
      'approve:approve',
      'deny:deny',
      'approveReverse:approve',
      'denyReverse:deny',
      'collectReverse:release',
    ]);
    expect(auditedActOf('/v1/requests')).toBeUndefined();
    expect(auditedActOf('/v1/tokens')).toBeUndefined();
    expect(auditedActOf(`/V1/REVERSE/requests/${ID}/`)).toBe('release');
  });

  it('when a call without a key attempts a decision on a path written in another case with a trailing slash, then the refusal is recorded under that act', async () => {
    expect((await request(service.app).post(`/V1/Requests/${ID}/Deny/`)).status).toBe(401);
    expect((await request(service.app).get('/v1/requests')).status).toBe(401);
    const read = await request(service.app)
      .get('/v1/audit?outcome=unauthenticated')
      .set('Authorization', bearer('auditor'));
    expect(read.body.records.map((r: { act: string }) => r.act)).toEqual(['deny']);
  });
});

describe('bind', () => {
  /** An app with the given bindings, a log that keeps what it is told, and the error edge. */
  function appOf(router: Router): { app: express.Express; logged: unknown[] } {
    const logged: unknown[] = [];
    const app = express();
    app.use((req, _res, next) => {
      (req as unknown as { log: unknown }).log = { error: (o: unknown) => void logged.push(o) };
      next();
    });
    app.use(router);
    app.use(errorHandler);
    return { app, logged };
  }

  it('when a handler answers a body its schema refuses, then 500 internal is sent, the mismatch logged by path, and nothing of the body', async () => {
    const { app, logged } = appOf(bind(Router(), { health: () => ({ status: 'AB123456' }) as never }));
    const res = await request(app).get('/healthz');
    expect(res.status).toBe(500);
    expect(res.body).toEqual({ error: { code: 'internal', message: 'internal error' } });
    expect(JSON.stringify(logged)).not.toContain('AB123456');
    expect((logged[0] as { err: Error }).err.message).toMatch(
      /^health 200: the response does not match its schema \(status: /,
    );
  });

  it('when a handler answers a status its contract does not list, or pre-serialised JSON its schema refuses, then 500', async () => {
    const { app } = appOf(
      bind(Router(), {
        ready: () => ({ status: 418, body: {} }) as never,
        health: () => jsonText('{"status":"down"}'),
      }),
    );
    expect((await request(app).get('/readyz')).status).toBe(500);
    expect((await request(app).get('/healthz')).status).toBe(500);
  });

  it('when a path is asked another method, then 405 with Allow from the table; HEAD only where the table allows it', async () => {
    const { app } = appOf(
      bind(Router(), {
        health: () => ({ status: 'ok' }),
        verifyAudit: () => ({}) as never,
        verifyCheckpoints: () => ({}) as never,
      }),
    );
    const put = await request(app).put('/healthz');
    expect([put.status, put.headers.allow]).toEqual([405, 'GET, HEAD']);
    expect((await request(app).head('/healthz')).status).toBe(200);
    const head = await request(app).head('/v1/audit/verify');
    expect([head.status, head.headers.allow]).toEqual([405, 'GET, POST']);
  });

  it("when only some of a path's operations are bound together, then binding fails at start (the path's 405 would hide the others)", () => {
    expect(() => bind(Router(), { verifyAudit: () => ({}) as never })).toThrow(
      /bind verifyCheckpoints with the other operations of \/v1\/audit\/verify/,
    );
  });

  it('when params or a query break their schema, then 400 invalid_request naming the field, never its value', async () => {
    const { app } = appOf(bind(Router(), { readRequest: () => ({}) as never }));
    const res = await request(app).get('/v1/requests/AB123456');
    expect(res.status).toBe(400);
    expect(res.body.error).toEqual({ code: 'invalid_request', message: 'id: malformed request id' });
  });
});

describe("the console's types", () => {
  it('come from the contract by a type-only import: console/src/api.ts declares no answer of its own', () => {
    const source = readFileSync(join(process.cwd(), 'console', 'src', 'api.ts'), 'utf8');
    expect(source).toMatch(/^import type \{ Reply \} from '\.\.\/\.\.\/src\/http\/contract\.js';$/m);
    expect(source).not.toMatch(/^export interface /m);
  });

  it('leave nothing in the built bundle: no schema, no zod', () => {
    const bundle = join(process.cwd(), 'dist', 'console', 'app.js');
    expect(existsSync(bundle)).toBe(true);
    const text = readFileSync(bundle, 'utf8');
    expect(text).not.toMatch(/_zod|ZodError|DualControlRequest/);
  });
});
