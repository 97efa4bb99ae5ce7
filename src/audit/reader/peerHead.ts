/**
 * The durable head of another instance's chain in the same audit directory (under node:cluster,
 * each worker writes its own `<instance>-w<n>`), so that whichever worker answers
 * GET /v1/audit/checkpoint can sign a checkpoint of any of them (docs/AUDIT.md §4). The head is
 * the one that chain's head marker records, taken only once the marker's MAC holds, the file still
 * holds the marked record where the marker says, and the chain up to it verifies with MACs.
 */
import { join } from 'node:path';
import { SectokenError } from '../../errors.js';
import { fileLines } from '../chain/lines.js';
import { auditFileName } from '../chain/files.js';
import { assertLogHoldsHead, readHeadMarker, type Head } from '../writer/marker.js';
import { verifyChain } from '../chain/verify.js';

const noCheckpoint = (instance: string, why: string): SectokenError =>
  new SectokenError('audit_unavailable', `no checkpoint of instance ${instance}: ${why}; run GET /v1/audit/verify`);

export function peerHead(dir: string, instance: string, macKey: Uint8Array): { size: number; headHash: string } {
  const name = auditFileName(instance);
  let head: Head | undefined;
  try {
    head = readHeadMarker(dir, instance, macKey);
    if (head) assertLogHoldsHead(join(dir, name), name, head);
  } catch (err) {
    if (err instanceof SectokenError) throw err;
    throw noCheckpoint(instance, 'its head marker or its file does not hold together');
  }
  if (!head) throw new SectokenError('not_found', 'no audit chain of that instance in this audit directory');
  let report;
  try {
    report = verifyChain(name, fileLines(join(dir, name), head.bytes), macKey);
  } catch {
    throw noCheckpoint(instance, 'its file cannot be read');
  }
  if (report.firstBad || report.records !== head.seq || report.headHash !== head.headHash)
    throw noCheckpoint(instance, 'its chain does not verify up to its head');
  return { size: head.seq, headHash: head.headHash };
}
