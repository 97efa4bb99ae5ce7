/**
 * One CSV row as bytes (RFC 4180 §2): a field holding the delimiter, a quote or a line break is
 * enclosed in quotes, its quotes doubled (§2.6, §2.7); every other field is written as it is.
 * Fields are bytes held one latin1 character each (csvItems.ts), so they go back unchanged.
 */
function field(value: string, delimiter: string): string {
  const quote = value.includes(delimiter) || value.includes('"') || value.includes('\n') || value.includes('\r');
  return quote ? `"${value.replaceAll('"', '""')}"` : value;
}

/** `delimiter` is one ASCII character; `eol` the line break to end the row with. */
export function csvRow(fields: string[], delimiter: string, eol: string): Buffer {
  return Buffer.from(fields.map((f) => field(f, delimiter)).join(delimiter) + eol, 'latin1');
}
