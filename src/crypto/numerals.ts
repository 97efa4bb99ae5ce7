/** Numeral strings (SP 800-38G §4.5, STR^m_radix) of plain numbers: shared by FF1 and the token formats. */

/** STR^(to−from)_radix(value) into out[from..to), most significant numeral first; 0 ≤ value < 2^53. */
export function writeNumerals(out: number[], from: number, to: number, value: number, radix: number): void {
  for (let k = to - 1; k >= from; k--) {
    let q = Math.floor(value / radix);
    let digit = value - q * radix;
    // SP 800-38G §5.1 step 6vi works modulo; JS % (and this subtraction) can go negative there.
    if (digit < 0) {
      q -= 1;
      digit += radix;
    }
    out[k] = digit;
    value = q;
  }
}
