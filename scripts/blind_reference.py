#!/usr/bin/python3
"""Independent reference implementation of sectoken's blind sectors.

Part 1 (the group and the protocol) is written from the RFCs alone: ristretto255 (RFC 9496),
expand_message_xmd with SHA-512 (RFC 9380 §5.3.1) and the VOPRF mode of RFC 9497 with the
ciphersuite ristretto255-SHA512. It is checked against RFC 9496 Appendix A.1/A.2 and RFC 9497
Appendix A.1.2 before anything is written.

Part 2 (the sector's key pair, the input and the token) is written from docs/DERIVATION.md alone;
it does not look at the TypeScript sources. It writes test/vectors/blind-reference.json.

Run from the repository root with Debian's system Python (standard library only):

    /usr/bin/python3 scripts/blind_reference.py           # check against the RFCs, write the file
    /usr/bin/python3 scripts/blind_reference.py --check   # the same, but exit 1 if the file differs
                                                          # (--check FILE compares FILE instead)

The output is deterministic: every blind and proof nonce is fixed.
"""

import base64
import hashlib
import hmac
import json
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VECTORS = os.path.join(ROOT, "test", "vectors")

# ---------------------------------------------------------------------------------------------
# Field GF(2^255 - 19) and the constants of RFC 9496 §4.1
# ---------------------------------------------------------------------------------------------

P = 2**255 - 19
L = 2**252 + 27742317777372353535851937790883648493  # the group order (RFC 9496 §4)

D = 37095705934669439343138083508754565189542113879843219016388785533085940283555
SQRT_M1 = 19681161376707505956807079304988542015446066515923890162744021073123829784752
SQRT_AD_MINUS_ONE = 25063068953384623474111414158702152701244531502492656460079210482610430750235
INVSQRT_A_MINUS_D = 54469307008909316920995813868745141605393597292927456921205312896311721017578
ONE_MINUS_D_SQ = 1159843021668779879193775521855586647937357759715417654439879720876111806838
D_MINUS_ONE_SQ = 40440834346308536858101042469323190826248399146238708352240133220865137265952


def check_constants():
    """The constants are what RFC 9496 §4.1 defines them to be (a = -1)."""
    assert D == (-121665 * pow(121666, -1, P)) % P
    assert SQRT_M1 * SQRT_M1 % P == P - 1 and not is_negative(SQRT_M1)
    assert SQRT_AD_MINUS_ONE * SQRT_AD_MINUS_ONE % P == (-D - 1) % P
    assert INVSQRT_A_MINUS_D * INVSQRT_A_MINUS_D * (-1 - D) % P == 1
    assert ONE_MINUS_D_SQ == (1 - D * D) % P
    assert D_MINUS_ONE_SQ == (D - 1) * (D - 1) % P


def is_negative(x):
    """RFC 9496 §4.1: a field element is negative when its canonical value is odd."""
    return x % P % 2 == 1


def ct_abs(x):
    return (-x) % P if is_negative(x) else x % P


