/**
 * The one form in which people and organisations are compared (dual control's "another person",
 * a basis's "another organisation", the configuration's refusal of two spellings of one name):
 * typed differently, one name is still one person.
 *
 * 1. Unicode NFKC: composed and decomposed accents agree (`é` = `e` + U+0301), and compatibility
 *    forms become their plain letters (full-width `Ａ` = `A`, no-break space = space).
 * 2. Case folding, as toUpperCase then toLowerCase: unlike toLowerCase alone this also folds `ß`
 *    to `ss` and a final `ς` to `σ`. It errs towards "the same person" (Turkish `ı` folds like
 *    `i`), which can only refuse an approval or a configuration, never grant one.
 * 3. NFKC again, as case mapping may leave a string unnormalized.
 * 4. Runs of white space (JavaScript `\s`: Unicode White_Space) become one space; ends trimmed.
 */
export function canonicalName(name: string): string {
  return name.normalize('NFKC').toUpperCase().toLowerCase().normalize('NFKC').replace(/\s+/gu, ' ').trim();
}
