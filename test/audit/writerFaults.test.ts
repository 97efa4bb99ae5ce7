/**
 * The audit writer in process on real faulty file systems (src/audit/writer/log.ts, disk.ts,
 * auditDir.ts): a small tmpfs that fills up (ENOSPC), one mounted read-only (EROFS). Mounting
 * needs root: without it these tests fail (like test/audit/faults.test.ts, which does the same
 * through HTTP and the built server).
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { auditFileName } from '../../src/audit/chain/files.js';
import { verifyAudit } from '../../src/audit/chain/verify.js';
import { assertAuditDirWritable } from '../../src/audit/writer/auditDir.js';
import { auditDiskLow } from '../../src/audit/writer/disk.js';
import { openAuditLog, type AuditLog } from '../../src/audit/writer/log.js';
import { AuditStartError } from '../../src/audit/writer/startError.js';
import { fill, tmpfsMounts } from './tmpfs.js';

const macKey = randomBytes(32);
const scratch: string[] = [];
const mounts = tmpfsMounts();
const logs: AuditLog[] = [];

afterAll(async () => {
  for (const log of logs) await log.close().catch(() => undefined);
  mounts.unmountAll();
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});

/** A fresh tmpfs mounted with the options given (e.g. size=64k, ro). */
function tmpfs(options: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'sectoken-writer-fs-'));
  scratch.push(dir);
  const cannot = mounts.mount(dir, options);
  if (cannot) throw new Error(cannot);
  return dir;
}

const entry = (caseId: string) => ({
  act: 'reverse' as const,
  client: 'regulator-cndp',
  caseId,
  outcome: 'ok' as const,
});

describe('the free-space floor', () => {
  it('is low when the file system has less than the floor available, not when it has exactly the floor', () => {
    const dir = tmpfs('size=1m'); // 256 pages of 4 KiB, all free
    expect(auditDiskLow(dir, 1)).toBe(false);
    expect(auditDiskLow(dir, 2)).toBe(true);
    expect(auditDiskLow(dir, 0)).toBe(false);
  });

  it('is never low with no floor, even on a full disk, nor when the directory does not exist', () => {
    const dir = tmpfs('size=64k');
    fill(join(dir, 'filler'));
    expect(auditDiskLow(dir, 1)).toBe(true);
    expect(auditDiskLow(dir, 0)).toBe(false);
    expect(auditDiskLow(join(dir, 'missing'), 1)).toBe(false);
  });
});

describe('a full disk under the log', () => {
  it('when a record does not fit, then it is refused with the cause, the part written is cut off, and the log stays failed after space is freed', async () => {
    const dir = tmpfs('size=64k');
    const errors: unknown[] = [];
    const log = openAuditLog({ dir, instance: 'full', macKey, onFailure: (e) => errors.push(e) });
    logs.push(log);
    const first = await log.append(entry('CASE-1'));
    // Fill all but what is left of the log's own last page: the next record is written in part, then ENOSPC.
    fill(join(dir, 'filler'));
    const err = await log.append(entry(`CASE-${'X'.repeat(8000)}`)).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'audit_unavailable', cause: expect.objectContaining({ code: 'ENOSPC' }) });
    expect(errors).toEqual([expect.objectContaining({ code: 'ENOSPC' })]);
    expect(statSync(log.path).size).toBe(log.durableBytes());
    expect(log.head()).toEqual({ size: 1, headHash: first.hash });
    expect(log.writable()).toBe(false);

    unlinkSync(join(dir, 'filler'));
    await expect(log.append(entry('CASE-3'))).rejects.toMatchObject({ code: 'audit_unavailable' });
    expect(errors).toHaveLength(1);
    await log.close();
    const text = readFileSync(join(dir, auditFileName('full')), 'utf8');
    expect(verifyAudit([{ name: auditFileName('full'), text }], { macKey }).ok).toBe(true);

    const again = openAuditLog({ dir, instance: 'full', macKey });
    logs.push(again);
    expect(await again.append(entry('CASE-4'))).toMatchObject({ seq: 2, prev: first.hash });
    await again.close();
  });

  it('when the disk is full at start, then the start is refused naming the directory and ENOSPC, leaving no lock: it starts once space is freed', async () => {
    const dir = tmpfs('size=64k');
    fill(join(dir, 'filler'));
    expect(() => openAuditLog({ dir, instance: 'none', macKey })).toThrow(
      new AuditStartError(
        `the audit directory ${dir} cannot hold the audit log (no space left, ENOSPC): set SECTOKEN_AUDIT_DIR to a directory this process can write`,
      ),
    );
    expect(readdirSync(dir).filter((name) => name.startsWith('.lock-'))).toEqual([]);
    rmSync(join(dir, 'filler'));
    // At once, not a lease later: no empty lock file is taken for "a lock being taken right now".
    const log = openAuditLog({ dir, instance: 'none', macKey });
    await log.close();
  });
});

describe('a read-only file system', () => {
  it('is refused before forking, naming EROFS, whether the directory exists or would have to be made', () => {
    const dir = tmpfs('size=64k,ro');
    const refusal = (d: string) =>
      `the audit directory ${d} cannot hold the audit log (read-only file system, EROFS): set SECTOKEN_AUDIT_DIR to a directory this process can write`;
    expect(() => assertAuditDirWritable(dir)).toThrow(new AuditStartError(refusal(dir)));
    // Node's recursive mkdir reports a directory it cannot make on a read-only file system as ENOENT.
    expect(() => assertAuditDirWritable(join(dir, 'sub'))).toThrow(
      `the audit directory ${join(dir, 'sub')} cannot hold the audit log (cannot write, ENOENT)`,
    );
    expect(() => openAuditLog({ dir, instance: 'ro', macKey })).toThrow(new AuditStartError(refusal(dir)));
  });

  it('passes a writable directory on a writable tmpfs', () => {
    const dir = tmpfs('size=64k');
    mkdirSync(join(dir, 'audit'), { mode: 0o700 });
    expect(() => assertAuditDirWritable(join(dir, 'audit'))).not.toThrow();
  });
});
