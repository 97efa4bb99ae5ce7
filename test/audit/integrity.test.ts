/**
 * Audit integrity against what an operator or intruder can do to the files (issue 9, items 8–12):
 * delete, replace or cut the live file; start a second writer; restart over a deleted or cut
 * file; keep a rewritten copy beside the original. Through HTTP on real files, and the built CLI.
 */
import { randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  truncateSync,
  unlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import request from 'supertest';
import type { Express } from 'express';
import { acquireChainLock, lockFileName } from '../../src/audit/writer/lock.js';
import { auditFileName } from '../../src/audit/chain/files.js';
import { openAuditLog } from '../../src/audit/writer/log.js';
import { markerFileName } from '../../src/audit/writer/marker.js';
import { body, chainHash, chainMac, type AuditRecord } from '../../src/audit/chain/record.js';
import { AuditStartError } from '../../src/audit/writer/startError.js';
import { verifyAudit } from '../../src/audit/chain/verify.js';
import { parseKek } from '../../src/keys/seal.js';
import { openKeyringFile } from '../../src/keys/store.js';
import { createLogger } from '../../src/log.js';
import { createService, type Service } from '../../src/service.js';
import { runCli, startServer, stopServer } from '../helpers/cli.js';
import { bearer, startTestService, type TestService } from '../helpers/service.js';
import { devKeyring } from '../helpers/devKeyring.js';

const NAME = auditFileName('test-instance');
const services: Service[] = [];
const scratch: string[] = [];
const silent = createLogger('silent');

afterAll(async () => {
  for (const s of services) await s.close().catch(() => undefined);
  for (const d of scratch) rmSync(d, { recursive: true, force: true });
});

function start(options: Parameters<typeof startTestService>[0] = {}): TestService {
  const service = startTestService(options);
  services.push(service);
  scratch.push(service.dir);
  return service;
}

function restart(service: TestService): Service {
  const again = createService(service.settings, silent);
  services.push(again);
  return again;
}

const auditPath = (service: TestService): string => join(service.settings.auditDir, NAME);
const macKeyOf = (service: TestService): Uint8Array =>
  openKeyringFile(service.settings.keyringPath, parseKek(service.settings.kek!, 'test KEK')).auditMac;

async function reverse(app: Express): Promise<request.Response> {
  const tokenRes = await request(app)
    .post('/v1/tokens')
    .set('Authorization', bearer('tax-backend'))
    .send({ sector: 'tax', nationalId: 'AB123456' });
  expect(tokenRes.status).toBe(200);
  return request(app).post('/v1/reverse').set('Authorization', bearer('regulator-cndp')).send({
    sector: 'tax',
    token: tokenRes.body.token,
    legalBasis: 'LOI-09-08-ART-4',
    caseId: 'CASE-INTEGRITY',
    purpose: 'integrity test',
  });
}

async function expectAuditRefused(app: Express): Promise<void> {
  const res = await reverse(app);
  expect(res.status).toBe(503);
  expect(res.body.error.code).toBe('audit_unavailable');
  expect(res.text).not.toContain('AB123456');
  const ready = await request(app).get('/readyz');
  expect(ready.status).toBe(503);
  expect(ready.body.checks.audit).toBe('unavailable');
}

/** The AuditStartError createService throws, checked to be one line. */
function startRefusal(run: () => unknown): string {
  let caught: unknown;
  try {
    run();
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(AuditStartError);
  const message = (caught as Error).message;
  expect(message).not.toContain('\n');
  return message;
}

describe('(8) a deleted, replaced or cut audit file is noticed while running', () => {
  it.each([
    ['deleted', (path: string) => unlinkSync(path)],
    [
      'replaced by another file',
      (path: string) => {
        writeFileSync(`${path}.new`, readFileSync(path));
        renameSync(`${path}.new`, path);
      },
    ],
    ['cut short', (path: string) => truncateSync(path, 10)],
    ['appended to by someone else', (path: string) => writeFileSync(path, '{"forged":true}\n', { flag: 'a' })],
    [
      'left in place but its head marker deleted',
      (path: string) => unlinkSync(join(dirname(path), markerFileName('test-instance'))),
    ],
  ])(
    'when the file is %s, then the next reverse is 503, /readyz 503, and nothing is written into the void',
    async (_what, tamper) => {
      const service = start();
      expect((await reverse(service.app)).status).toBe(200);
      expect((await request(service.app).get('/readyz')).status).toBe(200);
      tamper(auditPath(service));
      await expectAuditRefused(service.app);
      // Final: the same answer later, and tokenization goes on.
      await expectAuditRefused(service.app);
      expect(service.logs()).toContain('EAUDITCHANGED');
    },
  );

  it('when the file is deleted, then /readyz alone notices it (before any audited act)', async () => {
    const service = start();
    expect((await reverse(service.app)).status).toBe(200);
    unlinkSync(auditPath(service));
    const ready = await request(service.app).get('/readyz');
    expect(ready.status).toBe(503);
    expect(ready.body.checks.audit).toBe('unavailable');
    expect(existsSync(auditPath(service))).toBe(false);
  });
});

describe('(8) a new chain never starts where one existed', () => {
  it('when the file was deleted while stopped, then the service refuses to start with a one-line reason; restoring it lets it start and continue', async () => {
    const service = start();
    expect((await reverse(service.app)).status).toBe(200);
    expect((await reverse(service.app)).body.auditId).toBe('test-instance:2');
    await service.close();
    const saved = readFileSync(auditPath(service));
    unlinkSync(auditPath(service));
    expect(startRefusal(() => restart(service))).toMatch(
      /audit log audit-test-instance\.jsonl is missing.*head marker records 2 records/,
    );

    writeFileSync(auditPath(service), saved, { mode: 0o600 });
    const again = restart(service);
    const res = await reverse(again.app);
    expect(res.status).toBe(200);
    expect(res.body.auditId).toBe('test-instance:3');
  });

  it('when the file was cut or replaced by another chain while stopped, then the service refuses to start', async () => {
    const service = start();
    for (let i = 0; i < 3; i++) expect((await reverse(service.app)).status).toBe(200);
    await service.close();
    const saved = readFileSync(auditPath(service), 'utf8');
    const lines = saved.split('\n').filter(Boolean);

    writeFileSync(
      auditPath(service),
      lines
        .slice(0, 2)
        .map((l) => `${l}\n`)
        .join(''),
    );
    expect(startRefusal(() => restart(service))).toMatch(/is shorter than it was/);

    // Same length, another chain: a record rewritten (with the MAC key) in place of the last.
    const macKey = macKeyOf(service);
    const last = JSON.parse(lines[2]!) as AuditRecord;
    const forged = { ...last, caseId: 'CASE-INTEGRITZ' };
    const hash = chainHash(body(forged));
    writeFileSync(
      auditPath(service),
      [...lines.slice(0, 2), JSON.stringify({ ...JSON.parse(body(forged)), hash, mac: chainMac(macKey, hash) })]
        .map((l) => `${l}\n`)
        .join(''),
    );
    expect(readFileSync(auditPath(service), 'utf8').length).toBe(saved.length);
    expect(startRefusal(() => restart(service))).toMatch(/was replaced or rewritten/);

    // A head marker that is not the keyring's (or was edited) is refused too.
    writeFileSync(auditPath(service), saved);
    const markerPath = join(service.settings.auditDir, markerFileName('test-instance'));
    const marker = JSON.parse(readFileSync(markerPath, 'utf8')) as { seq: number };
    writeFileSync(markerPath, JSON.stringify({ ...marker, seq: 1 }));
    expect(startRefusal(() => restart(service))).toMatch(
      /head marker .* is damaged or was not written by this keyring/,
    );
  });

  it('when the built server restarts over a deleted file, then it exits 1 with one line on stderr', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sectoken-integrity-cli-'));
    scratch.push(dir);
    const env = {
      SECTOKEN_AUDIT_DIR: join(dir, 'audit'),
      SECTOKEN_KEYRING: devKeyring(join(dir, 'keyring.json')),
      SECTOKEN_INSTANCE_ID: 'cli-instance',
    };
    const server = await startServer(env);
    try {
      const res = await fetch(`${server.url}/v1/reverse`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: '{}',
      });
      expect(res.status).toBe(401); // an unauthenticated refusal: record 1
    } finally {
      await stopServer(server.child);
    }
    unlinkSync(join(dir, 'audit', auditFileName('cli-instance')));
    const refused = runCli(['serve'], { ...env, PORT: '0' });
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/^sectoken: the audit log audit-cli-instance\.jsonl is missing[^\n]*\n$/);
  });
});

