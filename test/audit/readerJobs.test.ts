/**
 * What the audit reader thread runs, run in process (src/audit/reader/readerJobs.ts, live.ts,
 * peerHead.ts): real chains written by the real log in a temporary directory. The running
 * instance's own file is read only up to its durable size (a batch being written is not a cut
 * record); another worker's head is signed only once its marker, its file and its chain agree.
 */
import { generateKeyPairSync } from 'node:crypto';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkpointSigner } from '../../src/audit/chain/checkpoint.js';
import { auditFileName } from '../../src/audit/chain/files.js';
import { GENESIS, type AuditEntry } from '../../src/audit/chain/record.js';
import type { AuditReader } from '../../src/audit/reader/auditReader.js';
import { verifyLive } from '../../src/audit/reader/live.js';
import { peerHead } from '../../src/audit/reader/peerHead.js';
import { runReaderJob, type ReaderJob, type ReaderResults } from '../../src/audit/reader/readerJobs.js';
import { openAuditLog, type AuditLog } from '../../src/audit/writer/log.js';
import { SectokenError } from '../../src/errors.js';

const macKey = new Uint8Array(32).fill(5);
const dirs: string[] = [];
const logs: AuditLog[] = [];
afterAll(async () => {
  for (const log of logs) await log.close().catch(() => undefined);
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});
const tempDir = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'sectoken-reader-jobs-'));
  dirs.push(dir);
  return dir;
};

const entry = (i: number, change: Partial<AuditEntry> = {}): AuditEntry => ({
  act: 'reverse',
  client: 'regulator-cndp',
  legalBasis: 'LOI-09-08-ART-4',
  caseId: `C-${i}`,
  outcome: 'ok',
  ...change,
});

/** A log of `instance` in `dir` with `n` records, each one second after the one before. */
async function logWith(dir: string, instance: string, n: number, key = macKey): Promise<AuditLog> {
  let t = Date.UTC(2026, 10, 30, 10);
  const log = openAuditLog({ dir, instance, macKey: key, now: () => new Date((t += 1000)) });
  logs.push(log);
  for (let i = 1; i <= n; i++) await log.append(entry(i, i === n ? { act: 'deny' } : {}));
  return log;
}

/** A job run in this process, as the reader thread runs it, typed by its kind. */
const run = <K extends ReaderJob['kind']>(job: Extract<ReaderJob, { kind: K }>): ReaderResults[K] =>
  runReaderJob(job) as ReaderResults[K];

/** A reader that runs each job in this process. */
const inProcess: AuditReader = {
  run: (job) => Promise.resolve(run(job)),
  close: () => Promise.resolve(),
};

const refusal = (fn: () => unknown): { code: string; message: string } => {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(SectokenError);
    return { code: (err as SectokenError).code, message: (err as Error).message };
  }
  throw new Error('expected a refusal');
};

