#!/usr/bin/python3
"""Independent reference implementation of the sectoken derivation, scheme version 1.

Written from docs/DERIVATION.md alone (plus the test keyring, the NIST FF1 samples and the
sector formats of test/vectors/vector-sectors.json); it does not look at the TypeScript sources.
It writes test/vectors/derivation.json (DERIVATION.md §8).

Run from the repository root with Debian's system Python:

    /usr/bin/python3 scripts/derivation_reference.py

Dependencies: the standard library, and `cryptography` (AES-ECB as FF1's CIPH).
The output is deterministic: re-running it gives the same file byte for byte.
"""

import base64
import hashlib
import hmac
import json
import os
import random
import re
import sys

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VECTORS = os.path.join(ROOT, "test", "vectors")
KEYRING_FILE = os.path.join(VECTORS, "test-keyring.json")
NIST_FILE = os.path.join(VECTORS, "nist-ff1.json")
SECTORS_FILE = os.path.join(VECTORS, "vector-sectors.json")
OUTPUT_FILE = os.path.join(VECTORS, "derivation.json")

SEED = 20261124  # fixed seed: the invalid-token search must give the same file every run


class InvalidToken(Exception):
    """§7: every failure is `invalid_token`; `reason` is kept only for the test vectors."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


class InvalidNationalId(Exception):
    """§2: `invalid_national_id`; `reason` (`too-long` or `shape`) is kept only for the vectors."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


class NotReversible(Exception):
    """§7 step 4: a one-way token is well formed but can never be opened."""


# ---------------------------------------------------------------------------------------------
# Notation (DERIVATION.md, preamble): numerals of x in radix r, length n; NUM_r.
# ---------------------------------------------------------------------------------------------

def numerals(x, radix, n):
    """The n base-`radix` digits of x, most significant first, zero-padded (0 <= x < radix^n)."""
    if not 0 <= x < radix ** n:
        raise ValueError(f"{x} does not fit in {n} numerals of radix {radix}")
    out = [0] * n
    for i in range(n - 1, -1, -1):
        x, out[i] = divmod(x, radix)
    return out


def num(digits, radix):
    """NUM_radix(X): the numeral string read as a big-endian base-`radix` integer."""
    x = 0
    for d in digits:
        x = x * radix + d
    return x


# ---------------------------------------------------------------------------------------------
# FF1 — NIST SP 800-38G (Rev. 1), Algorithm 7 (encrypt) and Algorithm 8 (decrypt), with AES as
# CIPH. Numeral strings are lists of ints. DERIVATION.md preamble: AES-256 for the scheme; the
# NIST samples also exercise AES-128 and AES-192, which the same code handles.
# ---------------------------------------------------------------------------------------------

