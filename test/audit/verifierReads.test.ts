/**
 * The verifier reads what is on disk, byte for byte, and keeps going as docs/AUDIT.md §5 says, on
 * real files, through `sectoken audit verify` (built CLI) and GET/POST /v1/audit/verify:
 *
 * - a line that is not UTF-8 is refused: U+FFFD (EF BF BD, which a regulator may type) replaced
 *   by the one byte FF is no longer what was written, and no checkpoint covering it holds;
 * - a last line without its line end is reported as cut short after the valid records before it,
 *   which count (a checkpoint of them holds), and a bad record before it is the one named;
 * - a chain begun in record form 1 (before person, organisation and count) is continued in form 2
 *   and verifies, each record by its own form's fields; a form never goes back; a chain ending in a
 *   form this version does not know is not continued.
 */
import { createHash, createHmac } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { checkpointSigner, type Checkpoint } from '../../src/audit/chain/checkpoint.js';
import { GENESIS, recordLine, sealRecord, type AuditEntry, type AuditRecord } from '../../src/audit/chain/record.js';
import { AuditStartError } from '../../src/audit/writer/startError.js';
import { verifyChain } from '../../src/audit/chain/verify.js';
import { generateKeyring } from '../../src/keys/keyring.js';
import { newKek, parseKek } from '../../src/keys/seal.js';
import { openKeyringFile, saveKeyring } from '../../src/keys/store.js';
import { runCli } from '../helpers/cli.js';
import { bearer, devConfig, startTestService, type TestService } from '../helpers/service.js';

const services: TestService[] = [];
const scratch = mkdtempSync(join(tmpdir(), 'sectoken-verifier-reads-'));
afterAll(async () => {
  for (const s of services) {
    await s.close().catch(() => undefined);
    rmSync(s.dir, { recursive: true, force: true });
  }
  rmSync(scratch, { recursive: true, force: true });
});

function start(options: Parameters<typeof startTestService>[0] = {}): TestService {
  const service = startTestService(options);
  services.push(service);
  return service;
}

const keyringOf = (service: TestService) =>
  openKeyringFile(service.settings.keyringPath, parseKek(service.settings.kek!, 'test KEK'));
const ownFile = (service: TestService): string => join(service.settings.auditDir, 'audit-test-instance.jsonl');
const keyEnv = (service: TestService) => ({
  SECTOKEN_KEK: service.settings.kek!,
  SECTOKEN_KEYRING: service.settings.keyringPath,
});
/** No KEK: hashes, order and checkpoints only (an auditor without the MAC key). */
const noKeyEnv = { SECTOKEN_KEYRING: join(scratch, 'no-keyring.json') };

/** A file of its own in the scratch directory, under the name audit-<instance>.jsonl. */
function copy(sub: string, name: string, content: Buffer | string): string {
  mkdirSync(join(scratch, sub), { recursive: true });
  writeFileSync(join(scratch, sub, name), content);
  return join(scratch, sub, name);
}

async function reverse(service: TestService, nationalId: string, purpose: string): Promise<void> {
  const token = (
    await request(service.app)
      .post('/v1/tokens')
      .set('Authorization', bearer('tax-backend'))
      .send({ sector: 'tax', nationalId })
  ).body.token as string;
  const res = await request(service.app)
    .post('/v1/reverse')
    .set('Authorization', bearer('regulator-cndp'))
    .send({ sector: 'tax', token, legalBasis: 'LOI-09-08-ART-4', caseId: 'CASE-77', purpose });
  expect(res.status).toBe(200);
}

const ENTRY: AuditEntry = {
  act: 'reverse',
  client: 'regulator-cndp',
  person: 'Amina Benali',
  organisation: 'CNDP',
  sector: 'tax',
  token: '1ABC',
  legalBasis: 'LOI-09-08-ART-4',
  caseId: 'C-1',
  purpose: 'p',
  outcome: 'ok',
};

/** n records of `instance` in the current form, sealed under `macKey`. */
function chain(macKey: Uint8Array, instance: string, n: number): AuditRecord[] {
  const out: AuditRecord[] = [];
  for (let seq = 1; seq <= n; seq++)
    out.push(
      sealRecord(
        macKey,
        { ...ENTRY, caseId: `C-${seq}` },
        { instance, seq, time: `2026-11-30T10:00:0${seq}.000Z`, prev: out.at(-1)?.hash ?? GENESIS },
      ),
    );
  return out;
}