describe('runReaderJob: every file of the directory, the own one up to its durable size', () => {
  let dir: string;
  let own: { name: string; bytes: number };
  let me: AuditLog;
  beforeAll(async () => {
    dir = tempDir();
    me = await logWith(dir, 'me', 2);
    // The peer's chain is longer than the own file's durable size: read whole all the same.
    await (await logWith(dir, 'peer', 6)).close();
    own = { name: auditFileName('me'), bytes: me.durableBytes() };
    // A batch being written: a whole record and a partial line, after the durable size.
    const path = join(dir, own.name);
    const lines = readFileSync(path, 'utf8');
    appendFileSync(path, `${lines.split('\n')[1]!.replace('"caseId":"C-2"', '"caseId":"C-X"')}\n{"v":2,"id":"me:4"`);
  });

  it('query: the records that verify, own ones up to the durable size, and the chains read', () => {
    const page = run({ kind: 'query', dir, own, macKey, query: { limit: 100, offset: 0, act: 'deny' } });
    expect(page).toMatchObject({ total: 2, last: null });
    expect(page.records.map((r) => r.id)).toEqual(['me:2', 'peer:6']);
    expect(page.chains).toEqual([
      { file: 'audit-me.jsonl', instance: 'me', records: 2, verified: true },
      { file: 'audit-peer.jsonl', instance: 'peer', records: 6, verified: true },
    ]);
  });

  it('query: read whole, the own file is bad at record 3 (which is why it is read up to its durable size)', () => {
    const whole = run({
      kind: 'query',
      dir,
      own: { name: 'audit-other.jsonl', bytes: 0 },
      macKey,
      query: { limit: 1, offset: 0 },
    });
    expect(whole.total).toBe(8);
    expect(whole.chains[0]).toMatchObject({ file: 'audit-me.jsonl', records: 2, verified: false });
  });

  it('stats: counted over the same records, in the range asked, with the chains read', () => {
    const stats = run({ kind: 'stats', dir, own, macKey, range: { from: '2026-11-30', to: '2026-11-30' } });
    expect([stats.from, stats.to, stats.records, stats.days]).toEqual([
      '2026-11-30T00:00:00.000Z',
      '2026-12-01T00:00:00.000Z',
      8,
      ['2026-11-30'],
    ]);
    expect(stats.requestsEnded.denied).toBe(2);
    expect(stats.chains.map((c) => [c.file, c.records, c.verified])).toEqual([
      ['audit-me.jsonl', 2, true],
      ['audit-peer.jsonl', 6, true],
    ]);
    expect(run({ kind: 'stats', dir, own, macKey, range: { to: '2026-11-29' } }).records).toBe(0);
  });

  it('verify: every chain with MACs, checkpoints under the trusted key, and the own file against the live head', () => {
    const { privateKey } = generateKeyPairSync('ed25519');
    const jwk = privateKey.export({ format: 'jwk' });
    const signer = checkpointSigner({ d: jwk.d!, x: jwk.x! });
    const peer = run({ kind: 'peerHead', dir, instance: 'peer', macKey });
    const cp = signer.sign({ instance: 'peer', ...peer, time: '2026-12-01T00:00:00.000Z' });
    const headOfMe = { instance: 'me', ...me.head() };
    const report = run({
      kind: 'verify',
      dir,
      own,
      macKey,
      checkpoints: [cp],
      trustedPublicKey: signer.publicKey,
      live: headOfMe,
    });
    expect(report).toMatchObject({
      ok: true,
      macChecked: true,
      problems: [],
      checkpoints: [{ instance: 'peer', size: 6, ok: true }],
      live: { instance: 'me', file: 'audit-me.jsonl', head: { size: 2, headHash: headOfMe.headHash }, ok: true },
    });
    expect(report.files.map((f) => [f.name, f.records, f.firstBad])).toEqual([
      ['audit-me.jsonl', 2, undefined],
      ['audit-peer.jsonl', 6, undefined],
    ]);
    // Under another trusted key the checkpoint fails; with another MAC key every chain does.
    const { privateKey: stranger } = generateKeyPairSync('ed25519');
    const strangerKey = stranger.export({ format: 'jwk' }).x!;
    const job = { kind: 'verify' as const, dir, own, checkpoints: [cp], live: headOfMe };
    expect(run({ ...job, macKey, trustedPublicKey: strangerKey }).checkpoints[0]).toMatchObject({
      ok: false,
      reason: 'checkpoint signature invalid',
    });
    const wrongMac = run({ ...job, macKey: new Uint8Array(32), trustedPublicKey: signer.publicKey });
    expect(wrongMac.files.map((f) => f.firstBad?.reason)).toEqual([
      'MAC invalid (forged or modified record)',
      'MAC invalid (forged or modified record)',
    ]);
    expect(
      run({ ...job, macKey, trustedPublicKey: signer.publicKey, live: { ...headOfMe, size: 3 } }).live,
    ).toMatchObject({ ok: false, reason: 'the log has 2 records, the head in memory 3: its tail was cut' });
  });
});

describe("peerHead: another worker's durable head, once its marker, file and chain agree", () => {
  it('when all agree, then the head its marker records, whatever is written after it', async () => {
    const dir = tempDir();
    const log = await logWith(dir, 'w2', 3);
    const head = log.head();
    await log.close(); // the marker is written after each durable batch: close() waits for it
    expect(peerHead(dir, 'w2', macKey)).toEqual(head);
    // A batch being written after the marked head: not read.
    appendFileSync(join(dir, auditFileName('w2')), '{"v":2,"id":"w2:4","seq":4}\n{"v":2');
    expect(peerHead(dir, 'w2', macKey)).toEqual({ size: 3, headHash: head.headHash });
    expect(run({ kind: 'peerHead', dir, instance: 'w2', macKey })).toEqual(head);
  });

  it('when the chain is empty, then size 0 and the genesis hash', async () => {
    const dir = tempDir();
    await (await logWith(dir, 'w3', 0)).close();
    expect(peerHead(dir, 'w3', macKey)).toEqual({ size: 0, headHash: GENESIS });
  });

  it('when the directory has no chain of that instance, then not_found', () => {
    expect(refusal(() => peerHead(tempDir(), 'w9', macKey))).toEqual({
      code: 'not_found',
      message: 'no audit chain of that instance in this audit directory',
    });
  });

  it('when the marker was not written under this MAC key, then audit_unavailable: it does not hold together', async () => {
    const dir = tempDir();
    await (await logWith(dir, 'w2', 2)).close();
    expect(refusal(() => peerHead(dir, 'w2', new Uint8Array(32).fill(6)))).toEqual({
      code: 'audit_unavailable',
      message:
        'no checkpoint of instance w2: its head marker or its file does not hold together; run GET /v1/audit/verify',
    });
  });

  it('when the file is gone or cut before the marked head, then audit_unavailable: it does not hold together', async () => {
    const dir = tempDir();
    await (await logWith(dir, 'w2', 2)).close();
    const path = join(dir, auditFileName('w2'));
    const text = readFileSync(path, 'utf8');
    writeFileSync(path, text.slice(0, text.length - 10));
    expect(refusal(() => peerHead(dir, 'w2', macKey)).message).toMatch(
      /its head marker or its file does not hold together/,
    );
    unlinkSync(path);
    expect(refusal(() => peerHead(dir, 'w2', macKey))).toMatchObject({ code: 'audit_unavailable' });
  });

  it('when the file of an empty chain is gone, then audit_unavailable: it cannot be read', async () => {
    const dir = tempDir();
    await (await logWith(dir, 'w4', 0)).close();
    unlinkSync(join(dir, auditFileName('w4')));
    expect(refusal(() => peerHead(dir, 'w4', macKey))).toEqual({
      code: 'audit_unavailable',
      message: 'no checkpoint of instance w4: its file cannot be read; run GET /v1/audit/verify',
    });
  });

  it('when a record before the head was rewritten (its marked last record intact), then audit_unavailable: it does not verify', async () => {
    const dir = tempDir();
    await (await logWith(dir, 'w2', 3)).close();
    const path = join(dir, auditFileName('w2'));
    writeFileSync(path, readFileSync(path, 'utf8').replace('"caseId":"C-1"', '"caseId":"C-9"'));
    expect(refusal(() => peerHead(dir, 'w2', macKey))).toEqual({
      code: 'audit_unavailable',
      message: 'no checkpoint of instance w2: its chain does not verify up to its head; run GET /v1/audit/verify',
    });
  });
});

