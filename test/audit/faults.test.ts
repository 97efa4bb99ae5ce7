/**
 * Real faults under the audit log (SPEC "Audit"): a full file system, an unwritable directory and
 * fsync failing with EIO. Each time audited acts answer 503 audit_unavailable and reveal nothing,
 * refusals too; tokenization goes on; readiness says so; and the failure is final until restart.
 *
 * Mounting needs root (CAP_SYS_ADMIN) and the EIO shim needs gcc: without them those tests fail
 * (CI runs as root, and .ci/run installs gcc), so a missing fault test cannot pass unnoticed.
 */
import { spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import request from 'supertest';
import type { Express } from 'express';
import type { AuditRecord } from '../../src/audit/chain/record.js';
import { verifyAudit } from '../../src/audit/chain/verify.js';
import { parseKek } from '../../src/keys/seal.js';
import { openKeyringFile } from '../../src/keys/store.js';
import { createLogger } from '../../src/log.js';
import { createService, type Service } from '../../src/service.js';
import { startServer, stopServer } from '../helpers/cli.js';
import { bearer, startTestService, type TestService } from '../helpers/service.js';
import { devKeyring } from '../helpers/devKeyring.js';
import { fill, tmpfsMounts } from './tmpfs.js';

const NATIONAL_ID = 'FS424242';
const reverseBody = (token: string) => ({
  sector: 'tax',
  token,
  legalBasis: 'LOI-09-08-ART-4',
  caseId: 'CASE-FAULT-1',
  purpose: 'fault injection test',
});

const tempDirs: string[] = [];
const mounts = tmpfsMounts();
const services: Service[] = [];
const children: ChildProcess[] = [];

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sectoken-audit-faults-'));
  tempDirs.push(dir);
  return dir;
}