describe('a line that is not UTF-8', () => {
  const service = start();
  let checkpoint: Checkpoint;
  let written: Buffer;
  let replaced: Buffer;

  beforeAll(async () => {
    await reverse(service, 'AB100001', 'an ordinary purpose');
    await reverse(service, 'AB100002', 'typed as the regulator had it: \uFFFD');
    checkpoint = (await request(service.app).get('/v1/audit/checkpoint').set('Authorization', bearer('auditor')))
      .body as Checkpoint;
    written = readFileSync(ownFile(service));
    const at = written.indexOf(Buffer.from([0xef, 0xbf, 0xbd]));
    expect(at).toBeGreaterThan(written.indexOf(0x0a)); // in record 2
    replaced = Buffer.concat([written.subarray(0, at), Buffer.from([0xff]), written.subarray(at + 3)]);
  });

  it('when EF BF BD becomes FF, then `audit verify` without any key names that record and the checkpoint covering it fails', () => {
    const cpFile = copy('utf8', 'cp.json', JSON.stringify(checkpoint));
    const asWritten = runCli(
      [
        'audit',
        'verify',
        copy('utf8/as-written', 'audit-test-instance.jsonl', written),
        '--checkpoint',
        cpFile,
        '--public-key',
        checkpoint.publicKey,
      ],
      noKeyEnv,
    );
    expect(asWritten.stdout).toContain('checkpoint test-instance@2: ok');
    expect(asWritten.status).toBe(0);

    const r = runCli(
      [
        'audit',
        'verify',
        copy('utf8/replaced', 'audit-test-instance.jsonl', replaced),
        '--checkpoint',
        cpFile,
        '--public-key',
        checkpoint.publicKey,
      ],
      noKeyEnv,
    );
    expect(r.stdout).toMatch(/audit-test-instance\.jsonl: 1 valid records, .*FIRST BAD RECORD at line 2: not UTF-8/);
    expect(r.stdout).toMatch(/checkpoint test-instance@2: FAILED: the log is invalid at record 2/);
    expect(r.stdout).toContain('NOT VERIFIED');
    expect(r.status).toBe(2);
  });

  it('when the live file is changed so, then GET and POST /v1/audit/verify name record 2 and the kept checkpoint fails', async () => {
    writeFileSync(ownFile(service), replaced);
    const got = await request(service.app).get('/v1/audit/verify').set('Authorization', bearer('auditor'));
    expect(got.status).toBe(200);
    expect(got.body.ok).toBe(false);
    expect(got.body.files[0]).toMatchObject({
      name: 'audit-test-instance.jsonl',
      records: 1,
      firstBad: { line: 2, reason: expect.stringMatching(/^not UTF-8/) },
    });
    const posted = await request(service.app)
      .post('/v1/audit/verify')
      .set('Authorization', bearer('auditor'))
      .send({ checkpoints: [checkpoint] });
    expect(posted.body.checkpoints.at(-1)).toMatchObject({
      instance: 'test-instance',
      size: 2,
      ok: false,
      reason: expect.stringContaining('invalid at record 2'),
    });
  });
});