class FF1:
    def __init__(self, key, radix):
        if not 2 <= radix <= 2 ** 16:
            raise ValueError("radix out of range")
        self.radix = radix
        # ECB on single blocks is exactly CIPH_K; one encryptor is reused for every block.
        self._ciph = Cipher(algorithms.AES(key), modes.ECB()).encryptor()

    def _ciph_block(self, block):
        return self._ciph.update(block)

    def _prf(self, data):
        """PRF(X) (Algorithm 6): CBC-MAC with a zero IV over the 16-byte blocks of X."""
        assert len(data) % 16 == 0
        y = bytes(16)
        for j in range(0, len(data), 16):
            y = self._ciph_block(bytes(a ^ b for a, b in zip(y, data[j:j + 16])))
        return y

    def _round_value(self, P, T, b, d, i, half):
        """Steps 6.i–6.iv: Q, R, S and y for round i over the numeral string `half`."""
        t = len(T)
        Q = (T + bytes((-t - b - 1) % 16) + bytes([i])
             + num(half, self.radix).to_bytes(b, "big"))
        R = self._prf(P + Q)
        S = R
        j = 1
        while len(S) < d:  # S = R || CIPH(R xor [1]^16) || CIPH(R xor [2]^16) ...
            S += self._ciph_block(bytes(a ^ c for a, c in zip(R, j.to_bytes(16, "big"))))
            j += 1
        return int.from_bytes(S[:d], "big")

    def _setup(self, T, n):
        radix = self.radix
        if n < 2 or radix ** n < 1_000_000:
            raise ValueError("FF1 domain too small (SP 800-38G Rev. 1: radix^minlen >= 10^6)")
        u = n // 2
        v = n - u
        # b = ceil(ceil(v * LOG2(radix)) / 8), computed exactly: ceil(log2(x)) = (x - 1).bit_length()
        b = ((radix ** v - 1).bit_length() + 7) // 8
        d = 4 * ((b + 3) // 4) + 4
        P = (bytes([1, 2, 1]) + radix.to_bytes(3, "big") + bytes([10, u % 256])
             + n.to_bytes(4, "big") + len(T).to_bytes(4, "big"))
        return u, v, b, d, P

    def encrypt(self, T, X):
        """Algorithm 7: FF1.Encrypt(K, T, X)."""
        n = len(X)
        u, v, b, d, P = self._setup(T, n)
        A, B = list(X[:u]), list(X[u:])
        for i in range(10):
            y = self._round_value(P, T, b, d, i, B)
            m = u if i % 2 == 0 else v
            c = (num(A, self.radix) + y) % self.radix ** m
            A, B = B, numerals(c, self.radix, m)
        return A + B

    def decrypt(self, T, Y):
        """Algorithm 8: FF1.Decrypt(K, T, Y)."""
        n = len(Y)
        u, v, b, d, P = self._setup(T, n)
        A, B = list(Y[:u]), list(Y[u:])
        for i in range(9, -1, -1):
            y = self._round_value(P, T, b, d, i, A)
            m = u if i % 2 == 0 else v
            c = (num(B, self.radix) - y) % self.radix ** m
            A, B = numerals(c, self.radix, m), A
        return A + B


def check_ff1_against_nist():
    """On start: the 9 NIST FF1 samples (radix 36 samples use the symbols 0-9a-z). Aborts on failure."""
    symbols = "0123456789abcdefghijklmnopqrstuvwxyz"
    with open(NIST_FILE) as f:
        samples = json.load(f)["samples"]
    if len(samples) != 9:
        sys.exit(f"expected 9 NIST FF1 samples, found {len(samples)}")
    for s in samples:
        ff1 = FF1(bytes.fromhex(s["key"]), s["radix"])
        T = bytes.fromhex(s["tweak"])
        X = [symbols.index(ch) for ch in s["plaintext"]]
        Y = ff1.encrypt(T, X)
        got = "".join(symbols[y] for y in Y)
        back = ff1.decrypt(T, Y)
        if got != s["ciphertext"] or back != X:
            sys.exit(f"FF1 self-test FAILED on NIST sample {s['sample']}: got {got}, "
                     f"want {s['ciphertext']}")


# ---------------------------------------------------------------------------------------------
# §2 National ID, rank and TNI
# ---------------------------------------------------------------------------------------------

# §2: trimming removes ASCII white space only: U+0009–U+000D and U+0020 (no other code point).
ASCII_WHITESPACE = frozenset("\u0009\u000A\u000B\u000C\u000D\u0020")

CANONICAL_RE = re.compile(r"[A-Z]{1,2}[0-9]{1,6}", re.ASCII)
MAX_INPUT = 64  # §2: an input of more than 64 characters (code points) is refused as it is

ID_COUNT = 779_999_220
DIGIT_BLOCK = 1_111_110
DIGIT_OFFSET = [None, 0, 10, 110, 1110, 11110, 111110]  # offset(k), k = number of digits
TNI_SPACE = 10 ** 9


def ascii_trim(s):
    start, end = 0, len(s)
    while start < end and s[start] in ASCII_WHITESPACE:
        start += 1
    while end > start and s[end - 1] in ASCII_WHITESPACE:
        end -= 1
    return s[start:end]


def canonicalize(national_id):
    """§2 Canonical form: at most 64 characters; trim, upper-case ASCII a–z only, then the whole
    string must match ^[A-Z]{1,2}[0-9]{1,6}$. Python's len() counts code points, as §2 does."""
    if len(national_id) > MAX_INPUT:
        raise InvalidNationalId("too-long")
    s = ascii_trim(national_id)
    s = "".join(chr(ord(c) - 32) if "a" <= c <= "z" else c for c in s)
    if not CANONICAL_RE.fullmatch(s):  # fullmatch: Python's `$` would accept a trailing "\n"
        raise InvalidNationalId("shape")
    return s


def rank(canonical):
    """§2 Rank: letterIndex · 1 111 110 + digitIndex."""
    letters = canonical.rstrip("0123456789")
    digits = canonical[len(letters):]
    values = [ord(c) - ord("A") for c in letters]
    if len(values) == 1:
        letter_index = values[0]
    else:
        letter_index = 26 + 26 * values[0] + values[1]
    digit_index = DIGIT_OFFSET[len(digits)] + int(digits, 10)
    return letter_index * DIGIT_BLOCK + digit_index


def unrank(r):
    """§2 / §7 step 6: the inverse of rank()."""
    if not 0 <= r < ID_COUNT:
        raise ValueError("rank out of range")
    letter_index, digit_index = divmod(r, DIGIT_BLOCK)
    if letter_index < 26:
        letters = chr(ord("A") + letter_index)
    else:
        l0, l1 = divmod(letter_index - 26, 26)
        letters = chr(ord("A") + l0) + chr(ord("A") + l1)
    k = max(k for k in range(1, 7) if DIGIT_OFFSET[k] <= digit_index)
    d = digit_index - DIGIT_OFFSET[k]
    return letters + str(d).zfill(k)


TNI_TWEAK = b"sectoken/v1/tni"


def tni_of_rank(k_tni, r):
    """§2 TNI = FF1(K_tni, 10, ASCII("sectoken/v1/tni"), numerals of rank in radix 10, length 9)."""
    return num(FF1(k_tni, 10).encrypt(TNI_TWEAK, numerals(r, 10, 9)), 10)


def rank_of_tni(k_tni, t):
    """§7 step 6: rank = NUM_10(FF1⁻¹(K_tni, 10, ASCII("sectoken/v1/tni"), numerals of t, length 9))."""
    return num(FF1(k_tni, 10).decrypt(TNI_TWEAK, numerals(t, 10, 9)), 10)


# ---------------------------------------------------------------------------------------------
# §3 Keys: HKDF-SHA256 (RFC 5869), salt ASCII("sectoken/v1"), 32-byte outputs
# ---------------------------------------------------------------------------------------------

def hkdf_sha256(ikm, salt, info, length):
    """RFC 5869 §2.2 Extract and §2.3 Expand, written out."""
    prk = hmac.new(salt, ikm, hashlib.sha256).digest()
    okm, block, counter = b"", b"", 1
    while len(okm) < length:
        block = hmac.new(prk, block + info + bytes([counter]), hashlib.sha256).digest()
        okm += block
        counter += 1
    return okm[:length]


def check_hkdf_against_rfc5869():
    """RFC 5869 Appendix A.1 (test case 1), so the hand-written HKDF is known good."""
    okm = hkdf_sha256(bytes([0x0B] * 22), bytes(range(0x0D)), bytes(range(0xF0, 0xFA)), 42)
    want = ("3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf"
            "34007208d5b887185865")
    if okm.hex() != want:
        sys.exit("HKDF self-test FAILED on RFC 5869 test case 1")


SALT = b"sectoken/v1"


def b64url_key(text):
    """§8: keyring keys are base64url without padding of 32 bytes; the IKM is those raw bytes."""
    raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    if len(raw) != 32:
        raise ValueError("keyring key is not 32 bytes")
    return raw


def k_tni(root):
    return hkdf_sha256(root, SALT, b"sectoken/v1/tni/ff1", 32)


def k_ff1(sector_key, s, v):
    return hkdf_sha256(sector_key, SALT, f"sectoken/v1/sector/{s}/{v}/ff1".encode("ascii"), 32)


def k_mac(sector_key, s, v):
    return hkdf_sha256(sector_key, SALT, f"sectoken/v1/sector/{s}/{v}/hmac".encode("ascii"), 32)


# ---------------------------------------------------------------------------------------------
# §4 Token layout, alphabets, version window, format limits
# ---------------------------------------------------------------------------------------------

ALPHABETS = {
    "digits": "0123456789",
    "alphanumeric": "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ",
    "crockford32": "0123456789ABCDEFGHJKMNPQRSTVWXYZ",
    "hex": "0123456789ABCDEF",
}


class Sector:
    """One sector: its format (config) and its key versions (keyring)."""

    def __init__(self, sid, fmt, ring):
        self.id = sid
        self.policy = fmt["policy"]
        self.alphabet = ALPHABETS[fmt["alphabet"]]
        self.alphabet_name = fmt["alphabet"]
        self.r = len(self.alphabet)
        self.length = fmt["length"]
        self.has_check = bool(fmt["checkCharacter"])
        self.k = fmt.get("versionCharacters", 1)  # §4: k version characters, 1 by default
        self.n = self.length - self.k - (1 if self.has_check else 0)  # §4
        self.current = ring["current"]
        self.min_version = ring["minVersion"]
        self.keys = {int(v): b64url_key(k) for v, k in ring["versions"].items()}
        self._check_limits()

    def _check_limits(self):
        # §3: every version in [minVersion, current] is present; §4: at most r^k versions ever.
        live = self.live_versions()
        if not live or any(v not in self.keys for v in live):
            raise ValueError(f"{self.id}: a live key version is missing")
        if self.current > self.r ** self.k:
            raise ValueError(f"{self.id}: more versions made than version values")
        # §4 Format limits.
        if self.length > 64:
            raise ValueError(f"{self.id}: length > 64")
        if self.policy == "reversible":
            if self.r ** self.n < TNI_SPACE:
                raise ValueError(f"{self.id}: r^n < 10^9")
        elif self.policy == "one-way":
            # 96 <= n·log2(r) <= 128, exactly: 2^96 <= r^n <= 2^128
            if not 2 ** 96 <= self.r ** self.n <= 2 ** 128:
                raise ValueError(f"{self.id}: n·log2(r) outside [96, 128]")
        else:
            raise ValueError(f"{self.id}: unknown policy")

    def live_versions(self):
        return list(range(self.min_version, self.current + 1))

    def version_values(self, v):
        """§4 V: numerals of (v mod r^k) in radix r, length k."""
        return numerals(v % self.r ** self.k, self.r, self.k)

    def version_of(self, values):
        """§4 Reading V: w = NUM_r(V); v = w if w >= 1 else r^k. Returns (v, verdict)."""
        w = num(values, self.r)
        v = w if w >= 1 else self.r ** self.k
        if v > self.current:
            return v, "version"
        if v < self.min_version:
            return v, "retired"
        return v, None

    def tweak(self, v):
        """§5 tweak: ASCII("sectoken/v1/token/" + s + "/" + v)."""
        return f"sectoken/v1/token/{self.id}/{v}".encode("ascii")


# ---------------------------------------------------------------------------------------------
# §5 Body
# ---------------------------------------------------------------------------------------------

def body(sector, v, t):
    """§5: the n body numerals for TNI t under key version v."""
    if sector.policy == "reversible":
        X = numerals(t, sector.r, sector.n)
        return FF1(k_ff1(sector.keys[v], sector.id, v), sector.r).encrypt(sector.tweak(v), X)
    M = hmac.new(k_mac(sector.keys[v], sector.id, v), f"{t:09d}".encode("ascii"),
                 hashlib.sha256).digest()
    m = int.from_bytes(M, "big")
    return numerals(m % sector.r ** sector.n, sector.r, sector.n)


# ---------------------------------------------------------------------------------------------
# §6 Check character: ISO/IEC 7064 hybrid system MOD (r+1, r)
# ---------------------------------------------------------------------------------------------

def check_value(values, r):
    """§6: c with (p + c) mod r = 1 after running the hybrid recurrence over `values`."""
    p = r
    for a in values:
        s = (p + a) % r
        if s == 0:
            s = r
        p = (2 * s) % (r + 1)
    return (1 - p) % r


def check_iso7064_known_answer():
    """MOD 11,10 known answer: the Croatian OIB uses ISO 7064 MOD 11,10 (e.g. 6943515153|0)."""
    if check_value([int(c) for c in "6943515153"], 10) != 0:
        sys.exit("ISO 7064 MOD 11,10 self-test FAILED")


# ---------------------------------------------------------------------------------------------
# §4–§6 Making a token
# ---------------------------------------------------------------------------------------------

def make_token(sector, v, t):
    """token = V || B || C (§4); B per §5; C per §6 over the values of V || B."""
    values = sector.version_values(v) + body(sector, v, t)
    if sector.has_check:
        values.append(check_value(values, sector.r))
    return "".join(sector.alphabet[x] for x in values)


def with_check(sector, values_without_check):
    """Helper for the invalid vectors: append the correct check character (§6)."""
    values = list(values_without_check)
    if sector.has_check:
        values.append(check_value(values, sector.r))
    return "".join(sector.alphabet[x] for x in values)


# ---------------------------------------------------------------------------------------------
# §7 Reading a token
# ---------------------------------------------------------------------------------------------

def normalize(sector, token):
    """§7 step 1. Upper-casing is ASCII only (a–z, Notation), for crockford32 too."""
    if sector.alphabet_name == "digits":
        return token
    up = "".join(chr(ord(c) - 32) if "a" <= c <= "z" else c for c in token)
    if sector.alphabet_name == "crockford32":
        up = up.replace("I", "1").replace("L", "1").replace("O", "0")
    return up


def read_token(sector, token, tni_key):
    """§7: returns (v, canonical national ID); raises InvalidToken(reason) or NotReversible."""
    token = normalize(sector, token)                                   # step 1
    if len(token) != sector.length:  # step 2, in this order; len() counts code points
        raise InvalidToken("length")
    if any(c not in sector.alphabet for c in token):
        raise InvalidToken("alphabet")
    values = [sector.alphabet.index(c) for c in token]
    if sector.has_check and check_value(values[:-1], sector.r) != values[-1]:
        raise InvalidToken("check")
    v, verdict = sector.version_of(values[:sector.k])                  # step 3
    if verdict is not None:
        raise InvalidToken(verdict)  # "retired" is answered token_retired, the rest invalid_token
    if sector.policy != "reversible":                                  # step 4
        raise NotReversible(v)
    B = values[sector.k:sector.k + sector.n]                           # step 5
    t = num(FF1(k_ff1(sector.keys[v], sector.id, v), sector.r).decrypt(sector.tweak(v), B),
            sector.r)
    if t >= TNI_SPACE:
        raise InvalidToken("tni-range")
    r = rank_of_tni(tni_key, t)                                        # step 6
    if r >= ID_COUNT:
        raise InvalidToken("rank-range")
    return v, unrank(r)


# ---------------------------------------------------------------------------------------------
# §8 Test vectors
# ---------------------------------------------------------------------------------------------

# National IDs whose tokens, in every sector under every live version, are vectors; main() adds
# the people whose TNI has 1, 5, 6 and 8 digits (small_tni_ids).
TOKEN_IDS = [
    "A0", "A00", "a1", " ab123456 ", "AB123456", "ZZ999999", "Z999999",
    "K1", "BE654321", "XY000001", "M12", "QR999",
]

NON_BMP_ONE = "\U0001D7CF"  # MATHEMATICAL BOLD DIGIT ONE: one code point, two UTF-16 units

# §2 alone: each input with its canonical form and rank, or the reason it is refused. Each line
# pins one reading of §2; its note is written into the vectors.
NATIONAL_ID_CASES = [
    # 1–2 letters, 1–6 digits; the rank's letter index and digit offsets; leading zeros count
    ("B7", "one letter, one digit"),
    ("C42", "two digits: offset(2) = 10"),
    ("D999", "three digits: offset(3) = 110"),
    ("E1234", "four digits: offset(4) = 1 110"),
    ("F12345", "five digits: offset(5) = 11 110"),
    ("G123456", "six digits: offset(6) = 111 110"),
    ("HJ0", "two letters, one digit"),
    ("KM07", "two letters, two digits, a leading zero"),
    ("NP007", "three digits, leading zeros"),
    ("QR0007", "four digits, leading zeros"),
    ("ST00007", "five digits, leading zeros"),
    ("UV000007", "six digits, leading zeros"),
    ("A0000", "four zeros"),
    ("A00000", "five zeros"),
    ("A000000", "six zeros"),
    ("AA0", "AA: letter index 26"),
    ("AZ5", "AZ: 26 + 26*0 + 25"),
    ("BA5", "BA: 26 + 26*1 + 0, the first letter weighs 26"),
    ("ZA1", "ZA: 26 + 26*25 + 0"),
    ("Z0", "Z: letter index 25"),
    # upper-casing
    ("ab12", "lower case"),
    ("aB12", "mixed case"),
    ("Ab12", "mixed case"),
    # trimming: each ASCII white-space character, leading and trailing
    ("\tA1", "leading TAB"), ("A1\t", "trailing TAB"),
    ("\nA1", "leading LF"), ("A1\n", "trailing LF: trimmed before the match"),
    ("\x0bA1", "leading VT"), ("A1\x0b", "trailing VT"),
    ("\x0cA1", "leading FF"), ("A1\x0c", "trailing FF"),
    ("\rA1", "leading CR"), ("A1\r", "trailing CR"),
    (" A1", "leading SPACE"), ("A1 ", "trailing SPACE"),
    ("A1\r\n", "trailing CR LF"),
    (" \t\n\x0b\x0c\rA1\r\x0c\x0b\n\t ", "all six ASCII white-space characters on both sides"),
    # white space is trimmed at the ends only
    ("A 1", "inner SPACE"),
    ("A\t1", "inner TAB"),
    ("A1 B2", "two IDs"),
    # the match is of the whole string, not of a line
    ("A1\nB2", "two lines: ^...$ is a whole-string match"),
    ("B2\n\nA1", "an ID on the last line only"),
    ("A1\n#", "an ID on the first line only"),
    # non-ASCII white space is not trimmed
    ("\u00a0A1", "leading NO-BREAK SPACE"), ("A1\u00a0", "trailing NO-BREAK SPACE"),
    ("A1\u3000", "trailing IDEOGRAPHIC SPACE"),
    ("\u2028A1", "leading LINE SEPARATOR"), ("A1\u2029", "trailing PARAGRAPH SEPARATOR"),
    ("\u0085A1", "leading NEXT LINE"), ("A1\u0085", "trailing NEXT LINE"),
    ("\ufeffA1", "leading ZERO WIDTH NO-BREAK SPACE (BOM)"),
    ("A1\u1680", "trailing OGHAM SPACE MARK"),
    ("A1\u2003", "trailing EM SPACE"),
    ("\u200bA1", "leading ZERO WIDTH SPACE"),
    ("\x1cA1", "leading FILE SEPARATOR (white space to Python's str.strip)"),
    ("A1\x1f", "trailing UNIT SEPARATOR (white space to Python's str.strip)"),
    # upper-casing is ASCII only, and nothing is normalized
    ("\u01311", "dotless i (Unicode upper case: I)"),
    ("\u017f1", "long s (Unicode upper case: S)"),
    ("\u00df1", "sharp s (Unicode upper case: SS)"),
    ("\ufb001", "ff ligature (Unicode upper case: FF)"),
    ("\u212a1", "KELVIN SIGN (NFKC: K)"),
    ("\uff211", "FULLWIDTH A"),
    ("\uff411", "FULLWIDTH a"),
    ("A\uff11", "FULLWIDTH DIGIT ONE"),
    ("A\u0661", "ARABIC-INDIC DIGIT ONE (a Unicode decimal digit)"),
    ("A\u00b9", "SUPERSCRIPT ONE"),
    ("A" + NON_BMP_ONE, "MATHEMATICAL BOLD DIGIT ONE (U+1D7CF)"),
    ("\U0001d4001", "MATHEMATICAL BOLD CAPITAL A (U+1D400)"),
    ("\u04101", "CYRILLIC CAPITAL A"),
    ("\u03911", "GREEK CAPITAL ALPHA"),
    # the shape
    ("", "empty"),
    ("   ", "blank"),
    ("A", "no digits"),
    ("12", "no letters"),
    ("ABC1", "three letters"),
    ("A1234567", "seven digits"),
    ("1A", "digits first"),
    ("A1B", "a letter after the digits"),
    ("A-1", "a hyphen"),
    ("A1\x00", "a trailing NUL"),
    ("A1\ud835", "a lone surrogate"),
    # the length limit: 64 characters, counted in code points, before trimming
    (" " * 62 + "A1", "64 characters with the padding: accepted"),
    ("A1" + "\t" * 62, "64 characters with the padding: accepted"),
    (" " * 63 + "A1", "65 characters: refused before trimming"),
    ("A" * 65, "65 characters of a wrong shape: the length is tested first"),
    (NON_BMP_ONE * 40, "40 code points (80 UTF-16 units): the limit counts code points"),
    ("\u00e9" * 40, "40 code points (80 bytes of UTF-8): the limit counts code points"),
]


def load_sectors():
    with open(KEYRING_FILE) as f:
        ring = json.load(f)
    with open(SECTORS_FILE) as f:
        config = json.load(f)
    sectors = []
    for sid, entry in ring["sectors"].items():  # keyring order
        sectors.append(Sector(sid, config["sectors"][sid], entry))
    if sorted(config["sectors"]) != sorted(ring["sectors"]):
        sys.exit("vector-sectors.json and test-keyring.json name different sectors")
    return b64url_key(ring["root"]), sectors


def check_rank_examples():
    """The worked examples of §2, and rank/unrank being inverse at the edges."""
    examples = {"A0": 0, "A9": 9, "A00": 10, "B0": 1_111_110, "AB123456": 30_234_536,
                "ZZ999999": 779_999_219}
    for cid, want in examples.items():
        if rank(cid) != want or unrank(want) != cid:
            sys.exit(f"rank self-test FAILED on {cid}")
    rng = random.Random(SEED)
    for r in [0, 1, 9, 10, 109, 110, 111_109, 111_110, 1_111_109, 1_111_110,
              25 * DIGIT_BLOCK + 1_111_109, 26 * DIGIT_BLOCK, ID_COUNT - 1]:
        if rank(unrank(r)) != r:
            sys.exit(f"unrank self-test FAILED on {r}")
    for _ in range(2000):
        r = rng.randrange(ID_COUNT)
        if rank(unrank(r)) != r:
            sys.exit(f"unrank self-test FAILED on {r}")


def national_id_vectors():
    out = []
    for given, note in NATIONAL_ID_CASES:
        try:
            canonical = canonicalize(given)
            out.append({"input": given, "canonical": canonical, "rank": rank(canonical),
                        "case": note})
        except InvalidNationalId as e:
            out.append({"input": given, "reason": e.reason, "case": note})
    return out


def small_tni_ids(tni_key):
    """People whose TNI has 1, 5, 6 and 8 digits, the first TNI from each start that is somebody's:
    the zero padding of the HMAC message (§5) and of t (§7 step 6) matters for them."""
    out = []
    for start, digits in ((0, 1), (10_000, 5), (100_000, 6), (10_000_000, 8)):
        t = start
        while rank_of_tni(tni_key, t) >= ID_COUNT:
            t += 1
        if len(str(t)) != digits:
            sys.exit(f"no TNI of {digits} digits found from {start}")
        out.append(unrank(rank_of_tni(tni_key, t)))
    return out


def expect_reason(sector, token, tni_key, reason, case):
    try:
        read_token(sector, token, tni_key)
    except InvalidToken as e:
        if e.reason != reason:
            sys.exit(f"{sector.id} {token!r} ({case}): expected {reason}, got {e.reason}")
        return {"sector": sector.id, "token": token, "reason": reason, "case": case}
    except NotReversible:
        pass
    sys.exit(f"{sector.id} {token!r} ({case}): expected {reason}, but it was accepted")


def random_valid_token(sector, rng, tni_key, v, want=None):
    """A valid token of a random person (optionally containing the string `want`)."""
    while True:
        t = tni_of_rank(tni_key, rng.randrange(ID_COUNT))
        tok = make_token(sector, v, t)
        if want is None or want in tok:
            return tok


# Symbols outside each alphabet after §7 step 1, with what each pins.
OUTSIDERS = {
    "digits": [("A", "a letter"), ("O", "O is read as 0 in crockford32 only"),
               ("\uff11", "FULLWIDTH DIGIT ONE"), ("\u0663", "ARABIC-INDIC DIGIT THREE")],
    "alphanumeric": [("-", "a hyphen"), ("\u00e9", "e acute: one code point, two bytes of UTF-8")],
    "crockford32": [("U", "U is not in Crockford's alphabet"), ("-", "a hyphen"),
                    ("*", "Crockford's check symbol *")],
    "hex": [("G", "G is not a hex digit"), ("O", "O is read as 0 in crockford32 only"),
            ("l", "l is read as 1 in crockford32 only")],
}

# Characters that Unicode upper-casing (String#toUpperCase, str.upper) turns into symbols of the
# alphabet: (character, the symbols it would become, note). §7 upper-cases ASCII only.
UNICODE_UPPER = {
    "digits": [],
    "alphanumeric": [("\u0131", "I", "dotless i"), ("\u017f", "S", "long s"),
                     ("\u00df", "SS", "sharp s"), ("\ufb01", "FI", "fi ligature")],
    "crockford32": [("\u0131", "1", "dotless i (I, read as 1)"), ("\u017f", "S", "long s")],
    "hex": [("\ufb00", "FF", "ff ligature")],
}


def replace_at(tok, pos, new, width=1):
    return tok[:pos] + new + tok[pos + width:]


def other_symbol(sector, rng, symbol):
    """A symbol of the alphabet other than `symbol`."""
    alpha, r = sector.alphabet, sector.r
    return alpha[(alpha.index(symbol) + 1 + rng.randrange(r - 1)) % r]


def invalid_vectors(sector, rng, tni_key, base):
    """§7 failures, each with the first step that fails and the rule it pins. `base` is a valid
    token of the sector's current version."""
    out = []
    alpha, r, L, k = sector.alphabet, sector.r, sector.length, sector.k

    def add(token, reason, case):
        out.append(expect_reason(sector, token, tni_key, reason, case))

    def pos():  # a position after the version characters
        return k + rng.randrange(L - k)

    # Step 2, length: counted in code points, of the whole string, nothing stripped.
    add(base[:-1], "length", "one symbol short")
    add(base + alpha[rng.randrange(r)], "length", "one symbol long")
    add("", "length", "empty")
    add(base + "\n", "length", "a trailing line feed: the whole string is the token")
    add(" " + base, "length", "a leading space: nothing is stripped")
    p = pos()
    add(base[:p] + "-" + base[p:], "length", "a hyphen inserted: nothing is stripped")
    add(base[:-2] + NON_BMP_ONE, "length",
        "U+1D7CF for the last two symbols: length - 1 code points, length UTF-16 units")
    p = pos()
    add(base[:p] + "*" + base[p:], "length",
        "one symbol long, with a symbol outside the alphabet: the length is tested first")
    if sector.has_check:
        short = base[:-1]
        values = [alpha.index(c) for c in short]
        if check_value(values[:-1], r) == values[-1]:
            short = replace_at(short, len(short) - 1, other_symbol(sector, rng, short[-1]))
        add(short, "length", "one symbol short, its last symbol not the check character of "
                             "the others: the length is tested before the check")

    # Step 2, alphabet.
    p = pos()
    add(replace_at(base, p, NON_BMP_ONE), "alphabet",
        "U+1D7CF for one symbol: length code points, length + 1 UTF-16 units")
    add(replace_at(base, pos(), " "), "alphabet", "a space for one symbol")
    for ch, note in OUTSIDERS[sector.alphabet_name]:
        add(replace_at(base, pos(), ch), "alphabet", note)
    for ch, target, note in UNICODE_UPPER[sector.alphabet_name]:
        tok = random_valid_token(sector, rng, tni_key, sector.current, target)
        i = tok.index(target)
        add(replace_at(tok, i, ch, len(target)), "alphabet" if len(target) == 1 else "length",
            f"{note} for {target}: upper-casing is ASCII only")

    # Step 2, check character: single substitutions, a swap of neighbours it detects.
    if sector.has_check:
        for _ in range(2):
            p = 1 + rng.randrange(L - 1)  # never V: changing V could also leave the window
            add(replace_at(base, p, other_symbol(sector, rng, base[p])), "check",
                "one symbol changed")
        while True:
            tok = random_valid_token(sector, rng, tni_key, sector.current)
            p = k + rng.randrange(L - k - 1)
            swapped = tok[:p] + tok[p + 1] + tok[p] + tok[p + 2:]
            values = [alpha.index(c) for c in swapped]
            if tok[p] != tok[p + 1] and check_value(values[:-1], r) != values[-1]:
                break
        add(swapped, "check", "two neighbouring symbols swapped")

    # Step 3: versions never made and retired ones, and that step 2 comes first for them.
    body_of_base = [alpha.index(c) for c in base[k:k + sector.n]]
    for reason in ("version", "retired"):
        ws = [w for w in range(r ** k) if sector.version_of(numerals(w, r, k))[1] == reason]
        if not ws:
            continue
        picks = sorted({ws[0], ws[len(ws) // 2], ws[-1]})
        for w in picks:
            v = w if w >= 1 else r ** k
            if v in sector.keys:
                tok = make_token(sector, v, tni_of_rank(tni_key, rng.randrange(ID_COUNT)))
                how = "a real token"
            else:
                tok = with_check(sector, numerals(w, r, k) + body_of_base)
                how = "a token"
            V = tok[:k]
            what = "never made" if reason == "version" else "retired"
            add(tok, reason, f"{how} of version {v} ({what}), version characters {V}")
        # The same with a step-2 failure as well: step 2's reason wins.
        w = picks[-1]
        tok = with_check(sector, numerals(w, r, k) + body_of_base)
        what = "never made" if reason == "version" else "retired"
        add(tok[:-1], "length", f"a version {what}, one symbol short: the length comes first")
        add(replace_at(tok, k + 1, OUTSIDERS[sector.alphabet_name][0][0]), "alphabet",
            f"a version {what}, a symbol outside the alphabet: the alphabet comes first")
        if sector.has_check:
            add(replace_at(tok, L - 1, other_symbol(sector, rng, tok[-1])), "check",
                f"a version {what}, a wrong check character: the check comes first")

    # Steps 5–6 (reversible): bodies with a correct check character that decrypt to a TNI
    # >= 10^9 (possible only when r^n > 10^9), or to a TNI of nobody. One per live version.
    if sector.policy == "reversible":
        reasons = (["tni-range"] if r ** sector.n > TNI_SPACE else []) + ["rank-range"]
        for reason in reasons:
            for v in sector.live_versions():
                ff1 = FF1(k_ff1(sector.keys[v], sector.id, v), r)
                while True:
                    B = [rng.randrange(r) for _ in range(sector.n)]
                    t = num(ff1.decrypt(sector.tweak(v), B), r)
                    if reason == "tni-range" and t >= TNI_SPACE:
                        break
                    if (reason == "rank-range" and t < TNI_SPACE
                            and rank_of_tni(tni_key, t) >= ID_COUNT):
                        break
                tok = with_check(sector, sector.version_values(v) + B)
                what = "at least 10^9" if reason == "tni-range" else "of nobody"
                add(tok, reason, f"version {v}: the body decrypts to a TNI {what}")
    return out


def lookalike_vectors(sector, tokens):
    """§7 step 1: tokens as a person might type them (lower case; for crockford32 also I/L/O
    read as 1/1/0) with the canonical token they read as."""
    out = []
    tokens = list(dict.fromkeys(tokens))  # the same person may appear twice (" ab123456 ")
    if sector.alphabet_name == "digits":
        return out
    lettered = [tok for tok in tokens if any(c.isalpha() for c in tok)]
    limit = None if sector.id in ("finance", "social") else 6
    for tok in lettered[:limit]:
        out.append({"sector": sector.id, "typed": tok.lower(), "canonical": tok})
    if sector.alphabet_name != "crockford32":
        return out
    sub = {"1": ["I", "L", "i", "l"], "0": ["O", "o"]}
    # Substitutions: prefer tokens that contain a 0 as well as a 1, so O/o are exercised too.
    with_01 = sorted((tok for tok in tokens if "0" in tok or "1" in tok),
                     key=lambda tok: ("0" not in tok, tokens.index(tok)))
    for j0, tok in enumerate(with_01[:4]):
        typed = []
        j = j0
        for c in tok:
            if c in sub:
                typed.append(sub[c][j % len(sub[c])])
                j += 1
            else:
                typed.append(c.lower() if j0 % 2 else c)
        out.append({"sector": sector.id, "typed": "".join(typed), "canonical": tok})
    return out


def main():
    check_ff1_against_nist()        # §0 notation: FF1 must match NIST before anything else
    check_hkdf_against_rfc5869()    # §3
    check_iso7064_known_answer()    # §6
    check_rank_examples()           # §2

    root, sectors = load_sectors()
    tni_key = k_tni(root)
    rng = random.Random(SEED)

    national_ids = national_id_vectors()

    vectors = []
    tokens_by_sector = {s.id: [] for s in sectors}
    for given in TOKEN_IDS + small_tni_ids(tni_key):
        canonical = canonicalize(given)
        r = rank(canonical)
        t = tni_of_rank(tni_key, r)
        if rank_of_tni(tni_key, t) != r:
            sys.exit(f"TNI round trip FAILED for {given!r}")
        tokens = {}
        for sector in sectors:
            tokens[sector.id] = {}
            for v in sector.live_versions():
                tok = make_token(sector, v, t)
                tokens[sector.id][str(v)] = tok
                tokens_by_sector[sector.id].append(tok)
                # Round trip: reversible tokens read back to the canonical ID; one-way tokens
                # are well formed and stop at step 4 with the right version.
                try:
                    got = read_token(sector, tok, tni_key)
                    if sector.policy != "reversible" or got != (v, canonical):
                        sys.exit(f"round trip FAILED: {sector.id} v{v} {tok} -> {got}")
                except NotReversible as e:
                    if sector.policy == "reversible" or e.args[0] != v:
                        sys.exit(f"one-way check FAILED: {sector.id} v{v} {tok}")
        vectors.append({"nationalId": given, "canonical": canonical, "rank": r,
                        "tni": f"{t:09d}", "tokens": tokens})

    invalid, lookalikes = [], []
    for sector in sectors:
        invalid += invalid_vectors(sector, rng, tni_key, tokens_by_sector[sector.id][-1])
        for item in lookalike_vectors(sector, tokens_by_sector[sector.id]):
            try:
                read_token(sector, item["typed"], tni_key)
            except NotReversible:
                pass
            if normalize(sector, item["typed"]) != item["canonical"]:
                sys.exit(f"lookalike FAILED: {item}")
            lookalikes.append(item)

    out = {
        "source": "scripts/derivation_reference.py: independent implementation of "
                  "docs/DERIVATION.md (scheme version 1), written from the document alone; "
                  "FF1 checked against the NIST SP 800-38G samples",
        "keyring": "test-keyring.json",
        "sectors": "vector-sectors.json",
        "nationalIds": national_ids,
        "vectors": vectors,
        "invalid": invalid,
        "lookalikes": lookalikes,
    }
    with open(OUTPUT_FILE, "w", encoding="ascii") as f:
        json.dump(out, f, indent=2, ensure_ascii=True)
        f.write("\n")
    n_tokens = sum(len(vs) for vec in vectors for vs in vec["tokens"].values())
    n_refused = sum(1 for item in national_ids if "reason" in item)
    print(f"wrote {os.path.relpath(OUTPUT_FILE, ROOT)}: {len(national_ids)} national IDs "
          f"({n_refused} refused), {len(vectors)} people, {n_tokens} tokens, "
          f"{len(invalid)} invalid tokens, {len(lookalikes)} lookalikes")


if __name__ == "__main__":
    main()
