#!/usr/bin/python3
"""Independent reference implementation of the sectoken derivation, scheme version 1.

Written from docs/DERIVATION.md alone (plus the test keyring, the NIST FF1 samples and the
sector formats of config/sectoken.dev.json); it does not look at the TypeScript sources.
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
CONFIG_FILE = os.path.join(ROOT, "config", "sectoken.dev.json")
OUTPUT_FILE = os.path.join(VECTORS, "derivation.json")

SEED = 20261124  # fixed seed: the invalid-token search must give the same file every run


class InvalidToken(Exception):
    """§7: every failure is `invalid_token`; `reason` is kept only for the test vectors."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


class InvalidNationalId(Exception):
    """§2: `invalid_national_id`."""


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
    """§2 Canonical form: trim, upper-case ASCII a–z only, must match ^[A-Z]{1,2}[0-9]{1,6}$."""
    s = ascii_trim(national_id)
    s = "".join(chr(ord(c) - 32) if "a" <= c <= "z" else c for c in s)
    if not CANONICAL_RE.fullmatch(s):  # fullmatch: Python's `$` would accept a trailing "\n"
        raise InvalidNationalId(national_id)
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
    """§7 step 1. Upper-casing is ASCII only here (a–z), for crockford32 too (see report)."""
    if sector.alphabet_name == "digits":
        return token
    up = "".join(chr(ord(c) - 32) if "a" <= c <= "z" else c for c in token)
    if sector.alphabet_name == "crockford32":
        up = up.replace("I", "1").replace("L", "1").replace("O", "0")
    return up


def read_token(sector, token, tni_key):
    """§7: returns (v, canonical national ID); raises InvalidToken(reason) or NotReversible."""
    token = normalize(sector, token)                                   # step 1
    if len(token) != sector.length:                                    # step 2
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

NATIONAL_IDS = [
    "A0", "A00", "a1", " ab123456 ", "AB123456", "ZZ999999", "Z999999",
    "K1", "BE654321", "XY000001", "M12", "QR999",
]


def load_sectors():
    with open(KEYRING_FILE) as f:
        ring = json.load(f)
    with open(CONFIG_FILE) as f:
        config = json.load(f)
    sectors = []
    for sid, entry in ring["sectors"].items():  # keyring order
        sectors.append(Sector(sid, config["sectors"][sid], entry))
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


def expect_reason(sector, token, tni_key, reason):
    try:
        read_token(sector, token, tni_key)
    except InvalidToken as e:
        if e.reason != reason:
            sys.exit(f"{sector.id} {token!r}: expected {reason}, got {e.reason}")
        return {"sector": sector.id, "token": token, "reason": reason}
    sys.exit(f"{sector.id} {token!r}: expected {reason}, but it was accepted")


def random_valid_token(sector, rng, tni_key, v, want=None):
    """A valid token of a random person (optionally containing one of the symbols `want`)."""
    while True:
        t = tni_of_rank(tni_key, rng.randrange(ID_COUNT))
        tok = make_token(sector, v, t)
        if want is None or any(c in tok for c in want):
            return tok


