/**
 * The small parts of the audit writer, in process: audited() (an act and its one record),
 * the reasons a start is refused (startError.ts), the audit directory checked before workers
 * fork (auditDir.ts), and what a record may say about a caller's token (tokenForAudit.ts).
 * Real files in a temporary directory; the faults that need a mount are in writerFaults.test.ts.
 */
import { statSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { recordsIn, scratchSpace } from './scratch.js';
import { OperatorError, SectokenError } from '../../src/errors.js';
import { assertAuditDirWritable } from '../../src/audit/writer/auditDir.js';
import { audited } from '../../src/audit/writer/audited.js';
import type { AuditLog } from '../../src/audit/writer/log.js';
import { markerFileName } from '../../src/audit/writer/marker.js';
import { AuditStartError, auditDirUnusable } from '../../src/audit/writer/startError.js';
import { MALFORMED, tokenForAudit } from '../../src/audit/writer/tokenForAudit.js';
import { createTokenizer } from '../../src/derivation/tokenizer.js';
import { generateKeyring } from '../../src/keys/keyring.js';

const scratch = scratchSpace('sectoken-writer-parts-');
const newLog = (): AuditLog => scratch.newLog('p');

describe('audited()', () => {
  const entry = { act: 'reverse' as const, client: 'regulator-cndp', sector: 'tax', caseId: 'CASE-1' };

  it('when the act succeeds, then its outcome and the fields it learned are recorded, and the record id is returned with its value', async () => {
    const log = newLog();
    const result = await audited(log, entry, () => ({
      value: 42,
      outcome: 'pending',
      extra: { requestId: 'req-1', act: 'translate' },
    }));
    expect(result).toEqual({ value: 42, auditId: 'p:1' });
    expect(recordsIn(log)).toEqual([
      expect.objectContaining({ ...entry, act: 'translate', requestId: 'req-1', outcome: 'pending', id: 'p:1' }),
    ]);
  });

  it('awaits an asynchronous act', async () => {
    const log = newLog();
    const result = await audited(log, entry, async () => {
      await new Promise((r) => setImmediate(r));
      return { value: 'v', outcome: 'ok' };
    });
    expect(result.value).toBe('v');
    expect(recordsIn(log)).toEqual([expect.objectContaining({ outcome: 'ok', requestId: null })]);
  });

  it('when the act is refused, then the refusal is recorded under its code and thrown as it was', async () => {
    const log = newLog();
    const refusal = new SectokenError('forbidden', 'no');
    await expect(
      audited(log, entry, () => {
        throw refusal;
      }),
    ).rejects.toBe(refusal);
    expect(recordsIn(log)).toEqual([expect.objectContaining({ ...entry, outcome: 'forbidden' })]);
  });

  it('when the act fails with audit_unavailable or an error that is no refusal, then nothing is recorded and it is thrown', async () => {
    const log = newLog();
    const unavailable = new SectokenError('audit_unavailable', 'gone');
    await expect(audited(log, entry, () => Promise.reject(unavailable))).rejects.toBe(unavailable);
    const bug = new Error('bug');
    await expect(audited(log, entry, () => Promise.reject(bug))).rejects.toBe(bug);
    expect(statSync(log.path).size).toBe(0);
  });

  it('when the record cannot be written, then the act is answered audit_unavailable and its value is dropped', async () => {
    const log = newLog();
    unlinkSync(join(log.path, '..', markerFileName('p')));
    await expect(audited(log, entry, () => ({ value: 'secret', outcome: 'ok' }))).rejects.toMatchObject({
      code: 'audit_unavailable',
    });
  });
});

describe('why a start is refused', () => {
  it('is an operator error named AuditStartError, its message as given', () => {
    const err = new AuditStartError('because');
    expect(err).toBeInstanceOf(OperatorError);
    expect(err.name).toBe('AuditStartError');
    expect(err.message).toBe('because');
  });

  it.each([
    ['EEXIST', 'not a directory'],
    ['ENOTDIR', 'not a directory'],
    ['EACCES', 'permission denied'],
    ['EPERM', 'not permitted'],
    ['EROFS', 'read-only file system'],
    ['ENOSPC', 'no space left'],
    ['EIO', 'cannot write'],
  ])('names an unusable audit directory and %s as "%s"', (code, why) => {
    const err = auditDirUnusable('/var/x', Object.assign(new Error('raw'), { code }));
    expect(err).toBeInstanceOf(AuditStartError);
    expect(err.message).toBe(
      `the audit directory /var/x cannot hold the audit log (${why}, ${code}): set SECTOKEN_AUDIT_DIR to a directory this process can write`,
    );
  });

  it('gives the message of an error without a code', () => {
    expect(auditDirUnusable('/d', new Error('odd')).message).toBe(
      'the audit directory /d cannot hold the audit log (odd): set SECTOKEN_AUDIT_DIR to a directory this process can write',
    );
  });
});

describe('the audit directory checked before forking', () => {
  it('is created (0700, with its parents) when missing, and passes when it exists', () => {
    const dir = join(scratch.tempDir(), 'a', 'b');
    assertAuditDirWritable(dir);
    expect(statSync(dir).isDirectory()).toBe(true);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(() => assertAuditDirWritable(dir)).not.toThrow();
  });

  it('is refused when it is a file, or under a file', () => {
    const file = join(scratch.tempDir(), 'file');
    writeFileSync(file, '');
    expect(() => assertAuditDirWritable(file)).toThrow(
      new AuditStartError(
        `the audit directory ${file} cannot hold the audit log (not a directory, EEXIST): set SECTOKEN_AUDIT_DIR to a directory this process can write`,
      ),
    );
    expect(() => assertAuditDirWritable(join(file, 'audit'))).toThrow(/\(not a directory, ENOTDIR\)/);
    const link = join(scratch.tempDir(), 'link');
    symlinkSync(file, link);
    expect(() => assertAuditDirWritable(link)).toThrow(/\(not a directory, EEXIST\)/);
  });
});

describe('what a record says about the token a caller sent', () => {
  const sectors = {
    tax: { policy: 'reversible', alphabet: 'alphanumeric', length: 9, checkCharacter: true },
    short: { policy: 'one-way', alphabet: 'crockford32', length: 8, checkCharacter: false },
  } as const;
  const tokenizer = createTokenizer({ sectors }, generateKeyring(Object.keys(sectors), false));
  const taxToken = tokenizer.tokenize('tax', 'AB123456').token;

  it('keeps a token of the sector, in canonical form, from anyone', () => {
    expect(tokenForAudit(tokenizer, 'tax', taxToken.toLowerCase(), 'other')).toBe(taxToken);
    expect(tokenForAudit(tokenizer, 'tax', taxToken, 'regulator')).toBe(taxToken);
  });

  it('keeps from a regulator what has the shape of a token, even when it does not open; from others, not', () => {
    const last = taxToken.at(-1) === 'A' ? 'B' : 'A';
    const typo = taxToken.slice(0, -1) + last;
    expect(tokenForAudit(tokenizer, 'tax', typo, 'regulator')).toBe(typo);
    expect(tokenForAudit(tokenizer, 'tax', typo, 'other')).toBe(MALFORMED);
  });

  it.each([
    ['too short', taxToken.slice(1)],
    ['too long', `${taxToken}0`],
    ['outside the alphabet', `${taxToken.slice(0, -1)}!`],
  ])('records (malformed), even from a regulator, for a string %s', (_what, token) => {
    expect(tokenForAudit(tokenizer, 'tax', token, 'regulator')).toBe(MALFORMED);
  });

  it('records (malformed) for an unknown sector', () => {
    expect(tokenForAudit(tokenizer, 'nope', taxToken, 'regulator')).toBe(MALFORMED);
  });

  it('never records the shape of a national ID, as typed or in canonical form', () => {
    expect(MALFORMED).toBe('(malformed)');
    expect(tokenForAudit(tokenizer, 'short', 'ab123456', 'regulator')).toBe(MALFORMED);
    // Crockford reads I and O as 1 and 0: canonical 10123456 is no national ID, but what was typed is.
    expect(tokenForAudit(tokenizer, 'short', 'IO123456', 'regulator')).toBe(MALFORMED);
    expect(tokenForAudit(tokenizer, 'short', 'io123456', 'regulator')).toBe(MALFORMED);
    expect(tokenForAudit(tokenizer, 'short', 'ABC12345', 'regulator')).toBe('ABC12345');
  });
});
