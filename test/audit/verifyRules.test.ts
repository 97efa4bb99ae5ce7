/**
 * The verifier checks what docs/AUDIT.md says beyond hashes and MACs: §1's value rules (records
 * sealed with a valid hash and MAC but a value the service never writes are refused) and §4's
 * checkpoint form (a validly signed checkpoint of another format is refused), through the library
 * and the built command line.
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkpointSigner, type Checkpoint } from '../../src/audit/chain/checkpoint.js';
import { body, chainHash, chainMac, GENESIS, recordLine, type AuditRecord } from '../../src/audit/chain/record.js';
import { verifyAudit, verifyChain } from '../../src/audit/chain/verify.js';
import { runCli } from '../helpers/cli.js';

import { MAC_KEY as macKey, NAME, sampleChain as chain } from './sampleChain.js';

/** Record `at` changed by `change`, then re-hashed and re-MACed like a MAC-key holder would, and the chain after it relinked. */
function resealed(records: AuditRecord[], at: number, change: (r: Record<string, unknown>) => void): string {
  const out: AuditRecord[] = [];
  records.forEach((r, i) => {
    const copy = { ...r, prev: out.at(-1)?.hash ?? GENESIS } as unknown as Record<string, unknown>;
    if (i === at) change(copy);
    const hash = chainHash(body(copy as unknown as AuditRecord));
    out.push({ ...(copy as unknown as AuditRecord), hash, mac: chainMac(macKey, hash) });
  });
  return out.map((r) => JSON.stringify({ ...JSON.parse(body(r)), hash: r.hash, mac: r.mac }) + '\n').join('');
}

describe('value rules of §1', () => {
  it('a chain the service would write verifies', () => {
    const text = chain(3).map(recordLine).join('');
    const report = verifyChain(NAME, text, macKey);
    expect(report.records).toBe(3);
    expect(report.firstBad).toBeUndefined();
  });

  it.each<[string, (r: Record<string, unknown>) => void, RegExp]>([
    ['v 3 (a form no document describes)', (r) => (r.v = 3), /v is not a record form/],
    ['v 1 with the fields of form 2', (r) => (r.v = 1), /fields missing, added or out of order \(form v 1\)/],
    ['an unknown act', (r) => (r.act = 'delete'), /act is not one of/],
    ['a time without milliseconds', (r) => (r.time = '2026-11-30T10:00:02Z'), /time is not/],
    ['a time with an offset', (r) => (r.time = '2026-11-30T11:00:02.000+01:00'), /time is not/],
    ['an impossible date', (r) => (r.time = '2026-02-30T10:00:02.000Z'), /time is not/],
    ['a number where a string or null goes', (r) => (r.caseId = 42), /caseId is neither a string nor null/],
    ['an unknown outcome', (r) => (r.outcome = 'maybe'), /outcome is not one of/],
    ['audit_unavailable as an outcome', (r) => (r.outcome = 'audit_unavailable'), /outcome is not one of/],
    ['a count on an act that is not an unauthenticated refusal', (r) => (r.count = 3), /count is neither null/],
    ['a count of 0', (r) => ((r.count = 0), (r.outcome = 'unauthenticated')), /count is neither null/],
    ['an id that is not <instance>:<seq>', (r) => (r.id = 'i1:99'), /id is not <instance>:<seq>/],
  ])('a record with %s, re-hashed and re-MACed, is refused at its line', (_what, change, reason) => {
    const report = verifyChain(NAME, resealed(chain(3), 1, change), macKey);
    expect(report.firstBad?.line).toBe(2);
    expect(report.firstBad?.reason).toMatch(reason);
  });

  it('an unauthenticated refusal standing for 5 is allowed', () => {
    const text = resealed(chain(2), 1, (r) =>
      Object.assign(r, {
        client: null,
        person: null,
        organisation: null,
        sector: null,
        token: null,
        legalBasis: null,
        caseId: null,
        purpose: null,
        outcome: 'unauthenticated',
        count: 5,
      }),
    );
    expect(verifyChain(NAME, text, macKey).firstBad).toBeUndefined();
  });

  it('upper-case hex in prev is refused (hashes are lower-case)', () => {
    const text = resealed(chain(2), 0, (r) => (r.prev = GENESIS.toUpperCase().replace(/0/g, 'A')));
    expect(verifyChain(NAME, text, macKey).firstBad).toMatchObject({ line: 1 });
  });
});

describe('checkpoint form of §4', () => {
  const { privateKey } = generateKeyPairSync('ed25519');
  const jwk = privateKey.export({ format: 'jwk' });
  const signer = checkpointSigner({ d: jwk.d!, x: jwk.x! });
  const records = chain(3);
  const text = records.map(recordLine).join('');
  const good = signer.sign({ instance: 'i1', size: 3, headHash: records[2]!.hash, time: '2026-11-30T10:00:09.000Z' });
  const verify = (cp: unknown) =>
    verifyAudit([{ name: NAME, text }], { macKey, checkpoints: [cp as Checkpoint], trustedPublicKey: signer.publicKey })
      .checkpoints[0]!;

  it('a checkpoint of this log verifies', () => {
    expect(verify(good)).toMatchObject({ ok: true });
  });

  it('a validly signed checkpoint saying sectoken-checkpoint/2 is refused (the signed message does not hold the format field)', () => {
    expect(verify({ ...good, format: 'sectoken-checkpoint/2' })).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/format is not sectoken-checkpoint\/1/),
    });
  });

  it('a checkpoint with an extra field, or of size 0 with a head other than 64 zeros, is refused', () => {
    expect(verify({ ...good, note: 'x' })).toMatchObject({ ok: false });
    const empty = signer.sign({ instance: 'i1', size: 0, headHash: records[0]!.hash, time: good.time });
    expect(verify(empty)).toMatchObject({ ok: false, reason: expect.stringMatching(/size 0/) });
    expect(verify(signer.sign({ instance: 'i1', size: 0, headHash: GENESIS, time: good.time }))).toMatchObject({
      ok: true,
    });
  });

  it('the command line exits 2 on a checkpoint of another format', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sectoken-verify-rules-'));
    writeFileSync(join(dir, NAME), text);
    writeFileSync(join(dir, 'cp.json'), JSON.stringify({ ...good, format: 'sectoken-checkpoint/2' }));
    const r = runCli(
      ['audit', 'verify', join(dir, NAME), '--checkpoint', join(dir, 'cp.json'), '--public-key', signer.publicKey],
      { SECTOKEN_KEYRING: join(dir, 'none.json') },
    );
    expect(r.stdout).toMatch(
      /checkpoint i1@3: FAILED: not a sectoken checkpoint: format is not sectoken-checkpoint\/1/,
    );
    expect(r.status).toBe(2);
  });
});