def invalid_vectors(sector, rng, tni_key, valid_tokens):
    """§7 failures, each token invalid for exactly one reason (the first step that fails)."""
    out = []
    alpha, r, L = sector.alphabet, sector.r, sector.length
    live = sector.live_versions()
    base = valid_tokens[0]

    # length: one symbol short, one symbol long (extra symbol keeps the check of the prefix
    # irrelevant: the length test comes first), and the empty string.
    out.append(expect_reason(sector, base[:-1], tni_key, "length"))
    out.append(expect_reason(sector, base + alpha[rng.randrange(r)], tni_key, "length"))
    out.append(expect_reason(sector, "", tni_key, "length"))

    # alphabet: right length, one symbol outside the alphabet (after §7 normalization).
    outsiders = {
        "digits": ["A", "O", "\uFF11"],             # letter, O is not read as 0 here, fullwidth 1
        "alphanumeric": ["-", "\u0131", "\u017F"],  # dotless i / long s: Unicode-upper to I / S
        "crockford32": ["U", "-", "*"],             # U is not in Crockford's alphabet
        "hex": ["G", "-", "*"],
    }[sector.alphabet_name]
    for ch in outsiders:
        if ch == "\u0131":
            tok = random_valid_token(sector, rng, tni_key, sector.current, "I")
            pos = tok.index("I", 1) if "I" in tok[1:] else tok.index("I")
        elif ch == "\u017F":
            tok = random_valid_token(sector, rng, tni_key, sector.current, "S")
            pos = tok.index("S")
        else:
            tok = base
            pos = 1 + rng.randrange(L - 1)
        out.append(expect_reason(sector, tok[:pos] + ch + tok[pos + 1:], tni_key, "alphabet"))

    # check: change one symbol of a valid token (body or check character), fix nothing else.
    # Never position 0: changing V could also move it out of the version window.
    for tok in valid_tokens[:2]:
        pos = 1 + rng.randrange(L - 1)
        old = alpha.index(tok[pos])
        new = alpha[(old + 1 + rng.randrange(r - 1)) % r]
        out.append(expect_reason(sector, tok[:pos] + new + tok[pos + 1:], tni_key, "check"))

    # version: a valid body under version values never made (v > current), with the check
    # character recomputed; retired: tokens of versions below minVersion, real ones where the
    # keyring still has the retired key, else a random body.
    k, body_of_base = sector.k, [alpha.index(c) for c in base[sector.k:sector.k + sector.n]]
    for reason in ("version", "retired"):
        values_of = [w for w in range(r ** k) if sector.version_of(numerals(w, r, k))[1] == reason]
        for w in values_of[:2]:
            v = w if w >= 1 else r ** k
            if v in sector.keys:
                tok = make_token(sector, v, tni_of_rank(tni_key, rng.randrange(ID_COUNT)))
            else:
                tok = with_check(sector, numerals(w, r, k) + body_of_base)
            out.append(expect_reason(sector, tok, tni_key, reason))

    # tni-range and rank-range: random bodies (with a correct check character) until the body
    # decrypts to a TNI >= 10^9, resp. to a TNI whose rank is >= 779 999 220. One per live version.
    for reason in ("tni-range", "rank-range"):
        for v in live:
            ff1 = FF1(k_ff1(sector.keys[v], sector.id, v), r)
            while True:
                B = [rng.randrange(r) for _ in range(sector.n)]
                t = num(ff1.decrypt(sector.tweak(v), B), r)
                if reason == "tni-range" and t >= TNI_SPACE:
                    break
                if reason == "rank-range" and t < TNI_SPACE and rank_of_tni(tni_key, t) >= ID_COUNT:
                    break
            tok = with_check(sector, sector.version_values(v) + B)
            out.append(expect_reason(sector, tok, tni_key, reason))
    return out


def lookalike_vectors(sector, tokens):
    """§7 step 1 for crockford32: lower case and I/L/O read as 1/1/0."""
    out = []
    sub = {"1": ["I", "L", "i", "l"], "0": ["O", "o"]}
    tokens = list(dict.fromkeys(tokens))  # the same person may appear twice (" ab123456 ")
    for tok in tokens:
        out.append({"sector": sector.id, "typed": tok.lower(), "canonical": tok})
    # Substitutions: prefer tokens that contain a 0 as well as a 1, so O/o are exercised too.
    with_01 = sorted((tok for tok in tokens if "0" in tok or "1" in tok),
                     key=lambda tok: ("0" not in tok, tokens.index(tok)))
    for k, tok in enumerate(with_01[:4]):
        typed = []
        j = k
        for c in tok:
            if c in sub:
                typed.append(sub[c][j % len(sub[c])])
                j += 1
            else:
                typed.append(c.lower() if k % 2 else c)
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

    vectors = []
    tokens_by_sector = {s.id: [] for s in sectors}
    for given in NATIONAL_IDS:
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
                # Round trip (brief item 4): reversible tokens read back to the canonical ID;
                # one-way tokens are well formed and stop at step 4 with the right version.
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
        if sector.policy == "reversible":
            invalid += invalid_vectors(sector, rng, tni_key, tokens_by_sector[sector.id])
        if sector.alphabet_name == "crockford32":
            for item in lookalike_vectors(sector, tokens_by_sector[sector.id]):
                try:
                    read_token(sector, item["typed"], tni_key)
                    ok = True
                except NotReversible:
                    ok = True
                ok = ok and normalize(sector, item["typed"]) == item["canonical"]
                if not ok:
                    sys.exit(f"lookalike FAILED: {item}")
                lookalikes.append(item)

    out = {
        "source": "scripts/derivation_reference.py: independent implementation of "
                  "docs/DERIVATION.md (scheme version 1), written from the document alone; "
                  "FF1 checked against the NIST SP 800-38G samples",
        "keyring": "test-keyring.json",
        "vectors": vectors,
        "invalid": invalid,
        "lookalikes": lookalikes,
    }
    with open(OUTPUT_FILE, "w", encoding="ascii") as f:
        json.dump(out, f, indent=2, ensure_ascii=True)
        f.write("\n")
    n_tokens = sum(len(vs) for vec in vectors for vs in vec["tokens"].values())
    print(f"wrote {os.path.relpath(OUTPUT_FILE, ROOT)}: {len(vectors)} national IDs, "
          f"{n_tokens} tokens, {len(invalid)} invalid, {len(lookalikes)} lookalikes")


if __name__ == "__main__":
    main()
