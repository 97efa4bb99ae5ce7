/**
 * An unknown body field, said usefully without echoing input: a field name is the caller's text and
 * could be a national ID or a token, so it is named only when it is a near miss of a field the
 * operation takes (a typo such as `nationalID`, which holds no identifier); the fields the
 * operation takes are always listed.
 */

/** Levenshtein distance, bounded: enough for short field names. */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++)
      row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[b.length]!;
}

const nearMiss = (given: string, known: readonly string[]): string | undefined =>
  given.length >= 4 && given.length <= 40 && /^[A-Za-z_]+$/.test(given)
    ? known.find((k) => k.toLowerCase() === given.toLowerCase() || distance(given, k) <= 2)
    : undefined;

export function unknownFieldsMessage(where: string, given: readonly string[], known: readonly string[]): string {
  const takes = known.length > 0 ? `; it takes ${known.join(', ')}` : '';
  for (const key of given) {
    const meant = nearMiss(key, known);
    if (meant) return `${where}: unknown field "${key}" (did you mean "${meant}"?)${takes}`;
  }
  return `${where}: unknown field${given.length > 1 ? 's' : ''}${takes}`;
}
