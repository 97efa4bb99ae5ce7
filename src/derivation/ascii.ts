/**
 * ASCII-only upper-casing, so the rule is the same in every language: String#toUpperCase would
 * turn 'ı' into 'I' and 'ß' into 'SS', letting look-alikes through (DERIVATION.md §2, §4).
 */
export const asciiUpper = (s: string): string => s.replace(/[a-z]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 32));
