/**
 * The verifier (docs/AUDIT.md §5): walks each instance's chain and reports the first bad record;
 * then checks that each given checkpoint is validly signed and that the log still extends it.
 * One instance has one chain in one file named for it: a file named for another instance, or two
 * files of one instance (a rewritten copy beside the original), are refused. Values are checked
 * against §1's rules and checkpoints against §4's form (src/audit/chain/recordRules.ts).
 */
import {
  bodyOfRecord,
  chainHash,
  GENESIS,
  lineOfBody,
  macMatches,
  RECORD_FORMS,
  recordForm,
  type AuditRecord,
} from './record.js';
import { checkpointSignatureValid, type Checkpoint } from './checkpoint.js';
import { bufferLines, type LineSource } from './lines.js';
import { checkpointValueProblem, recordValueProblem } from './recordRules.js';
import { auditFileName, instanceOfFileName } from './files.js';

export interface FileReport {
  name: string;
  instance: string | null;
  records: number;
  headHash: string;
  /** The first record that fails, 1-based line number, and why. */
  firstBad?: { line: number; reason: string };
  /** hash of record n is hashes[n - 1], for checkpoint checks. */
  hashes: string[];
  /** The first bad "record" is a last line without its line end (a batch being written, a crash): the records before it are valid. */
  tailCut?: true;
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
  files: Omit<FileReport, 'hashes' | 'tailCut'>[];
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

/** Why the chain does not extend (size, headHash) of a checkpoint or head, or undefined when it does. */
export function notExtending(
  file: FileReport,
  size: number,
  headHash: string,
  what = 'the checkpoint',
): string | undefined {
  if (file.firstBad && file.firstBad.line <= size)
    return `the log is invalid at record ${file.firstBad.line}, inside ${what}`;
  if (file.hashes.length < size) return `the log has ${file.hashes.length} records, ${what} ${size}: its tail was cut`;
  if (size > 0 && file.hashes[size - 1] !== headHash) return `the log does not extend ${what} (rewritten)`;
  return undefined;
}

/** An audit file's content: its text or bytes, or its lines read from disk (src/audit/chain/lines.ts). */
export type AuditContent = string | Buffer | LineSource;

/** Decodes a line as UTF-8 or throws: bytes that are not UTF-8 are refused, never replaced by U+FFFD (§2). */
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * The walk of §5 over one file: yields each valid record in order and returns the report, which
 * names the first bad record (the walk stops there). A last line without its line end is reported
 * as cut short after the valid records before it, which count (`tailCut`). `keepHashes`: whether
 * the report keeps every record's hash, for checkpoints (a reader that only reads does not).
 */
export function* chainWalk(
  name: string,
  content: AuditContent,
  macKey?: Uint8Array,
  keepHashes = true,
): Generator<AuditRecord, FileReport> {
  const named = instanceOfFileName(name);
  const report: FileReport = { name, instance: named, records: 0, headHash: GENESIS, hashes: [] };
  const source = typeof content === 'string' || Buffer.isBuffer(content) ? bufferLines(content) : content;
  let form = 1;
  for (const { bytes, cut } of source.lines()) {
    const bad = (reason: string): FileReport => ({ ...report, firstBad: { line: report.records + 1, reason } });
    if (cut) return { ...bad(CUT_SHORT), tailCut: true };
    let line: string;
    try {
      line = utf8.decode(bytes);
    } catch {
      return bad('not UTF-8 (its bytes were changed: a record is UTF-8 text)');
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      return bad('not a JSON record');
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return bad('not a JSON record');
    const fields = Object.keys(parsed);
    const v = recordForm((parsed as { v?: unknown }).v);
    if (v === undefined) return bad('v is not a record form of docs/AUDIT.md §1 (1 or 2)');
    if (fields.join(',') !== RECORD_FORMS[v].join(','))
      return bad(`fields missing, added or out of order (form v ${v})`);
    const record = parsed as AuditRecord;
    const bodyText = bodyOfRecord(parsed as Record<string, unknown>);
    if (chainHash(bodyText) !== record.hash) return bad('record modified (hash does not match its content)');
    // The bytes on disk must be exactly those that were hashed: not merely text that decodes alike.
    if (
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-conversion -- the record comes from a file that may be forged: its fields are typed string but not checked yet
      !Buffer.from(lineOfBody(bodyText, String(record.hash), String(record.mac)).slice(0, -1), 'utf8').equals(bytes)
    ) {
      return bad('record not in its canonical form (white space or escapes changed)');
    }
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-conversion -- the record comes from a file that may be forged: its fields are typed string but not checked yet
    if (macKey && !macMatches(macKey, record.hash, String(record.mac)))
      return bad('MAC invalid (forged or modified record)');
    const valueProblem = recordValueProblem(parsed as Record<string, unknown>);
    if (valueProblem) return bad(`value not allowed: ${valueProblem}`);
    report.instance ??= record.instance;
    if (named !== null && record.instance !== named)
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-conversion -- the record comes from a file that may be forged: its fields are typed string but not checked yet
      return bad(`record of instance ${String(record.instance)} in the file of instance ${named}`);
    if (record.instance !== report.instance || record.id !== `${record.instance}:${record.seq}`)
      return bad('record of another instance');
    if (v < form) return bad(`record of form v ${v} after one of form v ${form}: a chain's form never goes back`);
    if (record.seq !== report.records + 1)
      return bad(`expected record ${report.records + 1}, found ${record.seq} (records removed, inserted or reordered)`);
    if (record.prev !== report.headHash)
      return bad('chain broken (previous hash differs: records removed, inserted or reordered)');
    form = v;
    report.records += 1;
    report.headHash = record.hash;
    if (keepHashes) report.hashes.push(record.hash);
    yield record;
  }
  return report;
}

const CUT_SHORT = 'the last record is cut short (no line end)';

/** Runs a walk to its end, handing each record to `each`; gives what the walk returns. */
export function walkAll<T, R>(walk: Generator<T, R>, each: (item: T) => void = () => undefined): R {
  for (;;) {
    const step = walk.next();
    if (step.done) return step.value;
    each(step.value);
  }
}

export const verifyChain = (name: string, content: AuditContent, macKey?: Uint8Array): FileReport =>
  walkAll(chainWalk(name, content, macKey));

export function verifyAudit(
  files: { name: string; text: AuditContent }[],
  options: {
    macKey?: Uint8Array;
    checkpoints?: Checkpoint[];
    trustedPublicKey?: string;
    live?: { instance: string; size: number; headHash: string };
  } = {},
): VerifyReport {
  const reports = files.map((f) => verifyChain(f.name, f.text, options.macKey));
  const problems: string[] = [];
  for (const r of reports) {
    if (instanceOfFileName(r.name) === null)
      problems.push(`${r.name}: not named audit-<instance>.jsonl, so it is bound to no instance`);
  }
  const byInstance = new Map<string, string[]>();
  for (const r of reports)
    if (r.instance !== null) byInstance.set(r.instance, [...(byInstance.get(r.instance) ?? []), r.name]);
  for (const [instance, names] of byInstance) {
    if (names.length > 1)
      problems.push(
        `${names.length} files hold a chain of instance ${instance} (${names.join(', ')}): an instance has one chain`,
      );
  }
  const checkpoints = (options.checkpoints ?? []).map((cp): CheckpointReport => {
    const result = (ok: boolean, reason?: string): CheckpointReport => ({
      instance: cp.instance,
      size: cp.size,
      ok,
      ...(reason ? { reason } : {}),
    });
    // A checkpoint of another format or form is not one this document describes: refused, not guessed at.
    const formProblem = checkpointValueProblem(cp);
    if (formProblem) return result(false, `not a sectoken checkpoint: ${formProblem}`);
    if (!checkpointSignatureValid(cp, options.trustedPublicKey ?? cp.publicKey))
      return result(false, 'checkpoint signature invalid');
    const candidates = reports.filter((r) => r.instance === cp.instance);
    if (candidates.length === 0) return result(false, 'no log of this instance was given');
    if (candidates.length > 1) return result(false, 'several logs of this instance were given');
    const failed = notExtending(candidates[0]!, cp.size, cp.headHash);
    return failed === undefined ? result(true) : result(false, failed);
  });
  let live: LiveReport | undefined;
  if (options.live) {
    const { instance, size, headHash } = options.live;
    const file = auditFileName(instance);
    const own = reports.filter((r) => r.name === file);
    const reason =
      own.length === 0
        ? 'the file of this instance is missing'
        : notExtending(own[0]!, size, headHash, 'the head in memory');
    live = {
      instance,
      file,
      head: { size, headHash },
      ok: reason === undefined,
      ...(reason === undefined ? {} : { reason }),
    };
  }
  return {
    ok:
      reports.every((r) => !r.firstBad) &&
      checkpoints.every((c) => c.ok) &&
      problems.length === 0 &&
      live?.ok !== false,
    macChecked: options.macKey !== undefined,
    files: reports.map(({ hashes: _hashes, tailCut: _tailCut, ...rest }) => rest),
    checkpoints,
    problems,
    ...(live ? { live } : {}),
  };
}