describe("verifyLive: the directory, and the own file against the running log's head and last checkpoint", () => {
  /** verifyLive of `log` in `dir` under this file's keys, with no checkpoint issued, on the in-process reader unless `more` says otherwise. */
  const verifyLiveOf = (dir: string, log: AuditLog, more: Partial<Parameters<typeof verifyLive>[0]> = {}) =>
    verifyLive({
      dir,
      log,
      macKey,
      publicKey: signer.publicKey,
      lastCheckpoint: undefined,
      reader: inProcess,
      ...more,
    });

  const { privateKey } = generateKeyPairSync('ed25519');
  const jwk = privateKey.export({ format: 'jwk' });
  const signer = checkpointSigner({ d: jwk.d!, x: jwk.x! });

  it('when the log is clean, then ok, writable, the last checkpoint checked first and the kept ones after it', async () => {
    const dir = tempDir();
    const log = await logWith(dir, 'live', 3);
    const last = signer.sign({ instance: 'live', ...log.head(), time: '2026-12-01T00:00:00.000Z' });
    const kept = signer.sign({ instance: 'live', size: 4, headHash: log.head().headHash, time: last.time });
    const report = await verifyLiveOf(dir, log, { lastCheckpoint: last, kept: [kept] });
    expect(report.ok).toBe(false);
    expect(report.checkpoints).toEqual([
      { instance: 'live', size: 3, ok: true },
      { instance: 'live', size: 4, ok: false, reason: 'the log has 3 records, the checkpoint 4: its tail was cut' },
    ]);
    expect(report.macChecked).toBe(true);
    expect(report.live).toEqual({
      instance: 'live',
      file: 'audit-live.jsonl',
      head: log.head(),
      ok: true,
      writable: true,
      lastCheckpoint: { size: 3, headHash: log.head().headHash, time: '2026-12-01T00:00:00.000Z' },
    });
  });

  it('when no checkpoint was issued or kept, then none is checked, and lastCheckpoint is null', async () => {
    const dir = tempDir();
    const log = await logWith(dir, 'live', 1);
    const report = await verifyLiveOf(dir, log);
    expect(report).toMatchObject({ ok: true, checkpoints: [], live: { ok: true, lastCheckpoint: null } });
  });

  it('when a checkpoint was signed by another key, then it fails under the service key', async () => {
    const dir = tempDir();
    const log = await logWith(dir, 'live', 1);
    const { privateKey: other } = generateKeyPairSync('ed25519');
    const o = other.export({ format: 'jwk' });
    const foreign = checkpointSigner({ d: o.d!, x: o.x! }).sign({
      instance: 'live',
      ...log.head(),
      time: '2026-12-01T00:00:00.000Z',
    });
    const report = await verifyLiveOf(dir, log, { kept: [foreign] });
    expect(report.checkpoints).toEqual([
      { instance: 'live', size: 1, ok: false, reason: 'checkpoint signature invalid' },
    ]);
  });

  it('when bytes follow the durable records (a batch being written), then the own file is read up to its durable size; the log is no longer writable', async () => {
    const dir = tempDir();
    const log = await logWith(dir, 'live', 2);
    appendFileSync(log.path, '{"v":2,"id":"live:3"');
    const report = await verifyLiveOf(dir, log);
    expect(report.files).toEqual([
      { name: 'audit-live.jsonl', instance: 'live', records: 2, headHash: log.head().headHash },
    ]);
    expect(report.live).toMatchObject({ ok: true, writable: false });
  });

  it('when the reader answers without the live head it was asked for, then it fails', async () => {
    const dir = tempDir();
    const log = await logWith(dir, 'live', 1);
    const forgetful: AuditReader = {
      ...inProcess,
      run: (job) => inProcess.run(job).then((r) => ({ ...r, live: undefined }) as never),
    };
    await expect(verifyLiveOf(dir, log, { reader: forgetful })).rejects.toThrow(
      'the audit reader answered without the live head it was asked for',
    );
  });
});