describe('(9) one process per chain', () => {
  it('when a second service starts on the same directory and instance, then it refuses with a one-line reason; once the first closes, it starts', async () => {
    const first = start();
    expect((await reverse(first.app)).status).toBe(200);
    expect(startRefusal(() => restart(first))).toMatch(new RegExp(`already written by process ${process.pid} on host`));
    // Another instance id in the same directory is another chain: fine.
    services.push(createService({ ...first.settings, instanceId: 'other-instance' }, silent));
    await first.close();
    const second = restart(first);
    expect((await reverse(second.app)).body.auditId).toBe('test-instance:2');
  });

  it('when the lock was left by a process that is gone, then it is taken over', async () => {
    const service = start();
    const lockPath = join(service.settings.auditDir, lockFileName('test-instance'));
    const holder = JSON.parse(readFileSync(lockPath, 'utf8')) as { pid: number };
    expect(holder.pid).toBe(process.pid);
    await service.close();
    expect(existsSync(lockPath)).toBe(false);
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    writeFileSync(lockPath, JSON.stringify({ ...holder, pid: Number(gone.stdout) }));
    const again = restart(service);
    expect((await reverse(again.app)).status).toBe(200);
  });

  it('when the holder cannot be checked (another PID namespace), then its lease decides', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sectoken-integrity-lock-'));
    scratch.push(dir);
    const lock = acquireChainLock(dir, 'x');
    const held = JSON.parse(readFileSync(lock.path, 'utf8')) as Record<string, unknown>;
    lock.release();
    writeFileSync(lock.path, JSON.stringify({ ...held, pid: 1, pidNs: 'pid:[1]' }));
    expect(() => acquireChainLock(dir, 'x')).toThrow(/lease renewed 0 s ago/);
    const old = new Date(Date.now() - 60_000);
    utimesSync(lock.path, old, old);
    const taken = acquireChainLock(dir, 'x');
    expect(taken.held()).toBe(true);
    taken.release();
  });

  it('when a second built server starts on the same chain, then it exits 1 with one line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sectoken-integrity-cli-'));
    scratch.push(dir);
    const env = {
      SECTOKEN_AUDIT_DIR: join(dir, 'audit'),
      SECTOKEN_KEYRING: devKeyring(join(dir, 'keyring.json')),
      SECTOKEN_INSTANCE_ID: 'twice',
    };
    const server = await startServer(env);
    try {
      const second = runCli(['serve'], { ...env, PORT: '0' });
      expect(second.status).toBe(1);
      expect(second.stderr).toMatch(
        /^sectoken: the audit chain of instance twice is already written by process \d+ [^\n]*\n$/,
      );
    } finally {
      await stopServer(server.child);
    }
  });
});

