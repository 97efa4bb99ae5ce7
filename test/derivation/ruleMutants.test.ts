/**
 * Every rule of docs/DERIVATION.md is pinned by the vectors (§8). A compact reference derivation,
 * written here from the document on the project's own primitives (src/crypto FF1 and HMAC), has
 * each rule as a swappable step; unmutated it reproduces every vector, and each mutant (one rule
 * read differently: another white-space set, Unicode upper case, shifted rank offsets, a TNI not
 * zero-padded, v mod r, a check character over the body only, lengths in UTF-16 units, …) fails at
 * least one vector, reason labels included. A mutant stops at its first failing vector, so the
 * work is one pass over the vectors at most per mutant.
 */
import { isDeepStrictEqual } from 'node:util';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { ff1, type FF1 } from '../../src/crypto/ff1.js';
import { hmacSha256 } from '../../src/crypto/hmac.js';
import { readVector, type DerivationVectors, type NationalIdReason, type TokenReason } from './vectors.js';

const vectors = JSON.parse(readVector('derivation.json')) as DerivationVectors;

// ---------------------------------------------------------------------------------------------
// The vector sectors and keys, read raw (§8): formats from vector-sectors.json, keys from the keyring.
// ---------------------------------------------------------------------------------------------

type AlphabetName = 'digits' | 'alphanumeric' | 'crockford32' | 'hex';
interface Sector {
  id: string;
  policy: 'reversible' | 'one-way';
  alphabet: AlphabetName;
  length: number;
  check: boolean;
  /** k, the number of version characters (§4, 1 by default). */
  k: number;
  current: number;
  minVersion: number;
  keys: Map<number, Uint8Array>;
}

const keyringFile = JSON.parse(readVector('test-keyring.json')) as {
  root: string;
  sectors: Record<string, { current: number; minVersion: number; versions: Record<string, string> }>;
};
const formats = (
  JSON.parse(readVector('vector-sectors.json')) as {
    sectors: Record<
      string,
      {
        policy: Sector['policy'];
        alphabet: AlphabetName;
        length: number;
        checkCharacter?: boolean;
        versionCharacters?: number;
      }
    >;
  }
).sectors;
const key32 = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'base64url'));
const ROOT = key32(keyringFile.root);
const SECTORS = new Map<string, Sector>(
  Object.entries(formats).map(([id, f]) => {
    const ring = keyringFile.sectors[id]!;
    const keys = new Map(Object.entries(ring.versions).map(([v, key]) => [Number(v), key32(key)] as const));
    const sector: Sector = {
      id,
      policy: f.policy,
      alphabet: f.alphabet,
      length: f.length,
      check: f.checkCharacter ?? true,
      k: f.versionCharacters ?? 1,
      current: ring.current,
      minVersion: ring.minVersion,
      keys,
    };
    return [id, sector];
  }),
);

// ---------------------------------------------------------------------------------------------
// The reference derivation: every rule a step of `Rules`.
// ---------------------------------------------------------------------------------------------

const ID_COUNT = 779_999_220;
const DIGIT_BLOCK = 1_111_110;
const OFFSET = [0, 0, 10, 110, 1_110, 11_110, 111_110];
const TNI_SPACE = 1_000_000_000;
const ASCII_SPACE = /^[\t\n\v\f\r ]+|[\t\n\v\f\r ]+$/g;
const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
const asciiUpper = (s: string): string => s.replace(/[a-z]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 32));
const asciiTrim = (s: string): string => s.replace(ASCII_SPACE, '');
const codePoints = (s: string): number => [...s].length;

/** Notation: the n numerals of x in radix r, most significant first (x must fit). */
function numerals(x: bigint | number, r: number, n: number): number[] {
  let value = BigInt(x);
  const radix = BigInt(r);
  const out = new Array<number>(n);
  for (let i = n - 1; i >= 0; i--) {
    out[i] = Number(value % radix);
    value /= radix;
  }
  if (value !== 0n || BigInt(x) < 0n) throw new Error(`${x} does not fit in ${n} numerals of radix ${r}`);
  return out;
}
const NUM = (xs: readonly number[], r: number): bigint => xs.reduce((acc, d) => acc * BigInt(r) + BigInt(d), 0n);

type Read = { v: number; nationalId: string } | { reason: TokenReason } | 'not_reversible';
type Step2Test = 'length' | 'alphabet' | 'check';