afterAll(async () => {
  for (const child of children) await stopServer(child).catch(() => undefined);
  for (const service of services) await service.close().catch(() => undefined);
  mounts.unmountAll();
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

async function tokenOf(app: Express): Promise<string> {
  const res = await request(app)
    .post('/v1/tokens')
    .set('Authorization', bearer('tax-backend'))
    .send({ sector: 'tax', nationalId: NATIONAL_ID });
  expect(res.status).toBe(200);
  return res.body.token as string;
}

const reverse = (app: Express, token: string, client: string | null = 'regulator-cndp') => {
  const r = request(app).post('/v1/reverse').send(reverseBody(token));
  return client ? r.set('Authorization', bearer(client)) : r;
};

/** A 503 audit_unavailable that reveals nothing. */
function expectUnavailable(res: { status: number; text: string; body: { error?: { code?: string } } }): void {
  expect(res.status).toBe(503);
  expect(res.body.error?.code).toBe('audit_unavailable');
  expect(res.text).not.toContain(NATIONAL_ID);
  expect(res.text).not.toMatch(/nationalId/);
}

/** What every failed-audit service must show: tokens 200, audited acts 503 (refusals too), readyz 503. */
async function expectAuditDown(app: Express, token: string): Promise<void> {
  expectUnavailable(await reverse(app, token));
  // (d) a refusal must be recorded too: when it cannot be, 503 rather than the refusal.
  expectUnavailable(await reverse(app, token, 'tax-backend'));
  expectUnavailable(await reverse(app, token, 'auditor'));
  const tokens = await request(app)
    .post('/v1/tokens')
    .set('Authorization', bearer('tax-backend'))
    .send({ sector: 'tax', nationalId: 'AB123456' });
  expect(tokens.status).toBe(200);
  expect(typeof tokens.body.token).toBe('string');
  const ready = await request(app).get('/readyz');
  expect(ready.status).toBe(503);
  expect(ready.body).toMatchObject({ status: 'not_ready', checks: { audit: 'unavailable' } });
  expect((await request(app).get('/healthz')).status).toBe(200);
}

describe('(a) a full file system under the audit directory', () => {
  const dir = tempDir();
  const cannotMount = mounts.mount(join(dir, 'audit'), 'size=1m,mode=0700');
  let service: TestService;

  beforeAll(() => {
    if (cannotMount) return;
    // No free-space floor here: a 1 MiB file system is below any real one (tested on its own).
    service = startTestService({ dir, settings: { auditMinFreeMb: 0 } });
    services.push(service);
  });

  it('when the disk fills up, then the first record that does not fit fails the log for good, answers 503 and reveals nothing', async () => {
    if (cannotMount) throw new Error(cannotMount);
    expect(service.settings.auditDir).toBe(join(dir, 'audit'));
    const token = await tokenOf(service.app);
    const first = await reverse(service.app, token);
    expect(first.status).toBe(200);
    expect(first.body.nationalId).toBe(NATIONAL_ID);
    expect((await request(service.app).get('/readyz')).status).toBe(200);

    const filler = join(service.settings.auditDir, 'filler');
    fill(filler);
    // tmpfs allocates whole pages: a few records may still fit in the audit file's last page.
    const answers = [first];
    for (let i = 0; i < 40 && answers.at(-1)!.status === 200; i++) answers.push(await reverse(service.app, token));
    const statuses = answers.map((a) => a.status);
    const firstFailure = statuses.indexOf(503);
    expect(firstFailure).toBeGreaterThan(0);
    expectUnavailable(answers[firstFailure]!);
    expect(statuses.slice(0, firstFailure).every((s) => s === 200)).toBe(true);
    const okIds = answers.slice(0, firstFailure).map((a) => a.body.auditId as string);

    // Every answered reverse has its complete record on disk; the failed batch was cut back off, so
    // while the service still runs the file ends on a complete record and verifies.
    const text = readFileSync(join(service.settings.auditDir, 'audit-test-instance.jsonl'), 'utf8');
    expect(text).not.toContain(NATIONAL_ID);
    expect(text.endsWith('\n')).toBe(true);
    const complete = text
      .split('\n')
      .slice(0, -1)
      .map((l) => JSON.parse(l) as AuditRecord);
    expect(complete.map((r) => r.id)).toEqual(okIds);
    const live = await request(service.app).get('/v1/audit/verify').set('Authorization', bearer('auditor'));
    expect(live.body).toMatchObject({
      ok: true,
      files: [{ records: okIds.length }],
      live: { ok: true, writable: false, head: { size: okIds.length } },
    });

    await expectAuditDown(service.app, token);
    // The checkpoint claims only durable records.
    const cp = await request(service.app).get('/v1/audit/checkpoint').set('Authorization', bearer('auditor'));
    expect(cp.status).toBe(200);
    expect(cp.body.size).toBe(okIds.length);
    expect(service.logs()).toContain('audit log failed');
    expect(service.logs()).toContain('ENOSPC');

    // Space comes back: the log stays failed (no retry into success) until restart.
    unlinkSync(filler);
    expectUnavailable(await reverse(service.app, token));
    expect((await request(service.app).get('/readyz')).status).toBe(503);
    expect(service.audit.writable()).toBe(false);

    // Restart: the cut line is dropped and the chain continues, verifiable with the same key.
    await service.close();
    const restarted = createService(service.settings, createLogger('silent'));
    services.push(restarted);
    const again = await reverse(restarted.app, token);
    expect(again.status).toBe(200);
    expect(again.body.auditId).toBe(`test-instance:${okIds.length + 1}`);
    expect((await request(restarted.app).get('/readyz')).status).toBe(200);
    const macKey = openKeyringFile(service.settings.keyringPath, parseKek(service.settings.kek!, 'test KEK')).auditMac;
    const name = 'audit-test-instance.jsonl';
    const report = verifyAudit([{ name, text: readFileSync(join(service.settings.auditDir, name), 'utf8') }], {
      macKey,
    });
    expect(report.ok).toBe(true);
    expect(report.files[0]!.records).toBe(okIds.length + 1);
  });
});

/**
 * Like startTestService, with the audit directory wherever the test wants it: the settings (config,
 * keyring, KEK) are the helper's own, only auditDir changes. Log lines are kept for checks.
 */
async function startWithAuditDir(dir: string, auditDir: string): Promise<Service & { logs: () => string }> {
  const base = startTestService({ dir });
  await base.close();
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString('utf8'));
      done();
    },
  });
  const service = createService({ ...base.settings, auditDir }, createLogger('info', sink));
  services.push(service);
  return { ...service, logs: () => lines.join('') };
}

