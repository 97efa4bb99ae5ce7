/**
 * The shape of the input, checked before anything is written: the delimiter asked for, and a first
 * row wide enough for --column (a file split on the wrong character has one wide column, and every
 * row would come back invalid).
 */
import { BulkError } from './error.js';

/** Names an operator can type for characters a shell makes awkward. */
const NAMED: Record<string, string> = { tab: '\t', '\\t': '\t' };
const CANDIDATES = [',', ';', '\t', '|'];

const shown = (d: string): string => (d === '\t' ? 'tab' : `"${d}"`);
const flag = (d: string): string => (d === '\t' ? '--delimiter tab' : `--delimiter '${d}'`);

/** The --delimiter value as the one character it names, or a one-line refusal. */
export function delimiterOf(value: string): string {
  const d = NAMED[value] ?? value;
  if (d.length !== 1 || d === '"' || d === '\r' || d === '\n' || d.charCodeAt(0) > 0x7e)
    throw new BulkError(`--delimiter must be one character such as , or ';' or tab (got ${JSON.stringify(value)})`);
  return d;
}

/** Refuses a first row with fewer columns than --column, naming the delimiter the row seems to use. */
export function checkFirstRow(fields: string[], column: number, delimiter: string): void {
  if (fields.length >= column) return;
  const text = fields.join('');
  const counts = CANDIDATES.filter((c) => c !== delimiter).map((c) => ({ c, n: text.split(c).length - 1 }));
  const likely = counts.sort((a, b) => b.n - a.n).find((x) => x.n > 0 && x.n + 1 > fields.length);
  const has = `the first row has ${fields.length} column${fields.length === 1 ? '' : 's'} split on ${shown(delimiter)}`;
  throw new BulkError(
    likely
      ? `--column ${column}, but ${has}: it looks separated by ${shown(likely.c)}: add ${flag(likely.c)}`
      : `--column ${column}, but ${has}: check --column and --delimiter`,
  );
}