interface Rules {
  // §2 national ID
  tooLong(input: string): boolean;
  trim(input: string): string;
  upper(s: string): string;
  shape(s: string): boolean;
  letterIndex(letters: string): number;
  digitIndex(digits: string): number;
  unrank(rank: number): string;
  tniInput(rank: number): number[];
  tniTweak: string;
  // §3 keys
  salt: string;
  tniInfo: string;
  sectorInfo(s: string, v: number, use: 'ff1' | 'hmac'): string;
  // §4 layout, alphabets, version characters, format limits
  accepts(sector: Sector): boolean;
  symbols(alphabet: AlphabetName): string;
  bodyLength(sector: Sector): number;
  versionValue(v: number, r: number, k: number): number;
  readV(values: number[], r: number): number;
  versionOf(w: number, sector: Sector, r: number): { v: number; verdict?: 'version' | 'retired' };
  // §5 body
  bodyInput(tni: number, r: number, n: number): number[];
  tokenTweak(s: string, v: number): string;
  macMessage(tni: number): Uint8Array;
  reduce(mac: Uint8Array, r: number, n: number): number[];
  // §6 check character
  checked(values: number[], k: number): number[];
  checkValue(values: number[], r: number): number;
  // §7 reading
  normalize(alphabet: AlphabetName, token: string): string;
  length(token: string): number;
  order: Step2Test[];
  versionBeforeStep2: boolean;
  oneWay: 'after-step-3' | 'before-step-3' | 'before-step-1';
  bodyOf(values: number[], k: number, n: number): number[];
  tniInRange(t: bigint): boolean;
  tNumerals(t: number): number[];
  rankInRange(rank: number): boolean;
}

const SYMBOLS: Record<AlphabetName, string> = {
  digits: '0123456789',
  alphanumeric: '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ',
  crockford32: '0123456789ABCDEFGHJKMNPQRSTVWXYZ',
  hex: '0123456789ABCDEF',
};

/** The hybrid recurrence of §6 as a parameter, so that mutants can change one line of it. */
function hybridCheck(
  values: number[],
  r: number,
  step = (p: number, a: number): number => {
    let s = (p + a) % r;
    if (s === 0) s = r;
    return (2 * s) % (r + 1);
  },
  target = 1,
): number {
  const p = values.reduce(step, r);
  return (((target - p) % r) + r) % r;
}

const REFERENCE: Rules = {
  tooLong: (input) => codePoints(input) > 64,
  trim: asciiTrim,
  upper: asciiUpper,
  shape: (s) => /^[A-Z]{1,2}[0-9]{1,6}$/.test(s),
  letterIndex: (l) =>
    l.length === 1 ? l.charCodeAt(0) - 65 : 26 + 26 * (l.charCodeAt(0) - 65) + (l.charCodeAt(1) - 65),
  digitIndex: (d) => OFFSET[d.length]! + Number(d),
  unrank(rank) {
    const letterIndex = Math.floor(rank / DIGIT_BLOCK);
    const digitIndex = rank % DIGIT_BLOCK;
    const letter = (i: number): string => String.fromCharCode(65 + i);
    const letters =
      letterIndex < 26
        ? letter(letterIndex)
        : letter(Math.floor((letterIndex - 26) / 26)) + letter((letterIndex - 26) % 26);
    let k = 6;
    while (digitIndex < OFFSET[k]!) k--;
    return letters + String(digitIndex - OFFSET[k]!).padStart(k, '0');
  },
  tniInput: (rank) => numerals(rank, 10, 9),
  tniTweak: 'sectoken/v1/tni',
  salt: 'sectoken/v1',
  tniInfo: 'sectoken/v1/tni/ff1',
  sectorInfo: (s, v, use) => `sectoken/v1/sector/${s}/${v}/${use}`,
  accepts(s) {
    const r = BigInt(SYMBOLS[s.alphabet].length);
    const domain = r ** BigInt(REFERENCE.bodyLength(s));
    const shape = s.policy === 'reversible' ? domain >= BigInt(TNI_SPACE) : 2n ** 96n <= domain && domain <= 2n ** 128n;
    return shape && s.length <= 64 && s.current <= Number(r) ** s.k && s.minVersion <= s.current;
  },
  symbols: (alphabet) => SYMBOLS[alphabet],
  bodyLength: (s) => s.length - s.k - (s.check ? 1 : 0),
  versionValue: (v, r, k) => v % r ** k,
  readV: (values, r) => Number(NUM(values, r)),
  versionOf(w, sector, r) {
    const v = w >= 1 ? w : r ** sector.k;
    if (v > sector.current) return { v, verdict: 'version' };
    if (v < sector.minVersion) return { v, verdict: 'retired' };
    return { v };
  },
  bodyInput: (tni, r, n) => numerals(tni, r, n),
  tokenTweak: (s, v) => `sectoken/v1/token/${s}/${v}`,
  macMessage: (tni) => utf8(String(tni).padStart(9, '0')),
  reduce: (mac, r, n) => numerals(BigInt(`0x${Buffer.from(mac).toString('hex')}`) % BigInt(r) ** BigInt(n), r, n),
  checked: (values) => values,
  checkValue: (values, r) => hybridCheck(values, r),
  normalize(alphabet, token) {
    if (alphabet === 'digits') return token;
    const up = asciiUpper(token);
    return alphabet === 'crockford32' ? up.replace(/[IL]/g, '1').replace(/O/g, '0') : up;
  },
  length: codePoints,
  order: ['length', 'alphabet', 'check'],
  versionBeforeStep2: false,
  oneWay: 'after-step-3',
  bodyOf: (values, k, n) => values.slice(k, k + n),
  tniInRange: (t) => t < BigInt(TNI_SPACE),
  tNumerals: (t) => numerals(t, 10, 9),
  rankInRange: (rank) => rank < ID_COUNT,
};