describe('(b) an unwritable audit directory', () => {
  const roDir = tempDir();
  const cannotMount = mounts.mount(join(roDir, 'audit'), 'ro,size=1m');

  it('when the audit directory is on a read-only file system, then the service refuses to start, naming SECTOKEN_AUDIT_DIR', async () => {
    if (cannotMount) throw new Error(cannotMount);
    await expect(startWithAuditDir(roDir, join(roDir, 'audit'))).rejects.toThrow(
      /audit directory .* cannot hold the audit log \(read-only file system, EROFS\): set SECTOKEN_AUDIT_DIR/,
    );
    expect(existsSync(join(roDir, 'audit', 'audit-test-instance.jsonl'))).toBe(false);
  });

  it('when the audit directory cannot exist (its parent is a regular file), then the service refuses to start, naming SECTOKEN_AUDIT_DIR', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'not-a-dir'), 'x');
    await expect(startWithAuditDir(dir, join(dir, 'not-a-dir', 'audit'))).rejects.toThrow(
      /cannot hold the audit log \(not a directory, (ENOTDIR|EEXIST)\): set SECTOKEN_AUDIT_DIR/,
    );
  });
});

describe('(d) refusals while the audit log is failed', () => {
  it('when a caller would be refused (forbidden, out of scope, no basis, unauthenticated, unknown request), then it gets 503, not the refusal', async () => {
    const dir = tempDir();
    const service = await startWithAuditDir(dir, join(dir, 'audit'));
    // The file deleted behind the running log: every audited act is refused from then on.
    unlinkSync(service.audit.path);
    const token = await tokenOf(service.app);
    const post = (path: string, client: string | null, payload: object) => {
      const r = request(service.app).post(path).send(payload);
      return client ? r.set('Authorization', bearer(client)) : r;
    };
    const cases: [string, string | null, object][] = [
      ['/v1/reverse', 'tax-backend', reverseBody(token)],
      ['/v1/reverse', 'auditor', reverseBody(token)],
      ['/v1/reverse', 'regulator-health', reverseBody(token)],
      ['/v1/reverse', 'regulator-cndp', { ...reverseBody(token), legalBasis: 'CSS-FRAUD-2026' }],
      ['/v1/reverse', 'regulator-cndp', { sector: 'tax', token, caseId: 'CASE-FAULT-1', purpose: 'no basis' }],
      ['/v1/reverse', null, reverseBody(token)],
      [
        '/v1/translate',
        'tax-backend',
        {
          fromSector: 'tax',
          token,
          toSector: 'social',
          legalBasis: 'CSS-FRAUD-2026',
          caseId: 'CASE-FAULT-1',
          purpose: 'refused',
        },
      ],
      ['/v1/reverse/requests/AAAAAAAAAAAAAAAAAAAAAA/approve', 'regulator-health', {}],
    ];
    for (const [path, client, payload] of cases) {
      const res = await post(path, client, payload);
      expect({ path, client, status: res.status, code: res.body.error?.code }).toEqual({
        path,
        client,
        status: 503,
        code: 'audit_unavailable',
      });
      expect(res.text).not.toContain(NATIONAL_ID);
    }
    // Not audited, so not blocked: a malformed request is still 400 and tokenization still works.
    expect((await post('/v1/reverse', 'regulator-cndp', { sector: 'tax' })).status).toBe(400);
    expect((await post('/v1/tokens', 'tax-backend', { sector: 'tax', nationalId: 'AB1' })).status).toBe(200);
  });
});

const SHIM = `
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

/* fsync and fdatasync fail with EIO while the file named by SECTOKEN_TEST_FSYNC_FAIL exists. */
static int failing(void) {
  const char *marker = getenv("SECTOKEN_TEST_FSYNC_FAIL");
  return marker != NULL && access(marker, F_OK) == 0;
}

int fdatasync(int fd) {
  static int (*real)(int) = NULL;
  if (failing()) { errno = EIO; return -1; }
  if (real == NULL) real = (int (*)(int))dlsym(RTLD_NEXT, "fdatasync");
  return real(fd);
}

int fsync(int fd) {
  static int (*real)(int) = NULL;
  if (failing()) { errno = EIO; return -1; }
  if (real == NULL) real = (int (*)(int))dlsym(RTLD_NEXT, "fsync");
  return real(fd);
}
`;

