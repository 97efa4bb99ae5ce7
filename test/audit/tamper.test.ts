/**
 * Tamper evidence (SPEC "Audit"): a real log produced over HTTP, then each kind of tampering on a
 * copy, checked by the verifier with the service's MAC key, by signed checkpoints, by
 * GET /v1/audit/verify and by the offline `sectoken audit verify` command.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import type { Checkpoint } from '../../src/audit/chain/checkpoint.js';
import { body, chainHash, chainMac, type AuditRecord } from '../../src/audit/chain/record.js';
import { verifyAudit } from '../../src/audit/chain/verify.js';
import { parseKek } from '../../src/keys/seal.js';
import { openKeyringFile } from '../../src/keys/store.js';
import { runCli } from '../helpers/cli.js';
import { bearer, startTestService, type TestService } from '../helpers/service.js';

const NAME = 'audit-test-instance.jsonl';
const REVERSES = 6;
const scratch: string[] = [];
const services: TestService[] = [];

afterAll(async () => {
  for (const s of services) {
    await s.close().catch(() => undefined);
    rmSync(s.dir, { recursive: true, force: true });
  }
  for (const d of scratch) rmSync(d, { recursive: true, force: true });
});

function start(): TestService {
  const service = startTestService();
  services.push(service);
  return service;
}

const macKeyOf = (service: TestService): Uint8Array =>
  openKeyringFile(service.settings.keyringPath, parseKek(service.settings.kek!, 'test KEK')).auditMac;
const auditPath = (service: TestService): string => join(service.settings.auditDir, NAME);

/** n reverses by regulator-cndp with caseIds CASE-1001.., one token per reverse. */
async function reverses(service: TestService, n: number, from = 1): Promise<void> {
  for (let i = from; i < from + n; i++) {
    const tokenRes = await request(service.app)
      .post('/v1/tokens')
      .set('Authorization', bearer('tax-backend'))
      .send({ sector: 'tax', nationalId: `AB${100000 + i}` });
    expect(tokenRes.status).toBe(200);
    const res = await request(service.app)
      .post('/v1/reverse')
      .set('Authorization', bearer('regulator-cndp'))
      .send({
        sector: 'tax',
        token: tokenRes.body.token,
        legalBasis: 'LOI-09-08-ART-4',
        caseId: `CASE-${1000 + i}`,
        purpose: 'tamper test',
      });
    expect(res.status).toBe(200);
  }
}

async function checkpoint(service: TestService): Promise<Checkpoint> {
  const res = await request(service.app).get('/v1/audit/checkpoint').set('Authorization', bearer('auditor'));
  expect(res.status).toBe(200);
  return res.body as Checkpoint;
}

const split = (text: string): string[] => text.split('\n').filter(Boolean);
const join_ = (lines: string[]): string => lines.map((l) => l + '\n').join('');

/** A copy of a line with one field changed and its hash recomputed; the MAC is given by `mac`. */
function forge(line: string, change: Partial<AuditRecord>, mac: (hash: string) => string): string {
  const record = { ...(JSON.parse(line) as AuditRecord), ...change };
  const hash = chainHash(body(record));
  return JSON.stringify({ ...JSON.parse(body(record)), hash, mac: mac(hash) });
}