interface Derivation {
  nationalId(input: string): { canonical: string; rank: number } | { reason: NationalIdReason };
  tni(rank: number): number;
  token(sector: Sector, v: number, tni: number): string;
  read(sector: Sector, token: string): Read;
}

function derivation(rules: Rules): Derivation {
  const derive = (ikm: Uint8Array, info: string): Uint8Array => hkdf(sha256, ikm, utf8(rules.salt), utf8(info), 32);
  const tniCipher = ff1(derive(ROOT, rules.tniInfo), 10, utf8(rules.tniTweak));
  const ciphers = new Map<string, FF1>();
  const sectorCipher = (s: Sector, v: number): FF1 => {
    const id = `${s.id}/${v}`;
    if (!ciphers.has(id))
      ciphers.set(
        id,
        ff1(
          derive(s.keys.get(v)!, rules.sectorInfo(s.id, v, 'ff1')),
          rules.symbols(s.alphabet).length,
          utf8(rules.tokenTweak(s.id, v)),
        ),
      );
    return ciphers.get(id)!;
  };

  const nationalId: Derivation['nationalId'] = (input) => {
    if (rules.tooLong(input)) return { reason: 'too-long' };
    const s = rules.upper(rules.trim(input));
    if (!rules.shape(s)) return { reason: 'shape' };
    const letters = s.replace(/[0-9].*$/s, '');
    return { canonical: s, rank: rules.letterIndex(letters) * DIGIT_BLOCK + rules.digitIndex(s.slice(letters.length)) };
  };

  const token: Derivation['token'] = (s, v, tni) => {
    const symbols = rules.symbols(s.alphabet);
    const r = symbols.length;
    const n = rules.bodyLength(s);
    const V = numerals(rules.versionValue(v, r, s.k), r, s.k);
    const B =
      s.policy === 'reversible'
        ? sectorCipher(s, v).encrypt(rules.bodyInput(tni, r, n))
        : rules.reduce(
            hmacSha256(derive(s.keys.get(v)!, rules.sectorInfo(s.id, v, 'hmac'))).mac(rules.macMessage(tni)),
            r,
            n,
          );
    const values = [...V, ...B];
    if (s.check) values.push(rules.checkValue(rules.checked(values, s.k), r));
    return values.map((x) => symbols[x]).join('');
  };

  const read: Derivation['read'] = (s, typed) => {
    if (s.policy === 'one-way' && rules.oneWay === 'before-step-1') return 'not_reversible';
    const symbols = rules.symbols(s.alphabet);
    const r = symbols.length;
    const token = rules.normalize(s.alphabet, typed); // step 1
    const chars = [...token];
    const inAlphabet = chars.every((c) => symbols.includes(c));
    const values = chars.map((c) => symbols.indexOf(c));
    const version = (): { v: number; verdict?: 'version' | 'retired' } =>
      rules.versionOf(rules.readV(values.slice(0, s.k), r), s, r);
    if (rules.versionBeforeStep2 && values.slice(0, s.k).every((x) => x >= 0) && values.length >= s.k) {
      const early = version().verdict;
      if (early) return { reason: early };
    }
    const passes: Record<Step2Test, () => boolean> = {
      length: () => rules.length(token) === s.length,
      alphabet: () => inAlphabet,
      check: () =>
        !s.check ||
        (inAlphabet &&
          values.length >= 2 &&
          rules.checkValue(rules.checked(values.slice(0, -1), s.k), r) === values.at(-1)),
    };
    for (const test of rules.order) if (!passes[test]()) return { reason: test }; // step 2
    if (s.policy === 'one-way' && rules.oneWay === 'before-step-3') return 'not_reversible';
    const { v, verdict } = version(); // step 3
    if (verdict) return { reason: verdict };
    if (s.policy === 'one-way') return 'not_reversible'; // step 4
    const n = rules.bodyLength(s);
    const t = NUM(sectorCipher(s, v).decrypt(rules.bodyOf(values, s.k, n)), r); // step 5
    if (!rules.tniInRange(t)) return { reason: 'tni-range' };
    const rank = Number(NUM(tniCipher.decrypt(rules.tNumerals(Number(t % BigInt(TNI_SPACE)))), 10)); // step 6
    if (!rules.rankInRange(rank)) return { reason: 'rank-range' };
    return { v, nationalId: rules.unrank(rank) };
  };

  return { nationalId, tni: (rank) => Number(NUM(tniCipher.encrypt(rules.tniInput(rank)), 10)), token, read };
}