describe('(11) the verifier binds one chain to one instance and its file name', () => {
  let service: TestService;
  let text: string;
  beforeAll(async () => {
    service = start();
    for (let i = 0; i < 3; i++) expect((await reverse(service.app)).status).toBe(200);
    text = readFileSync(auditPath(service), 'utf8');
  });

  it('when two files hold a chain of one instance, then both are refused (and a checkpoint of that instance fails)', async () => {
    const cp = (await request(service.app).get('/v1/audit/checkpoint').set('Authorization', bearer('auditor'))).body;
    const macKey = macKeyOf(service);
    expect(verifyAudit([{ name: NAME, text }], { macKey, checkpoints: [cp] }).ok).toBe(true);
    const report = verifyAudit(
      [
        { name: NAME, text },
        { name: NAME, text },
      ],
      { macKey, checkpoints: [cp] },
    );
    expect(report.ok).toBe(false);
    expect(report.problems).toEqual([expect.stringContaining('2 files hold a chain of instance test-instance')]);
    expect(report.checkpoints[0]).toMatchObject({ ok: false, reason: 'several logs of this instance were given' });
  });

  it('when a file is named for another instance, or not named audit-<instance>.jsonl, then it is refused', () => {
    const misnamed = verifyAudit([{ name: 'audit-other.jsonl', text }]);
    expect(misnamed.ok).toBe(false);
    expect(misnamed.files[0]).toMatchObject({
      instance: 'other',
      records: 0,
      firstBad: { line: 1, reason: expect.stringContaining('in the file of instance other') },
    });
    const unnamed = verifyAudit([{ name: 'copy.jsonl', text }]);
    expect(unnamed.ok).toBe(false);
    expect(unnamed.problems).toEqual([expect.stringContaining('copy.jsonl: not named audit-<instance>.jsonl')]);
  });

  it('when the CLI is given a rewritten copy beside the original, then exit 2 and it says why', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sectoken-integrity-verify-'));
    scratch.push(dir);
    for (const sub of ['a', 'b']) {
      mkdirSync(join(dir, sub));
      writeFileSync(join(dir, sub, NAME), text);
    }
    writeFileSync(join(dir, 'audit-else.jsonl'), text);
    const env = { SECTOKEN_KEK: service.settings.kek!, SECTOKEN_KEYRING: service.settings.keyringPath };
    expect(runCli(['audit', 'verify', join(dir, 'a', NAME)], env).status).toBe(0);
    const both = runCli(['audit', 'verify', join(dir, 'a', NAME), join(dir, 'b', NAME)], env);
    expect(both.status).toBe(2);
    expect(both.stdout).toContain('REFUSED: 2 files hold a chain of instance test-instance');
    const misnamed = runCli(['audit', 'verify', join(dir, 'audit-else.jsonl')], env);
    expect(misnamed.status).toBe(2);
    expect(misnamed.stdout).toContain(
      'FIRST BAD RECORD at line 1: record of instance test-instance in the file of instance else',
    );
  });
});

