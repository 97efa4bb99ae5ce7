/**
 * ISO/IEC 7064 hybrid system MOD (r+1, r) over numeral values (docs/DERIVATION.md §6): MOD 11,10
 * for digits, MOD 37,36 for alphanumerics, and the same construction for radix 16 and 32. It
 * catches every single substitution and almost every adjacent transposition, and its check
 * character is a symbol of the same alphabet, so legacy systems accept it.
 */
export function checkValue(numerals: readonly number[], radix: number): number {
  const p = finalProduct(numerals, radix);
  // Choose c with (p + c) mod r = 1.
  return (((1 - p) % radix) + radix) % radix;
}

/** True if the last numeral is the check character of the ones before it. */
export function hasValidCheck(numerals: readonly number[], radix: number): boolean {
  if (numerals.length < 2) return false;
  return (finalProduct(numerals.slice(0, -1), radix) + numerals[numerals.length - 1]!) % radix === 1;
}

function finalProduct(numerals: readonly number[], radix: number): number {
  let p = radix;
  for (const a of numerals) {
    let s = (p + a) % radix;
    if (s === 0) s = radix;
    p = (2 * s) % (radix + 1);
  }
  return p;
}