// ---------------------------------------------------------------------------------------------
// Checking a derivation against the vectors, stopping at the first difference if asked.
// ---------------------------------------------------------------------------------------------

function attempt<T>(run: () => T): T | { threw: string } {
  try {
    return run();
  } catch (err) {
    return { threw: (err as Error).message };
  }
}

function* differences(rules: Rules): Generator<string> {
  for (const sector of SECTORS.values())
    if (!rules.accepts(sector)) yield `the format or keyring of sector ${sector.id} is refused`;
  const d = derivation(rules);
  const differs = (what: string, got: unknown, want: unknown): string | undefined =>
    isDeepStrictEqual(got, want)
      ? undefined
      : `${what}: ${JSON.stringify(got)}, the vector says ${JSON.stringify(want)}`;
  for (const n of vectors.nationalIds) {
    const want = n.reason !== undefined ? { reason: n.reason } : { canonical: n.canonical, rank: n.rank };
    const diff = differs(
      `national ID ${JSON.stringify(n.input)}`,
      attempt(() => d.nationalId(n.input)),
      want,
    );
    if (diff) yield diff;
  }
  for (const p of vectors.vectors) {
    const id = attempt(() => d.nationalId(p.nationalId));
    const tni = 'rank' in id ? attempt(() => d.tni(id.rank)) : id;
    const diff = differs(
      `person ${JSON.stringify(p.nationalId)}`,
      [id, typeof tni === 'number' ? String(tni).padStart(9, '0') : tni],
      [{ canonical: p.canonical, rank: p.rank }, p.tni],
    );
    if (diff) yield diff;
    if (typeof tni !== 'number') continue;
    for (const [sectorId, byVersion] of Object.entries(p.tokens)) {
      const sector = SECTORS.get(sectorId)!;
      for (const [version, token] of Object.entries(byVersion)) {
        const made = differs(
          `${sectorId} v${version} token of ${p.canonical}`,
          attempt(() => d.token(sector, Number(version), tni)),
          token,
        );
        if (made) yield made;
        const want: Read =
          sector.policy === 'one-way' ? 'not_reversible' : { v: Number(version), nationalId: p.canonical };
        const read = differs(
          `${sectorId} reading ${token}`,
          attempt(() => d.read(sector, token)),
          want,
        );
        if (read) yield read;
      }
    }
  }
  for (const bad of vectors.invalid) {
    const diff = differs(
      `${bad.sector} reading ${JSON.stringify(bad.token)} (${bad.case})`,
      attempt(() => d.read(SECTORS.get(bad.sector)!, bad.token)),
      { reason: bad.reason },
    );
    if (diff) yield diff;
  }
  for (const look of vectors.lookalikes) {
    const sector = SECTORS.get(look.sector)!;
    const diff = differs(
      `${look.sector} look-alike ${look.typed}`,
      attempt(() => [rules.normalize(sector.alphabet, look.typed), d.read(sector, look.typed)]),
      attempt(() => [look.canonical, d.read(sector, look.canonical)]),
    );
    if (diff) yield diff;
  }
}