def sqrt_ratio_m1(u, v):
    """RFC 9496 §4.2 SQRT_RATIO_M1: (was_square, the non-negative sqrt of u/v or of SQRT_M1*u/v)."""
    u %= P
    v %= P
    r = (u * pow(v, 3, P)) * pow(u * pow(v, 7, P), (P - 5) // 8, P) % P
    check = v * r * r % P
    correct_sign_sqrt = check == u
    flipped_sign_sqrt = check == (-u) % P
    flipped_sign_sqrt_i = check == (-u * SQRT_M1) % P
    if flipped_sign_sqrt or flipped_sign_sqrt_i:
        r = r * SQRT_M1 % P
    return correct_sign_sqrt or flipped_sign_sqrt, ct_abs(r)


# ---------------------------------------------------------------------------------------------
# ristretto255 elements: edwards25519 points in extended coordinates (X:Y:Z:T), x = X/Z,
# y = Y/Z, xy = T/Z, on -x^2 + y^2 = 1 + d x^2 y^2. Speed does not matter here.
# ---------------------------------------------------------------------------------------------

IDENTITY = (0, 1, 1, 0)


def point_add(p1, p2):
    """Unified addition on the twisted Edwards curve with a = -1 (Hisil–Wong–Carter–Dawson)."""
    x1, y1, z1, t1 = p1
    x2, y2, z2, t2 = p2
    a = (y1 - x1) * (y2 - x2) % P
    b = (y1 + x1) * (y2 + x2) % P
    c = 2 * D * t1 * t2 % P
    d = 2 * z1 * z2 % P
    e, f, g, h = b - a, d - c, d + c, b + a
    return (e * f % P, g * h % P, f * g % P, e * h % P)


def point_neg(p1):
    x, y, z, t = p1
    return ((-x) % P, y, z, (-t) % P)


def scalar_mult(k, point):
    """k * point by double-and-add over the bits of k mod L."""
    k %= L
    result = IDENTITY
    addend = point
    while k:
        if k & 1:
            result = point_add(result, addend)
        addend = point_add(addend, addend)
        k >>= 1
    return result


def _base_point():
    """The ed25519 base point (RFC 7748 / RFC 8032): y = 4/5, x non-negative."""
    y = 4 * pow(5, -1, P) % P
    was_square, x = sqrt_ratio_m1(y * y - 1, D * y * y + 1)
    assert was_square
    return (x, y, 1, x * y % P)


GENERATOR = _base_point()


def element_equal(p1, p2):
    """RFC 9496 §4.3.3: equal as ristretto255 elements (same coset of the 4-torsion)."""
    x1, y1, _, _ = p1
    x2, y2, _, _ = p2
    return (x1 * y2 - y1 * x2) % P == 0 or (y1 * y2 - x1 * x2) % P == 0


class InvalidEncoding(Exception):
    pass


def decode(data):
    """RFC 9496 §4.3.1 Decode: 32 bytes to an element, or InvalidEncoding."""
    if len(data) != 32:
        raise InvalidEncoding("not 32 bytes")
    s = int.from_bytes(data, "little")
    if s >= P or is_negative(s):  # non-canonical (top bit included) or negative
        raise InvalidEncoding("non-canonical or negative s")
    ss = s * s % P
    u1 = (1 - ss) % P
    u2 = (1 + ss) % P
    u2_sqr = u2 * u2 % P
    v = (-(D * u1 * u1) - u2_sqr) % P
    was_square, invsqrt = sqrt_ratio_m1(1, v * u2_sqr)
    den_x = invsqrt * u2 % P
    den_y = invsqrt * den_x * v % P
    x = ct_abs(2 * s * den_x)
    y = u1 * den_y % P
    t = x * y % P
    if not was_square or is_negative(t) or y == 0:
        raise InvalidEncoding("not the encoding of an element")
    return (x, y, 1, t)


def encode(point):
    """RFC 9496 §4.3.2 Encode: the canonical 32 bytes of an element."""
    x0, y0, z0, t0 = point
    u1 = (z0 + y0) * (z0 - y0) % P
    u2 = x0 * y0 % P
    _, invsqrt = sqrt_ratio_m1(1, u1 * u2 * u2)
    den1 = invsqrt * u1 % P
    den2 = invsqrt * u2 % P
    z_inv = den1 * den2 * t0 % P
    ix0 = x0 * SQRT_M1 % P
    iy0 = y0 * SQRT_M1 % P
    enchanted_denominator = den1 * INVSQRT_A_MINUS_D % P
    rotate = is_negative(t0 * z_inv)
    x, y = (iy0, ix0) if rotate else (x0, y0)
    den_inv = enchanted_denominator if rotate else den2
    if is_negative(x * z_inv):
        y = (-y) % P
    s = ct_abs(den_inv * (z0 - y))
    return s.to_bytes(32, "little")


def _map(t):
    """RFC 9496 §4.3.4 MAP: a field element to an edwards25519 point (the Elligator-like map)."""
    r = SQRT_M1 * t * t % P
    u = (r + 1) * ONE_MINUS_D_SQ % P
    v = (-1 - r * D) * (r + D) % P
    was_square, s = sqrt_ratio_m1(u, v)
    s_prime = (-ct_abs(s * t)) % P
    s = s if was_square else s_prime
    c = P - 1 if was_square else r
    n = (c * (r - 1) * D_MINUS_ONE_SQ - v) % P
    w0 = 2 * s * v % P
    w1 = n * SQRT_AD_MINUS_ONE % P
    w2 = (1 - s * s) % P
    w3 = (1 + s * s) % P
    return (w0 * w3 % P, w2 * w1 % P, w1 * w3 % P, w0 * w2 % P)


def derive_element(uniform64):
    """RFC 9496 §4.3.4 element derivation (one-way map) from 64 uniform bytes."""
    assert len(uniform64) == 64
    # Each half is read little-endian with its top bit masked: mod 2^255, then reduced mod p.
    r0 = int.from_bytes(uniform64[:32], "little") % 2**255 % P
    r1 = int.from_bytes(uniform64[32:], "little") % 2**255 % P
    return point_add(_map(r0), _map(r1))


def serialize_scalar(k):
    """RFC 9497 §4.1: ristretto255 scalars are 32 bytes little-endian, k in [0, L)."""
    return (k % L).to_bytes(32, "little")


def deserialize_scalar(data):
    k = int.from_bytes(data, "little")
    if len(data) != 32 or k >= L:
        raise InvalidEncoding("not a canonical scalar")
    return k


# ---------------------------------------------------------------------------------------------
# expand_message_xmd with SHA-512 (RFC 9380 §5.3.1)
# ---------------------------------------------------------------------------------------------

def i2osp(x, n):
    return x.to_bytes(n, "big")


def expand_message_xmd(msg, dst, len_in_bytes):
    b_in_bytes, s_in_bytes = 64, 128  # SHA-512: output and block sizes
    if len(dst) > 255:  # RFC 9380 §5.3.3
        dst = hashlib.sha512(b"H2C-OVERSIZE-DST-" + dst).digest()
    ell = -(-len_in_bytes // b_in_bytes)
    if ell > 255 or len_in_bytes > 65535:
        raise ValueError("expand_message_xmd: requested length too large")
    dst_prime = dst + i2osp(len(dst), 1)
    msg_prime = bytes(s_in_bytes) + msg + i2osp(len_in_bytes, 2) + i2osp(0, 1) + dst_prime
    b0 = hashlib.sha512(msg_prime).digest()
    b = [hashlib.sha512(b0 + i2osp(1, 1) + dst_prime).digest()]
    for i in range(2, ell + 1):
        chained = bytes(x ^ y for x, y in zip(b0, b[-1]))
        b.append(hashlib.sha512(chained + i2osp(i, 1) + dst_prime).digest())
    return b"".join(b)[:len_in_bytes]


# ---------------------------------------------------------------------------------------------
# RFC 9497, VOPRF mode, ciphersuite ristretto255-SHA512 (§4.1)
# ---------------------------------------------------------------------------------------------

MODE_VOPRF = 0x01
CONTEXT_STRING = b"OPRFV1-" + i2osp(MODE_VOPRF, 1) + b"-ristretto255-SHA512"  # §3.1


class VoprfError(Exception):
    """InvalidInputError, DeriveKeyPairError or VerifyError of RFC 9497."""


def hash_to_group(msg):
    """§4.1: HashToGroup = hash_to_ristretto255 (RFC 9380 Appendix B) with DST HashToGroup-ctx."""
    return derive_element(expand_message_xmd(msg, b"HashToGroup-" + CONTEXT_STRING, 64))


def hash_to_scalar(msg, dst=None):
    """§4.1: 64 bytes of expand_message_xmd read little-endian, mod L. Default DST HashToScalar-ctx."""
    if dst is None:
        dst = b"HashToScalar-" + CONTEXT_STRING
    return int.from_bytes(expand_message_xmd(msg, dst, 64), "little") % L


def length_prefixed(data):
    return i2osp(len(data), 2) + data


def derive_key_pair(seed, info):
    """§3.2.1 DeriveKeyPair(seed, info) -> (skS, pkS)."""
    derive_input = seed + length_prefixed(info)
    counter = 0
    sk = 0
    while sk == 0:
        if counter > 255:
            raise VoprfError("DeriveKeyPairError")
        sk = hash_to_scalar(derive_input + i2osp(counter, 1), b"DeriveKeyPair" + CONTEXT_STRING)
        counter += 1
    return sk, scalar_mult(sk, GENERATOR)


def blind(msg, blind_scalar):
    """§3.3.1 Blind with a given blind (the RFC's test vectors fix it)."""
    input_element = hash_to_group(msg)
    if element_equal(input_element, IDENTITY):
        raise VoprfError("InvalidInputError")
    return scalar_mult(blind_scalar, input_element)


def compute_composites(k, b, cs, ds):
    """§2.2.1 ComputeComposites, and ComputeCompositesFast when the key k is given (Z = k*M)."""
    bm = encode(b)
    seed_dst = b"Seed-" + CONTEXT_STRING
    seed = hashlib.sha512(length_prefixed(bm) + length_prefixed(seed_dst)).digest()
    m = IDENTITY
    z = IDENTITY
    for i, (c, d) in enumerate(zip(cs, ds)):
        transcript = (length_prefixed(seed) + i2osp(i, 2) + length_prefixed(encode(c))
                      + length_prefixed(encode(d)) + b"Composite")
        di = hash_to_scalar(transcript)
        m = point_add(scalar_mult(di, c), m)
        if k is None:
            z = point_add(scalar_mult(di, d), z)
    if k is not None:
        z = scalar_mult(k, m)
    return m, z


def _challenge(b, m, z, t2, t3):
    transcript = b"".join(length_prefixed(encode(e)) for e in (b, m, z, t2, t3)) + b"Challenge"
    return hash_to_scalar(transcript)


def generate_proof(k, a, b, cs, ds, r):
    """§2.2.1 GenerateProof with a given proof nonce r: proof = c || s."""
    m, z = compute_composites(k, b, cs, ds)
    t2 = scalar_mult(r, a)
    t3 = scalar_mult(r, m)
    c = _challenge(b, m, z, t2, t3)
    s = (r - c * k) % L
    return serialize_scalar(c) + serialize_scalar(s)


def verify_proof(a, b, cs, ds, proof):
    """§2.2.2 VerifyProof."""
    m, z = compute_composites(None, b, cs, ds)
    c = deserialize_scalar(proof[:32])
    s = deserialize_scalar(proof[32:])
    t2 = point_add(scalar_mult(s, a), scalar_mult(c, b))
    t3 = point_add(scalar_mult(s, m), scalar_mult(c, z))
    return _challenge(b, m, z, t2, t3) == c


def blind_evaluate_batch(sk, pk, blinded_elements, r):
    """§3.3.2 BlindEvaluate over a batch: every element under sk, one proof for the batch."""
    evaluated = [scalar_mult(sk, e) for e in blinded_elements]
    return evaluated, generate_proof(sk, GENERATOR, pk, blinded_elements, evaluated, r)


def _finalize_hash(msg, element):
    return hashlib.sha512(length_prefixed(msg) + length_prefixed(encode(element)) + b"Finalize").digest()


def finalize_batch(pk, inputs, blinds, evaluated, blinded, proof):
    """§3.3.2 Finalize: verify the batch's proof, unblind each element, hash."""
    if not verify_proof(GENERATOR, pk, blinded, evaluated, proof):
        raise VoprfError("VerifyError")
    return [_finalize_hash(x, scalar_mult(pow(bl, -1, L), e)) for x, bl, e in zip(inputs, blinds, evaluated)]


def evaluate(sk, msg):
    """§3.3.2 Evaluate: the server's output without the protocol (the same 64 bytes)."""
    input_element = hash_to_group(msg)
    if element_equal(input_element, IDENTITY):
        raise VoprfError("InvalidInputError")
    return _finalize_hash(msg, scalar_mult(sk, input_element))


# ---------------------------------------------------------------------------------------------
# What blind sectors share with the other sectors (DERIVATION.md §2, §3, §4, §6)
# ---------------------------------------------------------------------------------------------

class InvalidNationalId(Exception):
    pass


ASCII_WHITESPACE = "\t\n\v\f\r "  # §2: U+0009–U+000D and U+0020, no other code point


def canonicalize(national_id):
    """§2 canonical form: at most 64 code points; ASCII trim; ASCII upper-case; the whole string
    must be 1–2 letters A–Z then 1–6 digits 0–9 (ASCII)."""
    if len(national_id) > 64:
        raise InvalidNationalId("too-long")
    s = national_id.strip(ASCII_WHITESPACE)
    s = "".join(chr(ord(c) - 32) if "a" <= c <= "z" else c for c in s)
    letters = len(s) - len(s.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
    digits = s[letters:]
    if not (1 <= letters <= 2 and 1 <= len(digits) <= 6 and all(c in "0123456789" for c in digits)):
        raise InvalidNationalId("shape")
    return s


def hkdf_sha256(ikm, salt, info, length):
    """RFC 5869 §2.2 (extract) and §2.3 (expand)."""
    prk = hmac.new(salt, ikm, hashlib.sha256).digest()
    okm, block, i = b"", b"", 1
    while len(okm) < length:
        block = hmac.new(prk, block + info + bytes([i]), hashlib.sha256).digest()
        okm += block
        i += 1
    return okm[:length]


def check_hkdf():
    """RFC 5869 A.1 (test case 1)."""
    okm = hkdf_sha256(bytes([0x0B] * 22), bytes(range(13)), bytes(range(0xF0, 0xFA)), 42)
    if okm.hex() != ("3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf"
                     "34007208d5b887185865"):
        raise SystemExit("blind_reference: HKDF-SHA256 differs from RFC 5869 A.1")


def b64url_decode(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def b64url_encode(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


ALPHABETS = {  # §4: symbol value = position
    "digits": "0123456789",
    "alphanumeric": "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ",
    "crockford32": "0123456789ABCDEFGHJKMNPQRSTVWXYZ",
    "hex": "0123456789ABCDEF",
}


def numerals(x, radix, n):
    """§ Notation: the n base-radix digits of x, most significant first (0 <= x < radix^n)."""
    assert 0 <= x < radix**n
    out = []
    for _ in range(n):
        x, d = divmod(x, radix)
        out.append(d)
    return out[::-1]


def version_numerals(v, radix, k):
    """§4: V = numerals of (v mod r^k) in radix r, length k (version r^k is written 0)."""
    return numerals(v % radix**k, radix, k)


def check_value(values, radix):
    """§6: ISO/IEC 7064 hybrid MOD (r+1, r) over the numeral values."""
    p = radix
    for a in values:
        s = (p + a) % radix
        if s == 0:
            s = radix
        p = 2 * s % (radix + 1)
    return (1 - p) % radix


def check_iso7064():
    """The check characters python-stdnum computed (test/vectors/iso7064-check.json)."""
    with open(os.path.join(VECTORS, "iso7064-check.json")) as f:
        cases = json.load(f)["cases"]
    for case in cases:
        symbols = ALPHABETS[case["alphabet"]]
        got = symbols[check_value([symbols.index(c) for c in case["input"]], len(symbols))]
        if got != case["check"]:
            raise SystemExit(f"blind_reference: check character of {case['input']} differs from python-stdnum")


# ---------------------------------------------------------------------------------------------
# Self-checks against the RFCs' appendices (typed in from the RFC text)
# ---------------------------------------------------------------------------------------------

RFC9496_GENERATOR_MULTIPLES = [  # RFC 9496 A.1: encodings of 0*B … 15*B
    "0000000000000000000000000000000000000000000000000000000000000000",
    "e2f2ae0a6abc4e71a884a961c500515f58e30b6aa582dd8db6a65945e08d2d76",
    "6a493210f7499cd17fecb510ae0cea23a110e8d5b901f8acadd3095c73a3b919",
    "94741f5d5d52755ece4f23f044ee27d5d1ea1e2bd196b462166b16152a9d0259",
    "da80862773358b466ffadfe0b3293ab3d9fd53c5ea6c955358f568322daf6a57",
    "e882b131016b52c1d3337080187cf768423efccbb517bb495ab812c4160ff44e",
    "f64746d3c92b13050ed8d80236a7f0007c3b3f962f5ba793d19a601ebb1df403",
    "44f53520926ec81fbd5a387845beb7df85a96a24ece18738bdcfa6a7822a176d",
    "903293d8f2287ebe10e2374dc1a53e0bc887e592699f02d077d5263cdd55601c",
    "02622ace8f7303a31cafc63f8fc48fdc16e1c8c8d234b2f0d6685282a9076031",
    "20706fd788b2720a1ed2a5dad4952b01f413bcf0e7564de8cdc816689e2db95f",
    "bce83f8ba5dd2fa572864c24ba1810f9522bc6004afe95877ac73241cafdab42",
    "e4549ee16b9aa03099ca208c67adafcafa4c3f3e4e5303de6026e3ca8ff84460",
    "aa52e000df2e16f55fb1032fc33bc42742dad6bd5a8fc0be0167436c5948501f",
    "46376b80f409b29dc2b5f6f0c52591990896e5716f41477cd30085ab7f10301e",
    "e0c418f7c8d9c4cdd7395b93ea124f3ad99021bb681dfc3302a9d99a2e53e64e",
]

RFC9496_INVALID_ENCODINGS = [  # RFC 9496 A.2
    "00ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
    "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    "f3ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    "0100000000000000000000000000000000000000000000000000000000000000",
    "01ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    "ed57ffd8c914fb201471d1c3d245ce3c746fcbe63a3679d51b6a516ebebe0e20",
    "c34c4e1826e5d403b78e246e88aa051c36ccf0aafebffe137d148a2bf9104562",
    "c940e5a4404157cfb1628b108db051a8d439e1a421394ec4ebccb9ec92a8ac78",
    "47cfc5497c53dc8e61c91d17fd626ffb1c49e2bca94eed052281b510b1117a24",
    "f1c6165d33367351b0da8f6e4511010c68174a03b6581212c71c0e1d026c3c72",
    "87260f7a2f12495118360f02c26a470f450dadf34a413d21042b43b9d93e1309",
    "26948d35ca62e643e26a83177332e6b6afeb9d08e4268b650f1f5bbd8d81d371",
    "4eac077a713c57b4f4397629a4145982c661f48044dd3f96427d40b147d9742f",
    "de6a7b00deadc788eb6b6c8d20c0ae96c2f2019078fa604fee5b87d6e989ad7b",
    "bcab477be20861e01e4a0e295284146a510150d9817763caf1a6f4b422d67042",
    "2a292df7e32cababbd9de088d1d1abec9fc0440f637ed2fba145094dc14bea08",
    "f4a9e534fc0d216c44b218fa0c42d99635a0127ee2e53c712f70609649fdff22",
    "8268436f8c4126196cf64b3c7ddbda90746a378625f9813dd9b8457077256731",
    "2810e5cbc2cc4d4eece54f61c6f69758e289aa7ab440b3cbeaa21995c2f4232b",
    "3eb858e78f5a7254d8c9731174a94f76755fd3941c0ac93735c07ba14579630e",
    "a45fdc55c76448c049a1ab33f17023edfb2be3581e9c7aade8a6125215e04220",
    "d483fe813c6ba647ebbfd3ec41adca1c6130c2beeee9d9bf065c8d151c5f396e",
    "8a2e1d30050198c65a54483123960ccc38aef6848e1ec8f5f780e8523769ba32",
    "32888462f8b486c68ad7dd9610be5192bbeaf3b443951ac1a8118419d9fa097b",
    "227142501b9d4355ccba290404bde41575b037693cef1f438c47f8fbf35d1165",
    "5c37cc491da847cfeb9281d407efc41e15144c876e0170b499a96a22ed31e01e",
    "445425117cb8c90edcbc7c1cc0e74f747f2c1efa5630a967c64f287792a48a4b",
    "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
]

# RFC 9497 Appendix A.1.2, ristretto255-SHA512, VOPRF mode.
RFC9497_SEED = "a3" * 32
RFC9497_KEY_INFO = "74657374206b6579"  # "test key"
RFC9497_SKSM = "e6f73f344b79b379f1a0dd37e07ff62e38d9f71345ce62ae3a9bc60b04ccd909"
RFC9497_PKSM = "c803e2cc6b05fc15064549b5920659ca4a77b2cca6f04f6b357009335476ad4e"
_BLIND_1 = "64d37aed22a27f5191de1c1d69fadb899d8862b58eb4220029e036ec4c1f6706"
_BLIND_2 = "222a5e897cf59db8145db8d16e597e8facb80ae7d4e26d9881aa6f61d645fc0e"
_OUTPUT_00 = ("b58cfbe118e0cb94d79b5fd6a6dafb98764dff49c14e1770b566e42402da1a7d"
              "a4d8527693914139caee5bd03903af43a491351d23b430948dd50cde10d32b3c")
_OUTPUT_5A = ("8a9a2f3c7f085b65933594309041fc1898d42d0858e59f90814ae90571a6df60"
              "356f4610bf816f27afdd84f47719e480906d27ecd994985890e5f539e7ea74b6")
RFC9497_VECTORS = [
    {
        "name": "A.1.2 Test Vector 1, Batch Size 1",
        "input": ["00"],
        "blind": [_BLIND_1],
        "blindedElement": ["863f330cc1a1259ed5a5998a23acfd37fb4351a793a5b3c090b642ddc439b945"],
        "evaluationElement": ["aa8fa048764d5623868679402ff6108d2521884fa138cd7f9c7669a9a014267e"],
        "proof": ("ddef93772692e535d1a53903db24367355cc2cc78de93b3be5a8ffcc6985dd06"
                  "6d4346421d17bf5117a2a1ff0fcb2a759f58a539dfbe857a40bce4cf49ec600d"),
        "proofRandomScalar": "222a5e897cf59db8145db8d16e597e8facb80ae7d4e26d9881aa6f61d645fc0e",
        "output": [_OUTPUT_00],
    },
    {
        "name": "A.1.2 Test Vector 2, Batch Size 1",
        "input": ["5a" * 17],
        "blind": [_BLIND_1],
        "blindedElement": ["cc0b2a350101881d8a4cba4c80241d74fb7dcbfde4a61fde2f91443c2bf9ef0c"],
        "evaluationElement": ["60a59a57208d48aca71e9e850d22674b611f752bed48b36f7a91b372bd7ad468"],
        "proof": ("401a0da6264f8cf45bb2f5264bc31e109155600babb3cd4e5af7d181a2c9dc0a"
                  "67154fabf031fd936051dec80b0b6ae29c9503493dde7393b722eafdf5a50b02"),
        "proofRandomScalar": "222a5e897cf59db8145db8d16e597e8facb80ae7d4e26d9881aa6f61d645fc0e",
        "output": [_OUTPUT_5A],
    },
    {
        "name": "A.1.2 Test Vector 3, Batch Size 2",
        "input": ["00", "5a" * 17],
        "blind": [_BLIND_1, _BLIND_2],
        "blindedElement": ["863f330cc1a1259ed5a5998a23acfd37fb4351a793a5b3c090b642ddc439b945",
                           "90a0145ea9da29254c3a56be4fe185465ebb3bf2a1801f7124bbbadac751e654"],
        "evaluationElement": ["aa8fa048764d5623868679402ff6108d2521884fa138cd7f9c7669a9a014267e",
                              "cc5ac221950a49ceaa73c8db41b82c20372a4c8d63e5dded2db920b7eee36a2a"],
        "proof": ("cc203910175d786927eeb44ea847328047892ddf8590e723c37205cb74600b0a"
                  "5ab5337c8eb4ceae0494c2cf89529dcf94572ed267473d567aeed6ab873dee08"),
        "proofRandomScalar": "419c4f4f5052c53c45f3da494d2b67b220d02118e0857cdbcf037f9ea84bbe0c",
        "output": [_OUTPUT_00, _OUTPUT_5A],
    },
]


def _expect(what, got, want):
    if got != want:
        raise SystemExit(f"blind_reference: {what} differs from the RFC:\n  got  {got}\n  want {want}")


def check_against_rfcs():
    """Stop (exit status 1) unless every RFC 9496 and RFC 9497 A.1.2 value is reproduced."""
    check_constants()
    point = IDENTITY
    for i, want in enumerate(RFC9496_GENERATOR_MULTIPLES):
        _expect(f"RFC 9496 A.1 {i}*B", encode(point).hex(), want)
        _expect(f"RFC 9496 A.1 decode {i}*B", encode(decode(bytes.fromhex(want))).hex(), want)
        if not element_equal(decode(bytes.fromhex(want)), point):
            raise SystemExit(f"blind_reference: RFC 9496 A.1 {i}*B does not decode to itself")
        point = point_add(point, GENERATOR)
    for bad in RFC9496_INVALID_ENCODINGS:
        try:
            decode(bytes.fromhex(bad))
        except InvalidEncoding:
            continue
        raise SystemExit(f"blind_reference: RFC 9496 A.2 {bad} was accepted")

    sk, pk = derive_key_pair(bytes.fromhex(RFC9497_SEED), bytes.fromhex(RFC9497_KEY_INFO))
    _expect("RFC 9497 A.1.2 skSm", serialize_scalar(sk).hex(), RFC9497_SKSM)
    _expect("RFC 9497 A.1.2 pkSm", encode(pk).hex(), RFC9497_PKSM)
    for v in RFC9497_VECTORS:
        inputs = [bytes.fromhex(x) for x in v["input"]]
        blinds = [deserialize_scalar(bytes.fromhex(b)) for b in v["blind"]]
        blinded = [blind(x, b) for x, b in zip(inputs, blinds)]
        _expect(v["name"] + " blindedElement", [encode(e).hex() for e in blinded], v["blindedElement"])
        r = deserialize_scalar(bytes.fromhex(v["proofRandomScalar"]))
        evaluated, proof = blind_evaluate_batch(sk, pk, blinded, r)
        _expect(v["name"] + " evaluationElement", [encode(e).hex() for e in evaluated], v["evaluationElement"])
        _expect(v["name"] + " proof", proof.hex(), v["proof"])
        outputs = finalize_batch(pk, inputs, blinds, evaluated, blinded, proof)
        _expect(v["name"] + " output", [o.hex() for o in outputs], v["output"])
        _expect(v["name"] + " Evaluate", [evaluate(sk, x).hex() for x in inputs], v["output"])
        # A proof for other elements, or a flipped bit, must not verify.
        if verify_proof(GENERATOR, pk, blinded, evaluated[::-1] if len(evaluated) > 1 else
                        [point_add(evaluated[0], GENERATOR)], proof):
            raise SystemExit(f"blind_reference: {v['name']}: a proof verified for other elements")

# ---------------------------------------------------------------------------------------------
# Part 2: blind sectors, from docs/DERIVATION.md §10 (and §2, §3, §4, §6 it refers to)
# ---------------------------------------------------------------------------------------------

OUTPUT_FILE = os.path.join(VECTORS, "blind-reference.json")
SALT = b"sectoken/v1"  # §3


def seed_of(sector_key, s, v):
    """§10.2 seed(s, v) = HKDF-SHA256(S(s, v), "sectoken/v1", "sectoken/v1/sector/s/v/voprf-seed", 32)."""
    return hkdf_sha256(sector_key, SALT, f"sectoken/v1/sector/{s}/{v}/voprf-seed".encode("ascii"), 32)


def info_of(s, v):
    """§10.2 info(s, v) = ASCII("sectoken/v1/blind/" + s + "/" + v), v in decimal."""
    return f"sectoken/v1/blind/{s}/{v}".encode("ascii")


def token_of(fmt, v, out):
    """§10.4 with §4 and §6: V || B || C, B = numerals of (out as a 512-bit big-endian integer
    mod r^n) in radix r, length n."""
    symbols = ALPHABETS[fmt["alphabet"]]
    r = len(symbols)
    k = fmt["versionCharacters"]
    n = fmt["length"] - k - (1 if fmt["checkCharacter"] else 0)
    assert 96 <= n * __import__("math").log2(r) <= 128  # §4 format limits of blind sectors
    values = version_numerals(v, r, k) + numerals(int.from_bytes(out, "big") % r**n, r, n)
    if fmt["checkCharacter"]:
        values.append(check_value(values, r))
    return "".join(symbols[x] for x in values)


def sha256_label(label):
    return hashlib.sha256(label.encode("ascii")).digest()


def scalar_of_label(label):
    """A fixed scalar from a public label: SHA-512 read little-endian, mod L (§10.6)."""
    return int.from_bytes(hashlib.sha512(label.encode("ascii")).digest(), "little") % L


# The blind sectors of these vectors. `civil` and its key, blind and nonce labels are §10.6's;
# `voters` and `census` are this script's own, for the edges of §4 that `civil` does not reach:
# digits with the fewest bits a blind body may have (n·log2 r = 96.3), hex with the most (128)
# and two version characters, and the last version of a format written 0 (v = r^k).
CIVIL_PEOPLE = ["AB123456", "K1", "ZZ999999", "A01"]  # the four people of test/vectors/blind.json
SECTORS = {
    "civil": {
        "format": {"policy": "blind", "alphabet": "crockford32", "length": 22,
                   "checkCharacter": True, "versionCharacters": 1},
        "versions": [1, 2],
        "sectorKey": lambda v: sha256_label(f"sectoken test blind sector civil v{v}"),
        "sectorKeyLabel": "SHA-256(ASCII(\"sectoken test blind sector civil v\" + v)) (DERIVATION.md §10.6)",
    },
    "voters": {
        "format": {"policy": "blind", "alphabet": "digits", "length": 31,
                   "checkCharacter": True, "versionCharacters": 1},
        "versions": [9, 10],
        "sectorKey": lambda v: sha256_label(f"sectoken blind reference: sector voters version {v}"),
        "sectorKeyLabel": "SHA-256(ASCII(\"sectoken blind reference: sector voters version \" + v))",
    },
    "census": {
        "format": {"policy": "blind", "alphabet": "hex", "length": 34,
                   "checkCharacter": False, "versionCharacters": 2},
        "versions": [255, 256],
        "sectorKey": lambda v: sha256_label(f"sectoken blind reference: sector census version {v}"),
        "sectorKeyLabel": "SHA-256(ASCII(\"sectoken blind reference: sector census version \" + v))",
    },
}

# National IDs as a backend's caller might type them (§2 canonicalizes; §10.1 blinds the result).
PEOPLE = [
    ("A0", "the first ID (rank 0): the shortest input, 2 bytes"),
    ("ZZ999999", "the last ID: the longest input, 8 bytes"),
    ("A000000", "six digits, all zero: leading zeros are part of the input"),
    ("AB1", "AB1 and AB01 are two people"),
    ("AB01", "AB1 and AB01 are two people"),
    ("AB123456", "the document's example, 41 42 31 32 33 34 35 36"),
    (" ab123456\t", "typed in lower case with white space: the same input, so the same output as AB123456"),
    ("k1\n", "a final line feed is trimmed (§2): input 4b 31"),
    ("A11111" + " " * 58, "64 code points, trimmed to A11111: the length limit at its edge"),
]
REFUSED = [  # §2 refuses these, so they are never blinded
    ("", "shape", "empty"),
    ("A", "shape", "no digit"),
    ("ABC1", "shape", "three letters"),
    ("A1234567", "shape", "seven digits"),
    ("1A", "shape", "digits first"),
    ("AB 123", "shape", "white space inside"),
    ("A\uff11", "shape", "a full-width digit"),
    ("\u00c5B1", "shape", "a non-ASCII letter"),
    ("\u00a0AB1", "shape", "non-ASCII white space is not trimmed"),
    ("A" + "1" * 5 + " " * 59, "too-long", "64 + 1 code points: refused before trimming"),
]


def hexes(elements):
    return [encode(e).hex() for e in elements]


def batch(sector, fmt, v, sk, pk, typed_ids, blinds, nonce, cases=None):
    """One POST /v1/blind/evaluate (§10.3): Blind each input, BlindEvaluate the batch with one
    proof, verify it and Finalize each; the token of §10.4. Evaluate must give the same outputs."""
    inputs = [canonicalize(x).encode("ascii") for x in typed_ids]
    blinded = [blind(x, b) for x, b in zip(inputs, blinds)]
    for e in blinded:  # what the service accepts: canonical, not the identity
        assert encode(decode(encode(e))) == encode(e) and not element_equal(e, IDENTITY)
    evaluated, proof = blind_evaluate_batch(sk, pk, blinded, nonce)
    outputs = finalize_batch(pk, inputs, blinds, evaluated, blinded, proof)
    for x, out in zip(inputs, outputs):
        assert evaluate(sk, x) == out  # §10.3: translation into the sector gives the same output
    people = []
    for i, typed in enumerate(typed_ids):
        person = {"nationalId": typed}
        if cases:
            person["case"] = cases[i]
        person.update({
            "input": inputs[i].hex(),
            "blind": serialize_scalar(blinds[i]).hex(),
            "blindedElement": encode(blinded[i]).hex(),
            "evaluationElement": encode(evaluated[i]).hex(),
            "output": outputs[i].hex(),
            "token": token_of(fmt, v, outputs[i]),
        })
        people.append(person)
    return {"sector": sector, "version": v, "proofRandomScalar": serialize_scalar(nonce).hex(),
            "proof": proof.hex(), "people": people}


def invalid_elements():
    """§10.3: what the service refuses as a blinded element: no canonical encoding of an element
    (RFC 9496 A.2, each checked by decode() above), or the identity, which decodes."""
    elements = [{"element": e, "reason": "element", "case": f"RFC 9496 A.2 #{i + 1}"}
                for i, e in enumerate(RFC9496_INVALID_ENCODINGS)]
    identity = encode(IDENTITY).hex()
    assert element_equal(decode(bytes.fromhex(identity)), IDENTITY)
    elements.append({"element": identity, "reason": "identity", "case": "the identity: a canonical encoding"})
    elements.append({"element": encode(GENERATOR).hex()[:62], "reason": "element", "case": "31 bytes"})
    return elements


def build():
    for typed, reason, _ in REFUSED:
        try:
            canonicalize(typed)
        except InvalidNationalId as e:
            assert str(e) == reason, (typed, e)
        else:
            raise AssertionError(f"{typed!r} was accepted")
    keys, batches = [], []
    for s, sector in SECTORS.items():
        fmt = sector["format"]
        for v in sector["versions"]:
            sector_key = sector["sectorKey"](v)
            seed = seed_of(sector_key, s, v)
            sk, pk = derive_key_pair(seed, info_of(s, v))
            keys.append({"sector": s, "version": v, "sectorKey": b64url_encode(sector_key),
                         "seed": seed.hex(), "info": info_of(s, v).decode("ascii"),
                         "skS": serialize_scalar(sk).hex(), "pkS": encode(pk).hex(),
                         "pkSBase64url": b64url_encode(encode(pk))})
            if s == "civil":
                # §10.6: blind = SHA-512(ASCII("sectoken test blind " + ID + " v" + v)) mod L,
                # nonce = SHA-512(ASCII("sectoken test proof nonce v" + v)) mod L.
                blinds = [scalar_of_label(f"sectoken test blind {x} v{v}") for x in CIVIL_PEOPLE]
                nonce = scalar_of_label(f"sectoken test proof nonce v{v}")
                batches.append(batch(s, fmt, v, sk, pk, CIVIL_PEOPLE, blinds, nonce))
            typed_ids = [x for x, _ in PEOPLE]
            blinds = [scalar_of_label(f"sectoken blind reference: blind {i} {s} v{v}")
                      for i in range(len(typed_ids))]
            nonce = scalar_of_label(f"sectoken blind reference: proof nonce {s} v{v}")
            batches.append(batch(s, fmt, v, sk, pk, typed_ids, blinds, nonce, [c for _, c in PEOPLE]))
            # A batch of one: the proof of a single element (RFC 9497 batches of size 1).
            one = batch(s, fmt, v, sk, pk, typed_ids[:1], blinds[:1],
                        scalar_of_label(f"sectoken blind reference: single proof nonce {s} v{v}"))
            batches.append(one)
    return {
        "$comment": ("Blind sectors (docs/DERIVATION.md §10), written by scripts/blind_reference.py, an "
                     "independent Python implementation of RFC 9496, RFC 9497 (VOPRF, ristretto255-SHA512) "
                     "and of the document; regenerate with /usr/bin/python3 scripts/blind_reference.py. "
                     "Bytes are hex unless named base64url; sector keys are base64url as in a keyring. "
                     "Each batch is one evaluation: its proof covers its people in this order."),
        "generator": "scripts/blind_reference.py",
        "suite": "ristretto255-SHA512, VOPRF (RFC 9497)",
        "sectors": {s: {"format": sec["format"], "versions": sec["versions"],
                        "sectorKey": sec["sectorKeyLabel"]} for s, sec in SECTORS.items()},
        "refused": [{"nationalId": x, "reason": r, "case": c} for x, r, c in REFUSED],
        "invalidElements": invalid_elements(),
        "keys": keys,
        "batches": batches,
    }


def render(vectors):
    return json.dumps(vectors, indent=1, ensure_ascii=False) + "\n"


def main(argv):
    args = argv[1:]
    if not (args == [] or (args[0] == "--check" and len(args) <= 2)):
        print("usage: python3 scripts/blind_reference.py [--check [FILE]]", file=sys.stderr)
        return 2
    check_against_rfcs()
    check_hkdf()
    check_iso7064()
    text = render(build())
    if args:
        target = args[1] if len(args) == 2 else OUTPUT_FILE
        with open(target, encoding="utf-8") as f:
            if f.read() != text:
                print(f"blind_reference: {target} is not what this script writes; regenerate it with "
                      "/usr/bin/python3 scripts/blind_reference.py", file=sys.stderr)
                return 1
        print(f"blind_reference: {os.path.basename(target)} is up to date")
        return 0
    with open(OUTPUT_FILE, "w", encoding="utf-8") as f:
        f.write(text)
    print("blind_reference: wrote test/vectors/blind-reference.json")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
