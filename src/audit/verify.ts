/**
 * The verifier (docs/AUDIT.md §5): walks each instance's chain and reports the first bad record;
 * then checks that each given checkpoint is validly signed and that the log still extends it.
 */
import { body, chainHash, FIELDS, GENESIS, macMatches, recordLine, type AuditRecord } from './record.js';
import { checkpointSignatureValid, type Checkpoint } from './checkpoint.js';

export interface FileReport {
  name: string;
  instance: string | null;
  records: number;
  headHash: string;
  /** The first record that fails, 1-based line number, and why. */
  firstBad?: { line: number; reason: string };
  /** hash of record n is hashes[n - 1], for checkpoint checks. */
  hashes: string[];
}

export interface CheckpointReport {
  instance: string;
  size: number;
  ok: boolean;
  reason?: string;
}

export interface VerifyReport {
  ok: boolean;
  macChecked: boolean;
  files: Array<Omit<FileReport, 'hashes'>>;
  checkpoints: CheckpointReport[];
}

export function verifyChain(name: string, text: string, macKey?: Uint8Array): FileReport {
  const report: FileReport = { name, instance: null, records: 0, headHash: GENESIS, hashes: [] };
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  else if (lines.length > 0) {
    return { ...report, firstBad: { line: lines.length, reason: 'the last record is cut short (no line end)' } };
  }
  for (let i = 0; i < lines.length; i++) {
    const bad = (reason: string): FileReport => ({ ...report, firstBad: { line: i + 1, reason } });
    let record: AuditRecord;
    try {
      record = JSON.parse(lines[i]!) as AuditRecord;
    } catch {
      return bad('not a JSON record');
    }
    if (typeof record !== 'object' || record === null || Object.keys(record).join(',') !== FIELDS.join(',')) return bad('fields missing, added or out of order');
    if (chainHash(body(record)) !== record.hash) return bad('record modified (hash does not match its content)');
    if (recordLine(record) !== `${lines[i]}\n`) return bad('record not in its canonical form (white space or escapes changed)');
    if (macKey && !macMatches(macKey, record.hash, String(record.mac))) return bad('MAC invalid (forged or modified record)');
    if (report.instance === null) report.instance = record.instance;
    if (record.instance !== report.instance || record.id !== `${record.instance}:${record.seq}`) return bad('record of another instance');
    if (record.seq !== report.records + 1) return bad(`expected record ${report.records + 1}, found ${record.seq} (records removed, inserted or reordered)`);
    if (record.prev !== report.headHash) return bad('chain broken (previous hash differs: records removed, inserted or reordered)');
    report.records += 1;
    report.headHash = record.hash;
    report.hashes.push(record.hash);
  }
  return report;
}

export function verifyAudit(
  files: Array<{ name: string; text: string }>,
  options: { macKey?: Uint8Array; checkpoints?: Checkpoint[]; trustedPublicKey?: string } = {},
): VerifyReport {
  const reports = files.map((f) => verifyChain(f.name, f.text, options.macKey));
  const checkpoints = (options.checkpoints ?? []).map((cp): CheckpointReport => {
    const result = (ok: boolean, reason?: string): CheckpointReport => ({ instance: cp.instance, size: cp.size, ok, ...(reason ? { reason } : {}) });
    if (!checkpointSignatureValid(cp, options.trustedPublicKey ?? cp.publicKey)) return result(false, 'checkpoint signature invalid');
    const file = reports.find((r) => r.instance === cp.instance);
    if (!file) return result(false, 'no log of this instance was given');
    if (file.firstBad && file.firstBad.line <= cp.size) return result(false, `the log is invalid at record ${file.firstBad.line}, inside the checkpoint`);
    if (file.hashes.length < cp.size) return result(false, `the log has ${file.hashes.length} records, the checkpoint ${cp.size}: its tail was cut`);
    if (cp.size > 0 && file.hashes[cp.size - 1] !== cp.headHash) return result(false, 'the log does not extend the checkpoint (rewritten)');
    return result(true);
  });
  return {
    ok: reports.every((r) => !r.firstBad) && checkpoints.every((c) => c.ok),
    macChecked: options.macKey !== undefined,
    files: reports.map(({ hashes: _hashes, ...rest }) => rest),
    checkpoints,
  };
}