const firstDifference = (rules: Rules): string | undefined => differences(rules).next().value ?? undefined;

// ---------------------------------------------------------------------------------------------
// The mutants: rule of the document → one step read differently.
// ---------------------------------------------------------------------------------------------

const UNICODE_SPACE_PY = '[\\t-\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]';
const strip =
  (set: string) =>
  (s: string): string =>
    s.replace(new RegExp(`^${set}+|${set}+$`, 'g'), '');
const offsetShifted =
  (k: number) =>
  (d: string): number =>
    (d.length === k ? OFFSET[k]! + 1 : OFFSET[d.length]!) + Number(d);
const crockfordEverywhere = (alphabet: AlphabetName, token: string): string =>
  alphabet === 'digits' ? token : asciiUpper(token).replace(/[IL]/g, '1').replace(/O/g, '0');

const MUTANTS: [rule: string, mutant: string, change: Partial<Rules>][] = [
  ['§2 an input of more than 64 characters is refused', 'no limit', { tooLong: () => false }],
  ['§2 an input of more than 64 characters is refused', 'limit 65', { tooLong: (s) => codePoints(s) > 65 }],
  ['§2 the limit applies before trimming', 'after trimming', { tooLong: (s) => codePoints(asciiTrim(s)) > 64 }],
  ['§2 lengths count code points', 'UTF-16 units', { tooLong: (s) => s.length > 64 }],
  ['§2 lengths count code points', 'UTF-8 bytes', { tooLong: (s) => Buffer.byteLength(s) > 64 }],
  ['§2 trim ASCII white space U+0009–U+000D, U+0020', "String#trim's Unicode set", { trim: (s) => s.trim() }],
  ['§2 trim ASCII white space U+0009–U+000D, U+0020', "Python str.strip's set", { trim: strip(UNICODE_SPACE_PY) }],
  ['§2 trim ASCII white space U+0009–U+000D, U+0020', 'spaces only', { trim: strip(' ') }],
  ['§2 trim ASCII white space U+0009–U+000D, U+0020', 'without VT and FF', { trim: strip('[\\t\\n\\r ]') }],
  ['§2 trim leading and trailing white space', 'leading only', { trim: (s) => s.replace(/^[\t-\r ]+/, '') }],
  ['§2 trim leading and trailing white space', 'trailing only', { trim: (s) => s.replace(/[\t-\r ]+$/, '') }],
  [
    '§2 trim leading and trailing white space',
    'inner white space removed too',
    { trim: (s) => s.replace(/[\t-\r ]/g, '') },
  ],
  ['§2 trim leading and trailing white space', 'no trimming', { trim: (s) => s }],
  ['§2 upper-case ASCII a–z only', 'String#toUpperCase', { upper: (s) => s.toUpperCase() }],
  ['§2 upper-case ASCII a–z only', 'NFKC, then upper case', { upper: (s) => asciiUpper(s.normalize('NFKC')) }],
  ['§2 upper-case ASCII a–z only', 'no upper-casing', { upper: (s) => s }],
  [
    '§2 ^[A-Z]{1,2}[0-9]{1,6}$ matches the whole string',
    'per line (multiline)',
    { shape: (s) => /^[A-Z]{1,2}[0-9]{1,6}$/m.test(s) },
  ],
  [
    '§2 ^[A-Z]{1,2}[0-9]{1,6}$ matches the whole string',
    'not anchored at the start',
    { shape: (s) => /[A-Z]{1,2}[0-9]{1,6}$/.test(s) },
  ],
  [
    '§2 ^[A-Z]{1,2}[0-9]{1,6}$ matches the whole string',
    'not anchored at the end',
    { shape: (s) => /^[A-Z]{1,2}[0-9]{1,6}/.test(s) },
  ],
  ['§2 ASCII letters and digits only', 'Unicode decimal digits', { shape: (s) => /^[A-Z]{1,2}\p{Nd}{1,6}$/u.test(s) }],
  [
    '§2 ASCII letters and digits only',
    'Unicode upper-case letters',
    { shape: (s) => /^\p{Lu}{1,2}[0-9]{1,6}$/u.test(s) },
  ],
  ['§2 1–2 letters', '1–3 letters', { shape: (s) => /^[A-Z]{1,3}[0-9]{1,6}$/.test(s) }],
  ['§2 1–6 digits', '1–7 digits', { shape: (s) => /^[A-Z]{1,2}[0-9]{1,7}$/.test(s) }],
  [
    '§2 letterIndex = 26 + 26·L0 + L1',
    '26 + L0 + 26·L1',
    {
      letterIndex: (l) =>
        l.length === 1 ? l.charCodeAt(0) - 65 : 26 + (l.charCodeAt(0) - 65) + 26 * (l.charCodeAt(1) - 65),
    },
  ],
  [
    '§2 letterIndex = 26 + 26·L0 + L1',
    'without the 26 of one-letter IDs',
    {
      letterIndex: (l) =>
        l.length === 1 ? l.charCodeAt(0) - 65 : 26 * (l.charCodeAt(0) - 65) + (l.charCodeAt(1) - 65),
    },
  ],
  ...[2, 3, 4, 5, 6].map((k): [string, string, Partial<Rules>] => [
    `§2 offset(${k}) = ${OFFSET[k]}`,
    `offset(${k}) + 1`,
    { digitIndex: offsetShifted(k) },
  ]),
  [
    '§2 leading zeros are significant (digitIndex = offset(k) + d)',
    'digit value only',
    { digitIndex: (d) => Number(d) },
  ],
  [
    '§2/§7 the rank is inverted with its leading zeros',
    'digits without leading zeros',
    { unrank: (rank) => REFERENCE.unrank(rank).replace(/^([A-Z]+)0+(?=\d)/, '$1') },
  ],
  ['§2 X = numerals of the rank, length 9', 'length 10', { tniInput: (rank) => numerals(rank, 10, 10) }],
  ['§2 TNI tweak ASCII("sectoken/v1/tni")', 'empty tweak', { tniTweak: '' }],
  ['§3 HKDF salt ASCII("sectoken/v1")', 'empty salt', { salt: '' }],
  ['§3 K_tni info "sectoken/v1/tni/ff1"', '"sectoken/v1/tni"', { tniInfo: 'sectoken/v1/tni' }],
  [
    '§3 K_ff1 info binds the version',
    'without the version',
    { sectorInfo: (s, _v, use) => `sectoken/v1/sector/${s}/${use}` },
  ],
  [
    '§3 v written in decimal without leading zeros',
    'zero-padded to 2 digits',
    { sectorInfo: (s, v, use) => `sectoken/v1/sector/${s}/${String(v).padStart(2, '0')}/${use}` },
  ],
  [
    '§3 K_mac info ends "/hmac"',
    '"/ff1", the key of FF1',
    { sectorInfo: (s, v) => `sectoken/v1/sector/${s}/${v}/ff1` },
  ],
  [
    '§4 reversible sectors need r^n ≥ 10^9',
    'r^n > 10^9',
    {
      accepts: (s) =>
        REFERENCE.accepts(s) &&
        !(s.policy === 'reversible' && SYMBOLS[s.alphabet].length ** REFERENCE.bodyLength(s) === TNI_SPACE),
    },
  ],
  [
    '§4 one-way sectors need 96 ≤ n·log2(r) ≤ 128',
    'below 128',
    {
      accepts: (s) =>
        REFERENCE.accepts(s) &&
        !(s.policy === 'one-way' && REFERENCE.bodyLength(s) * Math.log2(SYMBOLS[s.alphabet].length) >= 128),
    },
  ],
  [
    "§4 at most r^k versions in a sector's life",
    'fewer than r^k',
    { accepts: (s) => REFERENCE.accepts(s) && s.current < SYMBOLS[s.alphabet].length ** s.k },
  ],
  [
    '§4 crockford32 symbols 0-9 A-Z without I L O U',
    '0-9 A-V (base32hex)',
    { symbols: (a) => (a === 'crockford32' ? '0123456789ABCDEFGHIJKLMNOPQRSTUV' : SYMBOLS[a]) },
  ],
  ['§4 hex symbols 0-9 A-F', 'lower-case a-f', { symbols: (a) => (a === 'hex' ? '0123456789abcdef' : SYMBOLS[a]) }],
  [
    '§4 n = ℓ − k − (1 with a check character)',
    'one version character always',
    { bodyLength: (s) => s.length - 1 - (s.check ? 1 : 0) },
  ],
  ['§4 V = numerals of v mod r^k, length k', 'v mod r', { versionValue: (v, r) => v % r }],
  ['§4 V = numerals of v mod r^k, length k', '(v − 1) mod r^k', { versionValue: (v, r, k) => (v - 1) % r ** k }],
  ['§4 V = numerals of v mod r^k, length k', 'v, without the reduction (r^k has no value)', { versionValue: (v) => v }],
  [
    '§4 V read as NUM_r, most significant first',
    'least significant first',
    { readV: (values, r) => Number(NUM([...values].reverse(), r)) },
  ],
  [
    '§4 w = 0 is version r^k',
    'w = 0 is version 0',
    { versionOf: (w, s, r) => (w === 0 ? { v: 0, verdict: 'retired' } : REFERENCE.versionOf(w, s, r)) },
  ],
  [
    '§4 one version value per version',
    'the earlier window: the live version congruent to w',
    {
      versionOf: (w, s, r) => {
        for (let v = s.current; v >= s.minVersion; v--) if (v % r ** s.k === w) return { v };
        return { v: w, verdict: 'version' };
      },
    },
  ],
  [
    '§4 a version below minVersion is retired',
    'answered as never made',
    {
      versionOf: (w, s, r) => {
        const got = REFERENCE.versionOf(w, s, r);
        return got.verdict === 'retired' ? { v: got.v, verdict: 'version' } : got;
      },
    },
  ],
  [
    '§4 v > current is invalid',
    'v ≥ current',
    {
      versionOf: (w, s, r) =>
        REFERENCE.versionOf(w, s, r).v === s.current
          ? { v: s.current, verdict: 'version' }
          : REFERENCE.versionOf(w, s, r),
    },
  ],
  [
    '§4 v < minVersion is retired',
    'v ≤ minVersion',
    {
      versionOf: (w, s, r) =>
        REFERENCE.versionOf(w, s, r).v === s.minVersion
          ? { v: s.minVersion, verdict: 'retired' }
          : REFERENCE.versionOf(w, s, r),
    },
  ],
  [
    '§5 X = numerals of the TNI in radix r, length n',
    'least significant first',
    { bodyInput: (tni, r, n) => numerals(tni, r, n).reverse() },
  ],
  [
    '§5 tweak ASCII("sectoken/v1/token/" + s + "/" + v)',
    'without the version',
    { tokenTweak: (s) => `sectoken/v1/token/${s}` },
  ],
  [
    '§5 HMAC message: the TNI as 9 decimal digits, zero-padded',
    'not zero-padded',
    { macMessage: (tni) => utf8(String(tni)) },
  ],
  [
    '§5 HMAC message: the TNI as 9 decimal digits, zero-padded',
    'padded with spaces',
    { macMessage: (tni) => utf8(String(tni).padStart(9, ' ')) },
  ],
  [
    '§5 B = numerals of (m mod r^n), m the whole 256-bit MAC',
    'm of the first 128 bits',
    { reduce: (mac, r, n) => REFERENCE.reduce(new Uint8Array([...new Uint8Array(16), ...mac.slice(0, 16)]), r, n) },
  ],
  [
    '§5 B = numerals of (m mod r^n), most significant first',
    'least significant first',
    { reduce: (mac, r, n) => REFERENCE.reduce(mac, r, n).reverse() },
  ],
  ['§6 the check character covers V || B', 'B only', { checked: (values, k) => values.slice(k) }],
  [
    '§6 if s = 0 then s = r',
    's stays 0',
    { checkValue: (values, r) => hybridCheck(values, r, (p, a) => (2 * ((p + a) % r)) % (r + 1)) },
  ],
  [
    '§6 p = (2·s) mod (r + 1)',
    'mod r',
    { checkValue: (values, r) => hybridCheck(values, r, (p, a) => (2 * ((p + a) % r || r)) % r) },
  ],
  ['§6 (p + c) mod r = 1', '(p + c) mod r = 0', { checkValue: (values, r) => hybridCheck(values, r, undefined, 0) }],
  [
    '§6 ISO 7064 hybrid system',
    'plain sum mod r',
    { checkValue: (values, r) => (((1 - values.reduce((a, b) => a + b, 0)) % r) + r) % r },
  ],
  [
    '§7.1 alphanumeric and hex upper-case',
    'hex kept as typed',
    { normalize: (a, t) => (a === 'hex' ? t : REFERENCE.normalize(a, t)) },
  ],
  [
    '§7.1 alphanumeric and hex upper-case',
    'alphanumeric kept as typed',
    { normalize: (a, t) => (a === 'alphanumeric' ? t : REFERENCE.normalize(a, t)) },
  ],
  [
    '§7.1 upper-casing is ASCII only',
    'String#toUpperCase',
    { normalize: (a, t) => REFERENCE.normalize(a, a === 'digits' ? t : t.toUpperCase()) },
  ],
  [
    '§7.1 crockford32 reads I and L as 1, O as 0',
    'L not read as 1',
    {
      normalize: (a, t) =>
        a === 'crockford32' ? asciiUpper(t).replace(/I/g, '1').replace(/O/g, '0') : REFERENCE.normalize(a, t),
    },
  ],
  [
    '§7.1 crockford32 reads I and L as 1, O as 0',
    'O not read as 0',
    { normalize: (a, t) => (a === 'crockford32' ? asciiUpper(t).replace(/[IL]/g, '1') : REFERENCE.normalize(a, t)) },
  ],
  [
    '§7.1 crockford32 reads I and L as 1, O as 0',
    'after upper-casing: i, l, o kept',
    {
      normalize: (a, t) =>
        a === 'crockford32' ? asciiUpper(t.replace(/[IL]/g, '1').replace(/O/g, '0')) : REFERENCE.normalize(a, t),
    },
  ],
  ['§7.1 only crockford32 reads look-alikes', 'every lettered alphabet', { normalize: crockfordEverywhere }],
  [
    '§7.1 digits is unchanged',
    'digits read O as 0',
    { normalize: (a, t) => (a === 'digits' ? t.replace(/O/g, '0') : REFERENCE.normalize(a, t)) },
  ],
  ['§7.1 nothing is stripped', 'white space trimmed', { normalize: (a, t) => REFERENCE.normalize(a, t.trim()) }],
  ['§7.1 nothing is stripped', 'hyphens removed', { normalize: (a, t) => REFERENCE.normalize(a, t.replace(/-/g, '')) }],
  ['§7.2 the length counts code points', 'UTF-16 units', { length: (t) => t.length }],
  ['§7.2 the length counts code points', 'UTF-8 bytes', { length: (t) => Buffer.byteLength(t) }],
  ['§7.2 length, then alphabet, then check', 'alphabet first', { order: ['alphabet', 'length', 'check'] }],
  ['§7.2 length, then alphabet, then check', 'check before alphabet', { order: ['length', 'check', 'alphabet'] }],
  ['§7.2 length, then alphabet, then check', 'check first', { order: ['check', 'length', 'alphabet'] }],
  ['§7.2 the check character is tested', 'not tested', { order: ['length', 'alphabet'] }],
  ['§7.3 the version after steps 1–2', 'before step 2', { versionBeforeStep2: true }],
  ['§7.4 one-way tokens stop after step 3', 'refused before step 1', { oneWay: 'before-step-1' }],
  ['§7.4 one-way tokens stop after step 3', 'stop before step 3', { oneWay: 'before-step-3' }],
  ['§7.5 B is the n symbols after V', 'the last n symbols', { bodyOf: (values, _k, n) => values.slice(-n) }],
  ['§7.5 t ≥ 10^9 is invalid', 'not tested (t mod 10^9)', { tniInRange: () => true }],
  [
    '§7.6 numerals of t, length 9',
    'as many numerals as t has digits',
    { tNumerals: (t) => numerals(t, 10, Math.max(1, String(t).length)) },
  ],
  [
    '§7.6 numerals of t, length 9',
    'at least 6 (the FF1 minimum)',
    { tNumerals: (t) => numerals(t, 10, Math.max(6, String(t).length)) },
  ],
  ['§7.6 rank ≥ 779 999 220 is invalid', 'not tested', { rankInRange: () => true }],
];

describe('every rule of DERIVATION.md is pinned by a vector', () => {
  it('the reference derivation written from the document reproduces every vector', () => {
    expect([...differences(REFERENCE)]).toEqual([]);
  });

  it.each(MUTANTS)('%s — mutant "%s" fails a vector', (_rule, _mutant, change) => {
    expect(firstDifference({ ...REFERENCE, ...change })).toEqual(expect.any(String));
  });

  it('the table covers every section of the derivation', () => {
    const sections = new Set(MUTANTS.map(([rule]) => /^§\d(\.\d)?/.exec(rule)![0].slice(0, 2)));
    expect(sections).toEqual(new Set(['§2', '§3', '§4', '§5', '§6', '§7']));
  });
});
