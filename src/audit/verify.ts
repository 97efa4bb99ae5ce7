/**
 * The verifier (docs/AUDIT.md §5): walks each instance's chain and reports the first bad record;
 * then checks that each given checkpoint is validly signed and that the log still extends it.
 * One instance has one chain in one file named for it: a file named for another instance, or two
 * files of one instance (a rewritten copy beside the original), are refused. Values are checked
 * against §1's rules and checkpoints against §4's form (src/audit/recordRules.ts).
 */
import { body, chainHash, FIELDS, GENESIS, lineOfBody, macMatches, type AuditRecord } from './record.js';
import { checkpointSignatureValid, type Checkpoint } from './checkpoint.js';
import { textLines, type LineSource } from './lines.js';
import { checkpointValueProblem, recordValueProblem } from './recordRules.js';

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
  /** What is wrong with the set of files as a whole: misnamed files, two chains for one instance. */
  problems: string[];
  /** The running instance's own file against the head it holds in memory (GET /v1/audit/verify). */
  live?: LiveReport;
}

export interface LiveReport {
  instance: string;
  file: string;
  /** The durable head the running log holds: the file must still hold record `size` with hash `headHash`. */
  head: { size: number; headHash: string };
  ok: boolean;
  reason?: string;
}

/** The instance a file name is for, or null when the name is not audit-<instance>.jsonl. */
export const instanceOfFileName = (name: string): string | null => /^audit-([A-Za-z0-9._-]{1,64})\.jsonl$/.exec(name)?.[1] ?? null;

/** Why the chain does not extend (size, headHash) of a checkpoint or head, or undefined when it does. */
export function notExtending(file: FileReport, size: number, headHash: string, what = 'the checkpoint'): string | undefined {
  if (file.firstBad && file.firstBad.line <= size) return `the log is invalid at record ${file.firstBad.line}, inside ${what}`;
  if (file.hashes.length < size) return `the log has ${file.hashes.length} records, ${what} ${size}: its tail was cut`;
  if (size > 0 && file.hashes[size - 1] !== headHash) return `the log does not extend ${what} (rewritten)`;
  return undefined;
}

/** An audit file's content: its text, or its lines read from disk (src/audit/lines.ts). */
export type AuditContent = string | LineSource;

export function verifyChain(name: string, content: AuditContent, macKey?: Uint8Array): FileReport {
  const named = instanceOfFileName(name);
  const report: FileReport = { name, instance: named, records: 0, headHash: GENESIS, hashes: [] };
  const source = typeof content === 'string' ? textLines(content) : content;
  if (!source.endsCleanly()) {
    let cut = 1;
    for (const _line of source.lines()) cut += 1;
    return { ...report, firstBad: { line: cut, reason: 'the last record is cut short (no line end)' } };
  }
  let i = 0;
  for (const line of source.lines()) {
    const bad = (reason: string): FileReport => ({ ...report, firstBad: { line: i + 1, reason } });
    let record: AuditRecord;
    try {
      record = JSON.parse(line) as AuditRecord;
    } catch {
      return bad('not a JSON record');
    }
    if (typeof record !== 'object' || record === null || Object.keys(record).join(',') !== FIELDS.join(',')) return bad('fields missing, added or out of order');
    const bodyText = body(record);
    if (chainHash(bodyText) !== record.hash) return bad('record modified (hash does not match its content)');
    if (lineOfBody(bodyText, record.hash, record.mac) !== `${line}\n`) return bad('record not in its canonical form (white space or escapes changed)');
    if (macKey && !macMatches(macKey, record.hash, String(record.mac))) return bad('MAC invalid (forged or modified record)');
    const valueProblem = recordValueProblem(record as unknown as Record<string, unknown>);
    if (valueProblem) return bad(`value not allowed: ${valueProblem}`);
    if (report.instance === null) report.instance = record.instance;
    if (named !== null && record.instance !== named) return bad(`record of instance ${String(record.instance)} in the file of instance ${named}`);
    if (record.instance !== report.instance || record.id !== `${record.instance}:${record.seq}`) return bad('record of another instance');
    if (record.seq !== report.records + 1) return bad(`expected record ${report.records + 1}, found ${record.seq} (records removed, inserted or reordered)`);
    if (record.prev !== report.headHash) return bad('chain broken (previous hash differs: records removed, inserted or reordered)');
    report.records += 1;
    report.headHash = record.hash;
    report.hashes.push(record.hash);
    i += 1;
  }
  return report;
}

export function verifyAudit(
  files: Array<{ name: string; text: AuditContent }>,
  options: { macKey?: Uint8Array; checkpoints?: Checkpoint[]; trustedPublicKey?: string; live?: { instance: string; size: number; headHash: string } } = {},
): VerifyReport {
  const reports = files.map((f) => verifyChain(f.name, f.text, options.macKey));
  const problems: string[] = [];
  for (const r of reports) {
    if (instanceOfFileName(r.name) === null) problems.push(`${r.name}: not named audit-<instance>.jsonl, so it is bound to no instance`);
  }
  const byInstance = new Map<string, string[]>();
  for (const r of reports) if (r.instance !== null) byInstance.set(r.instance, [...(byInstance.get(r.instance) ?? []), r.name]);
  for (const [instance, names] of byInstance) {
    if (names.length > 1) problems.push(`${names.length} files hold a chain of instance ${instance} (${names.join(', ')}): an instance has one chain`);
  }
  const checkpoints = (options.checkpoints ?? []).map((cp): CheckpointReport => {
    const result = (ok: boolean, reason?: string): CheckpointReport => ({ instance: cp.instance, size: cp.size, ok, ...(reason ? { reason } : {}) });
    // A checkpoint of another format or form is not one this document describes: refused, not guessed at.
    const formProblem = checkpointValueProblem(cp);
    if (formProblem) return result(false, `not a sectoken checkpoint: ${formProblem}`);
    if (!checkpointSignatureValid(cp, options.trustedPublicKey ?? cp.publicKey)) return result(false, 'checkpoint signature invalid');
    const candidates = reports.filter((r) => r.instance === cp.instance);
    if (candidates.length === 0) return result(false, 'no log of this instance was given');
    if (candidates.length > 1) return result(false, 'several logs of this instance were given');
    const failed = notExtending(candidates[0]!, cp.size, cp.headHash);
    return failed === undefined ? result(true) : result(false, failed);
  });
  let live: LiveReport | undefined;
  if (options.live) {
    const { instance, size, headHash } = options.live;
    const file = `audit-${instance}.jsonl`;
    const own = reports.filter((r) => r.name === file);
    const reason = own.length === 0 ? 'the file of this instance is missing' : notExtending(own[0]!, size, headHash, 'the head in memory');
    live = { instance, file, head: { size, headHash }, ok: reason === undefined, ...(reason === undefined ? {} : { reason }) };
  }
  return {
    ok: reports.every((r) => !r.firstBad) && checkpoints.every((c) => c.ok) && problems.length === 0 && live?.ok !== false,
    macChecked: options.macKey !== undefined,
    files: reports.map(({ hashes: _hashes, ...rest }) => rest),
    checkpoints,
    problems,
    ...(live ? { live } : {}),
  };
}