describe('(11) GET /v1/audit/verify checks the own file against the head in memory and the last checkpoint', () => {
  it('when the file is clean, then it says what it checked; when rewritten with the MAC key (same size), then live and checkpoint fail', async () => {
    const service = start();
    const auditor = () => request(service.app).get('/v1/audit/verify').set('Authorization', bearer('auditor'));
    for (let i = 0; i < 3; i++) expect((await reverse(service.app)).status).toBe(200);
    const before = await auditor();
    expect(before.status).toBe(200);
    expect(before.body).toMatchObject({
      ok: true,
      problems: [],
      checkpoints: [],
      live: {
        instance: 'test-instance',
        file: NAME,
        head: { size: 3 },
        ok: true,
        writable: true,
        lastCheckpoint: null,
      },
    });

    const cp = (await request(service.app).get('/v1/audit/checkpoint').set('Authorization', bearer('auditor'))).body;
    const clean = await auditor();
    expect(clean.body).toMatchObject({
      ok: true,
      checkpoints: [{ instance: 'test-instance', size: 3, ok: true }],
      live: { ok: true, lastCheckpoint: { size: 3, headHash: cp.headHash, time: cp.time } },
    });

    // Whoever holds the MAC key rewrites record 2 and re-chains record 3: every MAC and link holds.
    const macKey = macKeyOf(service);
    const lines = readFileSync(auditPath(service), 'utf8').split('\n').filter(Boolean);
    let prev = (JSON.parse(lines[0]!) as AuditRecord).hash;
    const rewritten = [lines[0]!];
    for (const line of lines.slice(1)) {
      const record = { ...(JSON.parse(line) as AuditRecord), prev, caseId: 'CASE-INTEGRITZ' };
      const hash = chainHash(body(record));
      rewritten.push(JSON.stringify({ ...JSON.parse(body(record)), hash, mac: chainMac(macKey, hash) }));
      prev = hash;
    }
    const text = rewritten.map((l) => `${l}\n`).join('');
    expect(verifyAudit([{ name: NAME, text }], { macKey }).ok).toBe(true);
    writeFileSync(auditPath(service), text);

    const after = await auditor();
    expect(after.status).toBe(200);
    expect(after.body.ok).toBe(false);
    expect(after.body.files[0].firstBad).toBeUndefined();
    expect(after.body.live).toMatchObject({
      ok: false,
      reason: expect.stringContaining('does not extend the head in memory'),
    });
    expect(after.body.checkpoints[0]).toMatchObject({
      ok: false,
      reason: expect.stringContaining('does not extend the checkpoint'),
    });
  });
});