describe('a last line without its line end', () => {
  const service = start();
  let peer: AuditRecord[];
  let checkpoint: Checkpoint;
  const PARTIAL = '{"v":2,"id":"peer:6","seq":6,"ti';
  let cutOnly: string;
  let modifiedAndCut: string;

  beforeAll(() => {
    // Another instance's chain in the service's directory, sealed under its keys (as a worker's would be).
    const keyring = keyringOf(service);
    peer = chain(keyring.auditMac, 'peer', 5);
    checkpoint = checkpointSigner(keyring.auditSigning).sign({
      instance: 'peer',
      size: 5,
      headHash: peer[4]!.hash,
      time: '2026-11-30T11:00:00.000Z',
    });
    /** The chain's lines with record 2's caseId changed (its hash no longer matches), then a partial line. */
    const modified = (records: AuditRecord[]): string =>
      records
        .map(recordLine)
        .map((l, i) => (i === 1 ? l.replace('"caseId":"C-2"', '"caseId":"C-9"') : l))
        .join('') + PARTIAL;
    cutOnly = peer.map(recordLine).join('') + PARTIAL;
    modifiedAndCut = modified(peer);
    writeFileSync(join(service.settings.auditDir, 'audit-peer.jsonl'), cutOnly);
    writeFileSync(join(service.settings.auditDir, 'audit-peer2.jsonl'), modified(chain(keyring.auditMac, 'peer2', 5)));
  });

  it('when the tail is cut, then the valid records before it count: reported as cut at line 6, and a checkpoint of the 5 holds (CLI)', () => {
    const cpFile = copy('cut', 'cp.json', JSON.stringify(checkpoint));
    const r = runCli(
      [
        'audit',
        'verify',
        copy('cut', 'audit-peer.jsonl', cutOnly),
        '--checkpoint',
        cpFile,
        '--public-key',
        checkpoint.publicKey,
      ],
      keyEnv(service),
    );
    expect(r.stdout).toContain(
      'audit-peer.jsonl: 5 valid records, instance peer: FIRST BAD RECORD at line 6: the last record is cut short (no line end)',
    );
    expect(r.stdout).toContain('checkpoint peer@5: ok');
    expect(r.status).toBe(2);
  });

  it('when a record before the cut tail was modified, then that record is the one named (CLI)', () => {
    const r = runCli(
      [
        'audit',
        'verify',
        copy('modified', 'audit-peer.jsonl', modifiedAndCut),
        '--checkpoint',
        copy('modified', 'cp.json', JSON.stringify(checkpoint)),
      ],
      keyEnv(service),
    );
    expect(r.stdout).toMatch(
      /audit-peer\.jsonl: 1 valid records, instance peer: FIRST BAD RECORD at line 2: record modified/,
    );
    expect(r.stdout).toMatch(/checkpoint peer@5: FAILED: the log is invalid at record 2/);
    expect(r.status).toBe(2);
  });

  it('through HTTP: the cut file counts its 5 records and the kept checkpoint holds; the modified one names line 2', async () => {
    const res = await request(service.app)
      .post('/v1/audit/verify')
      .set('Authorization', bearer('auditor'))
      .send({ checkpoints: [checkpoint] });
    expect(res.status).toBe(200);
    const file = (name: string) => (res.body.files as { name: string }[]).find((f) => f.name === name);
    expect(file('audit-peer.jsonl')).toEqual({
      name: 'audit-peer.jsonl',
      instance: 'peer',
      records: 5,
      headHash: peer[4]!.hash,
      firstBad: { line: 6, reason: 'the last record is cut short (no line end)' },
    });
    expect(file('audit-peer2.jsonl')).toMatchObject({
      records: 1,
      firstBad: { line: 2, reason: expect.stringContaining('record modified') },
    });
    expect(res.body.checkpoints).toContainEqual({ instance: 'peer', size: 5, ok: true });
  });
});

