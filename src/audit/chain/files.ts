/**
 * The names the audit chain is known by on disk and in checkpoints (docs/AUDIT.md §3, §4), written
 * once: node-free, for the HTTP contract too.
 */
import { INSTANCE_ID } from '../../config/names.js';

/** The format line that begins a checkpoint's signed message and names its form. */
export const CHECKPOINT_FORMAT = 'sectoken-checkpoint/1';

/** Each instance's chain is one file of the audit directory: `audit-<instance>.jsonl`. */
export const auditFileName = (instance: string): string => `audit-${instance}.jsonl`;

const AUDIT_FILE = new RegExp(`^audit-(${INSTANCE_ID.source.slice(1, -1)})\\.jsonl$`);

/** The instance a file name is for, or null when the name is not audit-<instance>.jsonl. */
export const instanceOfFileName = (name: string): string | null => AUDIT_FILE.exec(name)?.[1] ?? null;