describe('(12) unauthenticated refusals are aggregated', () => {
  const auditRecords = (service: TestService): AuditRecord[] =>
    readFileSync(auditPath(service), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as AuditRecord);

  it('when one source sends 100 unauthenticated reverses, then one record at once and one with the count when the interval closes', async () => {
    const service = start();
    for (let i = 0; i < 100; i++) {
      const res = await request(service.app).post('/v1/reverse').send({ sector: 'tax' });
      expect(res.status).toBe(401);
    }
    expect(auditRecords(service)).toEqual([
      expect.objectContaining({ act: 'reverse', client: null, outcome: 'unauthenticated', count: 1 }),
    ]);
    await service.refusals.flush();
    const records = auditRecords(service);
    expect(records).toHaveLength(2);
    expect(records[1]).toMatchObject({ act: 'reverse', client: null, outcome: 'unauthenticated', count: 99 });
    expect(records.reduce((n, r) => n + r.count!, 0)).toBe(100);
    // A new interval: the first refusal is recorded at once again.
    expect((await request(service.app).post('/v1/translate').send({})).status).toBe(401);
    expect(auditRecords(service).at(-1)).toMatchObject({ act: 'translate', count: 1 });
    // Authenticated records have no count.
    expect((await reverse(service.app)).status).toBe(200);
    expect(auditRecords(service).at(-1)).toMatchObject({ client: 'regulator-cndp', count: null });
    const verify = await request(service.app).get('/v1/audit/verify').set('Authorization', bearer('auditor'));
    expect(verify.body.ok).toBe(true);
  });

  it('when more sources than the cap refuse, then the overflow shares one record; IPv6 sources count by /64', async () => {
    const { refusalRecorder, sourceOf } = await import('../../src/audit/writer/refusals.js');
    expect(sourceOf('::ffff:10.0.0.1')).toBe('10.0.0.1');
    expect(sourceOf('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(sourceOf('2001:db8:1:2::ffff')).toBe('2001:db8:1:2::/64');
    expect(sourceOf('::1')).toBe('0:0:0:0::/64');
    expect(sourceOf(undefined)).toBe('*');
    const dir = mkdtempSync(join(tmpdir(), 'sectoken-integrity-refusals-'));
    scratch.push(dir);
    const log = openAuditLog({ dir, instance: 'agg', macKey: randomBytes(32) });
    const recorder = refusalRecorder(log, { maxSources: 2, intervalMs: 3_600_000 });
    for (const address of ['10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.4', '10.0.0.1', '10.0.0.5'])
      await recorder.refuse(address, 'reverse');
    const counts = () =>
      readFileSync(join(dir, auditFileName('agg')), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => (JSON.parse(l) as AuditRecord).count);
    // 10.0.0.1 and .2 at once, then .3 as the first of "*"; .4 and .5 counted under "*", the second .1 under its own.
    expect(counts()).toEqual([1, 1, 1]);
    await recorder.close();
    expect(counts().slice(3).sort()).toEqual([1, 2]);
    await log.close();
  });
});

describe('(12) the audit disk floor', () => {
  it('when free space on the audit disk is under SECTOKEN_AUDIT_MIN_FREE_MB, then /readyz is 503 with audit disk_low, and audited acts still work', async () => {
    const service = start({ settings: { auditMinFreeMb: 1_048_576 } });
    const ready = await request(service.app).get('/readyz');
    expect(ready.status).toBe(503);
    expect(ready.body).toMatchObject({ status: 'not_ready', checks: { audit: 'disk_low' } });
    expect((await reverse(service.app)).status).toBe(200);
    const roomy = start({ settings: { auditMinFreeMb: 1 } });
    expect((await request(roomy.app).get('/readyz')).body.checks.audit).toBe('ok');
  });

  it('reads the floor from the environment, 64 MiB by default, and refuses nonsense in one line', async () => {
    const { readSettings } = await import('../../src/config/env.js');
    expect(readSettings({}).auditMinFreeMb).toBe(64);
    expect(readSettings({ SECTOKEN_AUDIT_MIN_FREE_MB: '0' }).auditMinFreeMb).toBe(0);
    expect(() => readSettings({ SECTOKEN_AUDIT_MIN_FREE_MB: 'lots' })).toThrow(
      /SECTOKEN_AUDIT_MIN_FREE_MB must be an integer/,
    );
  });
});