describe('tampering with a real log', () => {
  const service = start();
  let macKey: Uint8Array;
  let clean: string;
  let lines: string[];
  let midCheckpoint: Checkpoint;
  let headCheckpoint: Checkpoint;

  beforeAll(async () => {
    macKey = macKeyOf(service);
    await reverses(service, 3);
    midCheckpoint = await checkpoint(service);
    await reverses(service, REVERSES - 3, 4);
    headCheckpoint = await checkpoint(service);
    clean = readFileSync(auditPath(service), 'utf8');
    lines = split(clean);
  });

  /** withMac false: as an auditor without the KEK would verify (hashes, order, checkpoints). */
  const check = (text: string, checkpoints: Checkpoint[] = [], withMac = true) =>
    verifyAudit([{ name: NAME, text }], { ...(withMac ? { macKey } : {}), checkpoints });

  it('when nothing was touched, then it verifies with and without MAC key and checkpoints', () => {
    expect(lines).toHaveLength(REVERSES);
    expect(midCheckpoint).toMatchObject({ format: 'sectoken-checkpoint/1', instance: 'test-instance', size: 3 });
    expect(headCheckpoint).toMatchObject({
      instance: 'test-instance',
      size: REVERSES,
      headHash: (JSON.parse(lines[REVERSES - 1]!) as AuditRecord).hash,
    });

    const withAll = check(clean, [midCheckpoint, headCheckpoint]);
    expect(withAll.ok).toBe(true);
    expect(withAll.macChecked).toBe(true);
    expect(withAll.files).toEqual([
      { name: NAME, instance: 'test-instance', records: REVERSES, headHash: headCheckpoint.headHash },
    ]);
    expect(withAll.checkpoints).toEqual([
      { instance: 'test-instance', size: 3, ok: true },
      { instance: 'test-instance', size: REVERSES, ok: true },
    ]);
    expect(check(clean).ok).toBe(true);
    const noKey = check(clean, [headCheckpoint], false);
    expect(noKey.ok).toBe(true);
    expect(noKey.macChecked).toBe(false);
    // A checkpoint verifies under the public key it names only if that is the key the auditor trusts.
    expect(
      verifyAudit([{ name: NAME, text: clean }], {
        checkpoints: [headCheckpoint],
        trustedPublicKey: headCheckpoint.publicKey,
      }).ok,
    ).toBe(true);
  });

  it('when one byte inside a record changes (a digit of its caseId), then that line is the first bad one', () => {
    const target = lines[2]!;
    expect(target).toContain('"caseId":"CASE-1003"');
    const tampered = clean.replace('"caseId":"CASE-1003"', '"caseId":"CASE-1008"');
    expect(tampered.length).toBe(clean.length);
    const report = check(tampered);
    expect(report.ok).toBe(false);
    expect(report.files[0]!.firstBad).toEqual({ line: 3, reason: expect.stringContaining('hash does not match') });
    // Without the key too: the hash covers the content.
    expect(check(tampered, [], false).files[0]!.firstBad?.line).toBe(3);
    // And a checkpoint whose range holds that line fails.
    const cp = check(tampered, [headCheckpoint]).checkpoints[0]!;
    expect(cp.ok).toBe(false);
    expect(cp.reason).toMatch(/invalid at record 3/);
  });

  it.each([
    ['the outcome', (l: string) => l.replace('"outcome":"ok"', '"outcome":"no"')],
    ['the client', (l: string) => l.replace('"client":"regulator-cndp"', '"client":"regulator-cndq"')],
    ['the hash', (l: string) => l.replace(/"hash":"(.)/, (_m, c: string) => `"hash":"${c === 'a' ? 'b' : 'a'}`)],
    ['the MAC', (l: string) => l.replace(/"mac":"(.)/, (_m, c: string) => `"mac":"${c === 'a' ? 'b' : 'a'}`)],
  ])('when %s of line 4 changes, then line 4 is the first bad one', (_what, change) => {
    const copy = [...lines];
    copy[3] = change(copy[3]!);
    expect(copy[3]).not.toBe(lines[3]);
    const report = check(join_(copy));
    expect(report.ok).toBe(false);
    expect(report.files[0]!.firstBad?.line).toBe(4);
  });

  it('when a line is deleted, then the line now in its place is the first bad one', () => {
    for (const k of [0, 2, REVERSES - 2]) {
      const copy = lines.filter((_, i) => i !== k);
      const report = check(join_(copy));
      expect(report.ok).toBe(false);
      expect(report.files[0]!.firstBad).toEqual({
        line: k + 1,
        reason: expect.stringMatching(/expected record \d+, found \d+/),
      });
    }
  });

  it('when two lines are swapped, then the earlier position is the first bad one', () => {
    const copy = [...lines];
    [copy[1], copy[4]] = [copy[4]!, copy[1]!];
    const report = check(join_(copy));
    expect(report.ok).toBe(false);
    expect(report.files[0]!.firstBad?.line).toBe(2);
    const adjacent = [...lines];
    [adjacent[3], adjacent[4]] = [adjacent[4]!, adjacent[3]!];
    expect(check(join_(adjacent)).files[0]!.firstBad?.line).toBe(4);
  });

  it('when a forged line (field changed, hash recomputed, MAC not valid) is inserted, then the forged line is the first bad one', () => {
    const forged = forge(lines[2]!, { caseId: 'CASE-FORGED' }, () => 'f'.repeat(64));
    const copy = [...lines.slice(0, 3), forged, ...lines.slice(3)];
    const report = check(join_(copy));
    expect(report.ok).toBe(false);
    expect(report.files[0]!.firstBad).toEqual({ line: 4, reason: expect.stringContaining('MAC invalid') });
  });

  it('when a forged line carries a MAC under a wrong key, then it is the first bad one', () => {
    const wrongKey = randomBytes(32);
    const forged = forge(lines[1]!, { purpose: 'rewritten' }, (h) => chainMac(wrongKey, h));
    const copy = [...lines];
    copy[1] = forged;
    const report = check(join_(copy));
    expect(report.ok).toBe(false);
    expect(report.files[0]!.firstBad).toEqual({ line: 2, reason: expect.stringContaining('MAC invalid') });
  });

  it('when a forged record continues the chain at the end (right seq, prev and hash), then only the MAC reveals it', () => {
    const last = JSON.parse(lines[REVERSES - 1]!) as AuditRecord;
    const change = { seq: REVERSES + 1, id: `test-instance:${REVERSES + 1}`, prev: last.hash, caseId: 'CASE-FORGED' };
    for (const mac of [() => '0'.repeat(64), (h: string) => chainMac(randomBytes(32), h)]) {
      const text = clean + forge(lines[REVERSES - 1]!, change, mac) + '\n';
      // Without the key the chain is consistent: this is what the MAC is for.
      expect(check(text, [headCheckpoint], false).ok).toBe(true);
      const report = check(text, [headCheckpoint]);
      expect(report.ok).toBe(false);
      expect(report.files[0]!.firstBad).toEqual({ line: REVERSES + 1, reason: expect.stringContaining('MAC invalid') });
    }
  });

  it('when the whole tail is rewritten with the real MAC key, then MACs pass but the checkpoint catches it', () => {
    // Whoever holds the MAC key can rewrite from record 5 on; the head checkpoint still pins record 6.
    const copy = [...lines];
    let prev = (JSON.parse(copy[3]!) as AuditRecord).hash;
    for (let i = 4; i < REVERSES; i++) {
      copy[i] = forge(copy[i]!, { prev, caseId: `CASE-REWRITTEN-${i}` }, (h) => chainMac(macKey, h));
      prev = (JSON.parse(copy[i]!) as AuditRecord).hash;
    }
    const text = join_(copy);
    expect(check(text).ok).toBe(true);
    expect(check(text, [midCheckpoint]).ok).toBe(true);
    const report = check(text, [midCheckpoint, headCheckpoint]);
    expect(report.ok).toBe(false);
    expect(report.checkpoints[1]).toEqual({
      instance: 'test-instance',
      size: REVERSES,
      ok: false,
      reason: expect.stringContaining('does not extend'),
    });
  });

  it('when the tail is cut, then the chain alone verifies (expected) but a checkpoint taken before the cut fails', () => {
    const cut = join_(lines.slice(0, REVERSES - 2));
    expect(check(cut).ok).toBe(true);
    expect(check(cut, [midCheckpoint]).ok).toBe(true);
    const report = check(cut, [headCheckpoint]);
    expect(report.ok).toBe(false);
    expect(report.checkpoints[0]).toEqual({
      instance: 'test-instance',
      size: REVERSES,
      ok: false,
      reason: expect.stringContaining('tail was cut'),
    });
    // Cut to nothing at all.
    expect(check('', [midCheckpoint]).ok).toBe(false);
  });

  it('when a checkpoint is altered (size, head hash, time) or its signature is bad, then it fails', async () => {
    const sig = headCheckpoint.signature;
    const badSig = sig[5] === 'A' ? 'B' : 'A';
    const variants: Checkpoint[] = [
      { ...headCheckpoint, size: REVERSES - 2 },
      { ...headCheckpoint, size: REVERSES + 1 },
      { ...midCheckpoint, headHash: headCheckpoint.headHash },
      { ...headCheckpoint, time: '2000-01-01T00:00:00.000Z' },
      { ...headCheckpoint, signature: sig.slice(0, 5) + badSig + sig.slice(6) },
      { ...headCheckpoint, signature: '' },
    ];
    for (const cp of variants) {
      const report = check(clean, [cp]);
      expect(report.ok).toBe(false);
      expect(report.checkpoints[0]).toMatchObject({ ok: false, reason: 'checkpoint signature invalid' });
    }
    // A checkpoint signed by another key, checked against the key the auditor trusts.
    const foreign = await checkpoint(start());
    expect(foreign.publicKey).not.toBe(headCheckpoint.publicKey);
    const report = verifyAudit([{ name: NAME, text: clean }], {
      checkpoints: [foreign],
      trustedPublicKey: headCheckpoint.publicKey,
    });
    expect(report.ok).toBe(false);
    expect(report.checkpoints[0]!.reason).toBe('checkpoint signature invalid');
  });

  it('when only the prev link of a record is broken (hash and MAC recomputed with the key), then the chain check finds it', () => {
    const copy = [...lines];
    copy[2] = forge(copy[2]!, { prev: 'a'.repeat(64) }, (h) => chainMac(macKey, h));
    const record = JSON.parse(copy[2]) as AuditRecord;
    expect(record.seq).toBe(3);
    // Record 4 still points at the old record 3, so re-chain it too: only record 3's link is wrong.
    copy[3] = forge(copy[3]!, { prev: record.hash }, (h) => chainMac(macKey, h));
    const report = check(join_(copy));
    expect(report.ok).toBe(false);
    expect(report.files[0]!.firstBad).toEqual({ line: 3, reason: expect.stringContaining('chain broken') });
  });

  it.each([
    ['white space after a colon', (l: string) => l.replace('"act":', '"act": ')],
    ['an escaped letter', (l: string) => l.replace('"act":"reverse"', '"act":"\\u0072everse"')],
    [
      'an escaped space in the purpose',
      (l: string) => l.replace('"purpose":"tamper test"', '"purpose":"tamper\\u0020test"'),
    ],
  ])(
    'when a line is re-serialized (%s) with the same content, then it is refused as not canonical',
    (_what, change) => {
      const copy = [...lines];
      copy[2] = change(copy[2]!);
      expect(copy[2]).not.toBe(lines[2]);
      // Same content: the hash over the parsed fields still matches, only the canonical form differs.
      expect(chainHash(body(JSON.parse(copy[2]) as AuditRecord))).toBe((JSON.parse(lines[2]!) as AuditRecord).hash);
      const report = check(join_(copy));
      expect(report.ok).toBe(false);
      expect(report.files[0]!.firstBad).toEqual({ line: 3, reason: expect.stringContaining('canonical form') });
    },
  );

  it('when a checkpoint names an instance whose log was not given, then it fails', () => {
    const report = verifyAudit([{ name: 'audit-other.jsonl', text: '' }], { checkpoints: [headCheckpoint] });
    expect(report.ok).toBe(false);
    expect(report.checkpoints[0]!.reason).toMatch(/no log of this instance/);
  });
});

describe('GET /v1/audit/verify on the live file', () => {
  const service = start();

  it('when the log is clean, then ok true; after a byte of the live file changes, ok false with the first bad line', async () => {
    await reverses(service, 4);
    const clean = await request(service.app).get('/v1/audit/verify').set('Authorization', bearer('auditor'));
    expect(clean.status).toBe(200);
    expect(clean.body).toMatchObject({
      ok: true,
      macChecked: true,
      files: [{ name: NAME, instance: 'test-instance', records: 4 }],
    });
    expect(clean.body.files[0].firstBad).toBeUndefined();

    // Not for service clients or regulators.
    for (const client of ['tax-backend', 'regulator-cndp']) {
      const refused = await request(service.app).get('/v1/audit/verify').set('Authorization', bearer(client));
      expect(refused.status).toBe(403);
    }

    const path = auditPath(service);
    writeFileSync(path, readFileSync(path, 'utf8').replace('"caseId":"CASE-1002"', '"caseId":"CASE-1009"'));
    const tampered = await request(service.app).get('/v1/audit/verify').set('Authorization', bearer('auditor'));
    expect(tampered.status).toBe(200);
    expect(tampered.body.ok).toBe(false);
    expect(tampered.body.files[0].firstBad).toEqual({
      line: 2,
      reason: expect.stringContaining('hash does not match'),
    });
  });
});

describe('sectoken audit verify (built CLI)', () => {
  const service = start();
  let dir: string;
  let env: Record<string, string>;
  let cleanFile: string;
  let cpFile: string;
  let lines: string[];

  beforeAll(async () => {
    await reverses(service, 5);
    const cp = await checkpoint(service);
    dir = mkdtempSync(join(tmpdir(), 'sectoken-audit-cli-'));
    scratch.push(dir);
    cleanFile = join(dir, NAME);
    const text = readFileSync(auditPath(service), 'utf8');
    lines = split(text);
    writeFileSync(cleanFile, text);
    cpFile = join(dir, 'cp.json');
    writeFileSync(cpFile, JSON.stringify(cp));
    env = { SECTOKEN_KEK: service.settings.kek!, SECTOKEN_KEYRING: service.settings.keyringPath };
  });

  /** A tampered copy under its proper name (audit-<instance>.jsonl) in a directory of its own. */
  const copyAs = (sub: string, text: string): string => {
    mkdirSync(join(dir, sub), { recursive: true });
    writeFileSync(join(dir, sub, NAME), text);
    return join(dir, sub, NAME);
  };

  it('when the log is clean, then exit 0, MACs checked, checkpoint ok', () => {
    const result = runCli(['audit', 'verify', cleanFile, '--checkpoint', cpFile], env);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain(`${NAME}: 5 valid records, instance test-instance: ok`);
    expect(result.stdout).toContain('checkpoint test-instance@5: ok');
    expect(result.stdout).not.toContain('MACs not checked');
    expect(result.stdout).toMatch(/^verified$/m);
  });

  it('when a line was forged with a recomputed hash, then exit 2 with FIRST BAD RECORD at its line, found by the MAC check', () => {
    const copy = [...lines];
    copy[2] = forge(copy[2]!, { caseId: 'CASE-FORGED' }, () => 'a'.repeat(64));
    const file = copyAs('forged', join_(copy));
    const result = runCli(['audit', 'verify', file, '--checkpoint', cpFile], env);
    expect(result.status).toBe(2);
    expect(result.stdout).toContain('FIRST BAD RECORD at line 3');
    expect(result.stdout).toContain('MAC invalid');
    expect(result.stdout).toMatch(/checkpoint test-instance@5: FAILED/);
    expect(result.stdout).toMatch(/^NOT VERIFIED$/m);
    expect(result.stdout).not.toContain('MACs not checked');
  });

  it('when a line was deleted, then exit 2 with FIRST BAD RECORD at that line', () => {
    const file = copyAs('deleted', join_(lines.filter((_, i) => i !== 1)));
    const result = runCli(['audit', 'verify', file, '--checkpoint', cpFile], env);
    expect(result.status).toBe(2);
    expect(result.stdout).toContain('FIRST BAD RECORD at line 2');
  });

  it('when the tail was cut, then exit 2 because of the checkpoint', () => {
    const file = copyAs('cut', join_(lines.slice(0, 3)));
    const alone = runCli(['audit', 'verify', file], env);
    expect(alone.status).toBe(0);
    const result = runCli(['audit', 'verify', file, '--checkpoint', cpFile], env);
    expect(result.status).toBe(2);
    expect(result.stdout).toContain('checkpoint test-instance@5: FAILED');
    expect(result.stdout).toContain('tail was cut');
  });

  it('when no KEK is given, then it says MACs were not checked (and a MAC-only forgery passes)', () => {
    const last = JSON.parse(lines[4]!) as AuditRecord;
    const file = copyAs(
      'appended',
      join_([...lines, forge(lines[4]!, { seq: 6, id: 'test-instance:6', prev: last.hash }, () => '0'.repeat(64))]),
    );
    const noKey = runCli(['audit', 'verify', file, '--checkpoint', cpFile], {});
    expect(noKey.status).toBe(0);
    expect(noKey.stdout).toContain('MACs not checked');
    const withKey = runCli(['audit', 'verify', file, '--checkpoint', cpFile], env);
    expect(withKey.status).toBe(2);
    expect(withKey.stdout).toContain('FIRST BAD RECORD at line 6');
  });
});