/** Compiles the shim; the reason it could not (no gcc) as an Error instead, for the test to throw. */
function buildShim(dir: string): string | Error {
  const source = join(dir, 'eio-shim.c');
  const library = join(dir, 'eio-shim.so');
  writeFileSync(source, SHIM);
  const result = spawnSync('gcc', ['-shared', '-fPIC', '-O1', '-o', library, source, '-ldl'], { encoding: 'utf8' });
  if (result.status === 0 && existsSync(library)) return library;
  return new Error(
    `cannot build the EIO shim with gcc (${(result.stderr || result.error?.message || '').trim() || `exit ${result.status}`}): this test needs gcc (.ci/run installs it)`,
  );
}

describe('(c) fsync failing with EIO (LD_PRELOAD shim, built server)', () => {
  const dir = tempDir();
  const shim = buildShim(dir);

  it('when fdatasync fails, then reverse is 503 from then on, even once fsync works again; tokenize goes on', async () => {
    if (shim instanceof Error) throw shim;
    const marker = join(dir, 'fail-fsync');
    const auditDir = join(dir, 'audit');
    const server = await startServer({
      LD_PRELOAD: shim,
      SECTOKEN_TEST_FSYNC_FAIL: marker,
      SECTOKEN_AUDIT_DIR: auditDir,
      SECTOKEN_KEYRING: devKeyring(join(dir, 'keyring.json')),
      SECTOKEN_INSTANCE_ID: 'eio-instance',
      // libuv may otherwise hand fdatasync to io_uring, bypassing the libc call the shim replaces.
      UV_USE_IO_URING: '0',
    });
    children.push(server.child);
    const call = async (path: string, client: string | null, payload?: object) => {
      const res = await fetch(server.url + path, {
        method: payload ? 'POST' : 'GET',
        headers: {
          ...(client ? { Authorization: bearer(client) } : {}),
          ...(payload ? { 'Content-Type': 'application/json' } : {}),
        },
        ...(payload ? { body: JSON.stringify(payload) } : {}),
      });
      const text = await res.text();
      return {
        status: res.status,
        text,
        body: JSON.parse(text) as Record<string, unknown> & { error?: { code?: string } },
      };
    };
    const tokenize = async () => {
      const res = await call('/v1/tokens', 'tax-backend', { sector: 'tax', nationalId: NATIONAL_ID });
      expect(res.status).toBe(200);
      return res.body.token as string;
    };

    const token = await tokenize();
    const before = await call('/v1/reverse', 'regulator-cndp', reverseBody(token));
    expect(before.status).toBe(200);
    expect(before.body.nationalId).toBe(NATIONAL_ID);
    expect((await call('/readyz', null)).status).toBe(200);

    writeFileSync(marker, '');
    const during = await call('/v1/reverse', 'regulator-cndp', reverseBody(token));
    expectUnavailable(during);
    expect(await tokenize()).toBe(token);
    expectUnavailable(await call('/v1/reverse', 'tax-backend', reverseBody(token)));
    const ready = await call('/readyz', null);
    expect(ready.status).toBe(503);
    expect(ready.body).toMatchObject({ checks: { audit: 'unavailable' } });

    unlinkSync(marker);
    const after = await call('/v1/reverse', 'regulator-cndp', reverseBody(token));
    expectUnavailable(after);
    expect((await call('/readyz', null)).status).toBe(503);
    expect(await tokenize()).toBe(token);
    // The checkpoint claims only the record whose fsync succeeded.
    const cp = await call('/v1/audit/checkpoint', 'auditor');
    expect(cp.status).toBe(200);
    expect(cp.body).toMatchObject({ instance: 'eio-instance', size: 1 });

    expect(server.output()).toMatch(/audit log failed/);
    expect(server.output()).toContain('EIO');
    expect(server.output()).not.toContain(NATIONAL_ID);
    const text = readFileSync(join(auditDir, 'audit-eio-instance.jsonl'), 'utf8');
    expect(text).not.toContain(NATIONAL_ID);
  });
});
