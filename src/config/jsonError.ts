/**
 * Where a JSON syntax error is, as line and column: "position 395" means nothing to an operator,
 * and some V8 messages quote the text (several lines) and give no position at all.
 */
const positionIn = (message: string): number | undefined => {
  const m = /at position (\d+)/.exec(message);
  return m ? Number(m[1]) : undefined;
};

/** Whether the first `p` characters already hold an error (not merely end early). */
function failsWithin(text: string, p: number): boolean {
  try {
    JSON.parse(text.slice(0, p));
    return false;
  } catch (err) {
    const message = (err as Error).message;
    const at = positionIn(message);
    if (at !== undefined) return at < p;
    return !message.includes('end of JSON input');
  }
}

/** The 0-based offset of the character that breaks the JSON: the shortest failing prefix's last one. */
function offsetOf(text: string, message: string): number {
  const given = positionIn(message);
  if (given !== undefined) return given;
  if (!failsWithin(text, text.length)) return text.length;
  let lo = 1;
  let hi = text.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (failsWithin(text, mid)) hi = mid;
    else lo = mid + 1;
  }
  return lo - 1;
}

/** "line 3, column 8: unexpected token '}'", one line, without quoting the text. */
export function jsonSyntaxError(text: string, err: unknown): string {
  const message = (err as Error).message;
  const offset = offsetOf(text, message);
  const before = text.slice(0, offset).split('\n');
  const what = message.includes('end of JSON input')
    ? 'the text ends too early'
    : message.split(/,\s*"|\s+in JSON at position|\s+at position|\s*\(line/)[0]!.trim();
  return `line ${before.length}, column ${before[before.length - 1]!.length + 1}: ${what}`;
}