describe('a chain begun in record form 1', () => {
  /** Form 1 as docs/AUDIT.md §1 and §2 describe it, sealed here without src/audit: no person, organisation or count. */
  function form1Lines(macKey: Uint8Array, n: number): { text: string; head: string } {
    let prev = GENESIS;
    let text = '';
    for (let seq = 1; seq <= n; seq++) {
      const body = JSON.stringify({
        v: 1,
        id: `test-instance:${seq}`,
        seq,
        time: `2025-06-0${seq}T09:00:00.000Z`,
        instance: 'test-instance',
        act: 'reverse',
        client: 'regulator-cndp',
        sector: 'tax',
        toSector: null,
        token: '1ABC',
        legalBasis: 'LOI-09-08-ART-4',
        caseId: `OLD-${seq}`,
        purpose: 'recorded before person and organisation',
        requestId: null,
        outcome: 'ok',
        prev,
      });
      const hash = createHash('sha256').update(body, 'utf8').digest('hex');
      text += `${body.slice(0, -1)},"hash":"${hash}","mac":"${createHmac('sha256', macKey).update(hash, 'ascii').digest('hex')}"}\n`;
      prev = hash;
    }
    return { text, head: prev };
  }

  /** A directory with a keyring (sealed under the returned KEK) and an audit file holding `content`. */
  function prepared(content: (macKey: Uint8Array) => string): { dir: string; kek: string } {
    const dir = mkdtempSync(join(tmpdir(), 'sectoken-form1-'));
    const kek = newKek();
    const keyring = generateKeyring(Object.keys(devConfig().sectors as object), false);
    saveKeyring(join(dir, 'keyring.json'), keyring, parseKek(kek, 'test KEK'));
    mkdirSync(join(dir, 'audit'));
    writeFileSync(join(dir, 'audit', 'audit-test-instance.jsonl'), content(keyring.auditMac));
    return { dir, kek };
  }

  it('when the service continues it, then every record verifies by its own form, through HTTP and the CLI, and reads back', async () => {
    let head = '';
    const { dir, kek } = prepared((macKey) => {
      const form1 = form1Lines(macKey, 3);
      head = form1.head;
      return form1.text;
    });
    const service = start({ dir, kek });
    await reverse(service, 'AB100003', 'recorded in form 2');
    const lines = readFileSync(ownFile(service), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as AuditRecord);
    expect(lines.map((r) => [r.v, r.seq])).toEqual([
      [1, 1],
      [1, 2],
      [1, 3],
      [2, 4],
    ]);
    expect(lines[3]!.prev).toBe(head);

    const verified = await request(service.app).get('/v1/audit/verify').set('Authorization', bearer('auditor'));
    expect(verified.body).toMatchObject({ ok: true, files: [{ name: 'audit-test-instance.jsonl', records: 4 }] });
    const cli = runCli(['audit', 'verify', ownFile(service)], keyEnv(service));
    expect(cli.stdout).toContain('audit-test-instance.jsonl: 4 valid records, instance test-instance: ok');
    expect(cli.status).toBe(0);

    const read = await request(service.app).get('/v1/audit?caseId=OLD-2').set('Authorization', bearer('auditor'));
    expect(read.body.records).toEqual([
      expect.objectContaining({ v: 1, seq: 2, person: null, organisation: null, count: null }),
    ]);
    expect(read.body.chains).toEqual([
      { file: 'audit-test-instance.jsonl', instance: 'test-instance', records: 4, verified: true },
    ]);
  });

  it('when a form-1 record follows a form-2 one, then it is refused: a form never goes back', () => {
    const macKey = new Uint8Array(32).fill(5);
    const form2 = chain(macKey, 'test-instance', 1)[0]!;
    const body = JSON.stringify({
      v: 1,
      id: 'test-instance:2',
      seq: 2,
      time: '2026-11-30T10:00:09.000Z',
      instance: 'test-instance',
      act: 'reverse',
      client: null,
      sector: null,
      toSector: null,
      token: null,
      legalBasis: null,
      caseId: null,
      purpose: null,
      requestId: null,
      outcome: 'ok',
      prev: form2.hash,
    });
    const hash = createHash('sha256').update(body).digest('hex');
    const text =
      recordLine(form2) +
      `${body.slice(0, -1)},"hash":"${hash}","mac":"${createHmac('sha256', macKey).update(hash).digest('hex')}"}\n`;
    expect(verifyChain('audit-test-instance.jsonl', text, macKey)).toMatchObject({
      records: 1,
      firstBad: { line: 2, reason: expect.stringContaining('never goes back') },
    });
  });

  it('when the chain ends in a form this version does not know, then the service refuses to start, in one line (library and CLI)', () => {
    const { dir, kek } = prepared(
      (macKey) => form1Lines(macKey, 1).text + '{"v":3,"id":"test-instance:2","seq":2,"hash":"x"}\n',
    );
    expect(() => start({ dir, kek })).toThrow(AuditStartError);
    expect(() => start({ dir, kek })).toThrow(
      /ends with a record of form v 3, which this version of sectoken \(form v 2\) does not write/,
    );
    const served = runCli(['serve'], {
      SECTOKEN_KEYRING: join(dir, 'keyring.json'),
      SECTOKEN_KEK: kek,
      SECTOKEN_AUDIT_DIR: join(dir, 'audit'),
      SECTOKEN_INSTANCE_ID: 'test-instance',
      PORT: '0',
    });
    expect(served.status).toBe(1);
    expect(served.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^sectoken: the audit log audit-test-instance\.jsonl ends with a record of form v 3/),
    ]);
  });
});
