/** Ways a person might type one name that are still that name (src/config/canonicalName.ts). */

/** Full-width forms of printable ASCII (U+FF01..U+FF5E), as an East Asian keyboard types them. */
const fullWidth = (text: string): string =>
  text.replace(/[!-~]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));

/** Other spellings of `name` that are the same name: [how, spelling], each different from `name`. */
export function spellingsOf(name: string): [string, string][] {
  const spellings: [string, string][] = [
    ['decomposed (NFD)', name.normalize('NFD')],
    ['lower case', name.toLowerCase()],
    ['upper case', name.toUpperCase()],
    ['doubled inner spaces', name.replace(/ /g, '  ')],
    ['leading and trailing spaces', `  ${name} `],
    ['no-break spaces', name.replace(/ /g, '\u00a0')],
    ['an ideographic space', name.replace(' ', '\u3000')],
    ['full-width letters', fullWidth(name)],
    ['full-width, decomposed and lower case', fullWidth(name.normalize('NFD').toLowerCase())],
  ];
  return spellings.filter(([, typed]) => typed !== name);
}
