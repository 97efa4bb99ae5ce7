#!/usr/bin/python3
"""Independent check of sectoken's blind sectors (docs/DERIVATION.md §10), from the documents alone.

Written from RFC 9496 (ristretto255), RFC 9380 (expand_message_xmd), RFC 9497 (VOPRF,
ristretto255-SHA512), RFC 5869 (HKDF) and docs/DERIVATION.md §4, §6 and §10, with Python's
integers and hashlib only: it shares no code with the TypeScript sources, libsodium or noble.

It first reproduces RFC 9497 Appendix A.1.2 (test/vectors/rfc9497-ristretto255-voprf.json), then
recomputes every value of test/vectors/blind.json from its fixed inputs (sector keys, blinds, proof
nonces) and exits 1 naming the first value that differs.

    /usr/bin/python3 scripts/blind_reference.py [another blind.json to check]
"""

import hashlib
import hmac
import json
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VECTORS = os.path.join(ROOT, "test", "vectors")

# ---- RFC 9496: ristretto255 over edwards25519 ------------------------------------------------
P = 2**255 - 19
L = 2**252 + 27742317777372353535851937790883648493
D = (-121665 * pow(121666, P - 2, P)) % P
SQRT_M1 = pow(2, (P - 1) // 4, P)


def is_negative(x):
    return (x % P) & 1


def ct_abs(x):
    x %= P
    return P - x if is_negative(x) else x


def sqrt_ratio_m1(u, v):
    """RFC 9496 §4.2: (was_square, sqrt(u/v)) or sqrt(SQRT_M1 * u/v), non-negative."""
    u %= P
    v %= P
    r = (u * pow(v, 3, P)) * pow(u * pow(v, 7, P), (P - 5) // 8, P) % P
    check = v * r * r % P
    correct = check == u
    flipped = check == (-u) % P
    flipped_i = check == (-u * SQRT_M1) % P
    if flipped or flipped_i:
        r = r * SQRT_M1 % P
    return (correct or flipped), ct_abs(r)


# RFC 9496 §4.1 gives these two constants as numbers; which square root each is matters (the
# first is the non-negative one, the second is not), so they are written out and checked.
INVSQRT_A_MINUS_D = 54469307008909316920995813868745141605393597292927456921205312896311721017578
SQRT_AD_MINUS_ONE = 25063068953384623474111414158702152701244531502492656460079210482610430750235
assert INVSQRT_A_MINUS_D**2 * (-1 - D) % P == 1
assert SQRT_AD_MINUS_ONE**2 % P == (-D - 1) % P
ONE_MINUS_D_SQ = (1 - D * D) % P
D_MINUS_ONE_SQ = (D - 1) ** 2 % P
IDENTITY = (0, 1, 1, 0)


def add(p1, p2):
    """Extended twisted Edwards coordinates, a = -1 (unified addition)."""
    x1, y1, z1, t1 = p1
    x2, y2, z2, t2 = p2
    a = (y1 - x1) * (y2 - x2) % P
    b = (y1 + x1) * (y2 + x2) % P
    c = t1 * 2 * D * t2 % P
    d = z1 * 2 * z2 % P
    e, f, g, h = b - a, d - c, d + c, b + a
    return (e * f % P, g * h % P, f * g % P, e * h % P)


def mul(k, point):
    result = IDENTITY
    for bit in bin(k % L)[2:]:
        result = add(result, result)
        if bit == "1":
            result = add(result, point)
    return result


def decode(b):
    """RFC 9496 §4.3.1; None for a non-canonical encoding."""
    if len(b) != 32:
        return None
    s = int.from_bytes(b, "little")
    if s >= P or is_negative(s):
        return None
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
        return None
    return (x, y, 1, t)


def encode(point):
    """RFC 9496 §4.3.2."""
    x0, y0, z0, t0 = point
    u1 = (z0 + y0) * (z0 - y0) % P
    u2 = x0 * y0 % P
    _, invsqrt = sqrt_ratio_m1(1, u1 * u2 * u2)
    den1 = invsqrt * u1 % P
    den2 = invsqrt * u2 % P
    z_inv = den1 * den2 * t0 % P
    ix0 = x0 * SQRT_M1 % P
    iy0 = y0 * SQRT_M1 % P
    enchanted = den1 * INVSQRT_A_MINUS_D % P
    rotate = is_negative(t0 * z_inv)
    x, y = (iy0, ix0) if rotate else (x0, y0)
    den_inv = enchanted if rotate else den2
    if is_negative(x * z_inv):
        y = (-y) % P
    s = ct_abs(den_inv * (z0 - y))
    return s.to_bytes(32, "little")


def map_to_point(t):
    """RFC 9496 §4.3.4 MAP."""
    r = SQRT_M1 * t * t % P
    u = (r + 1) * ONE_MINUS_D_SQ % P
    v = (-1 - r * D) * (r + D) % P
    was_square, s = sqrt_ratio_m1(u, v)
    s_prime = (-ct_abs(s * t)) % P
    if not was_square:
        s = s_prime
    c = P - 1 if was_square else r
    n = (c * (r - 1) * D_MINUS_ONE_SQ - v) % P
    w0 = 2 * s * v % P
    w1 = n * SQRT_AD_MINUS_ONE % P
    w2 = (1 - s * s) % P
    w3 = (1 + s * s) % P
    return (w0 * w3 % P, w2 * w1 % P, w1 * w3 % P, w0 * w2 % P)


def from_uniform(b):
    """RFC 9496 §4.3.4: 64 uniform bytes to an element."""
    t1 = int.from_bytes(b[:32], "little") & ((1 << 255) - 1)
    t2 = int.from_bytes(b[32:], "little") & ((1 << 255) - 1)
    return add(map_to_point(t1 % P), map_to_point(t2 % P))


BASE = decode(bytes.fromhex("e2f2ae0a6abc4e71a884a961c500515f58e30b6aa582dd8db6a65945e08d2d76"))

# ---- RFC 9380 expand_message_xmd (SHA-512), RFC 9497 ristretto255-SHA512 ----------------------


def expand64(msg, dst):
    dst_prime = dst + bytes([len(dst)])
    b0 = hashlib.sha512(bytes(128) + msg + (64).to_bytes(2, "big") + b"\x00" + dst_prime).digest()
    return hashlib.sha512(b0 + b"\x01" + dst_prime).digest()


CONTEXT = b"OPRFV1-\x01-ristretto255-SHA512"


def hash_to_group(x):
    return from_uniform(expand64(x, b"HashToGroup-" + CONTEXT))


def hash_to_scalar(x, dst=b"HashToScalar-" + CONTEXT):
    return int.from_bytes(expand64(x, dst), "little") % L


def framed(b):
    return len(b).to_bytes(2, "big") + b


def scalar_bytes(k):
    return (k % L).to_bytes(32, "little")


def derive_key_pair(seed, info):
    derive_input = seed + framed(info)
    for counter in range(256):
        sk = hash_to_scalar(derive_input + bytes([counter]), b"DeriveKeyPair" + CONTEXT)
        if sk != 0:
            return sk, encode(mul(sk, BASE))
    raise ValueError("DeriveKeyPairError")


def finalize_hash(x, element):
    return hashlib.sha512(framed(x) + framed(element) + b"Finalize").digest()


def composites(pk, cs, ds):
    seed = hashlib.sha512(framed(pk) + framed(b"Seed-" + CONTEXT)).digest()
    m, z = IDENTITY, IDENTITY
    for i, (c, d) in enumerate(zip(cs, ds)):
        di = hash_to_scalar(framed(seed) + i.to_bytes(2, "big") + framed(c) + framed(d) + b"Composite")
        m = add(m, mul(di, decode(c)))
        z = add(z, mul(di, decode(d)))
    return m, z


def challenge(pk, m, z, t2, t3):
    parts = [pk, encode(m), encode(z), encode(t2), encode(t3)]
    return hash_to_scalar(b"".join(framed(p) for p in parts) + b"Challenge")


def generate_proof(sk, pk, cs, ds, r):
    m, z = composites(pk, cs, ds)
    c = challenge(pk, m, z, mul(r, BASE), mul(r, m))
    return scalar_bytes(c) + scalar_bytes(r - c * sk)


def verify_proof(pk, cs, ds, proof):
    m, z = composites(pk, cs, ds)
    c = int.from_bytes(proof[:32], "little")
    s = int.from_bytes(proof[32:], "little")
    if c >= L or s >= L:
        return False
    t2 = add(mul(s, BASE), mul(c, decode(pk)))
    t3 = add(mul(s, m), mul(c, z))
    return challenge(pk, m, z, t2, t3) == c


# ---- docs/DERIVATION.md §3, §4, §6, §10 -----------------------------------------------------

ALPHABETS = {
    "digits": "0123456789",
    "alphanumeric": "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ",
    "crockford32": "0123456789ABCDEFGHJKMNPQRSTVWXYZ",
    "hex": "0123456789ABCDEF",
}


def hkdf_sha256(ikm, salt, info, length):
    prk = hmac.new(salt, ikm, hashlib.sha256).digest()
    okm, block, i = b"", b"", 1
    while len(okm) < length:
        block = hmac.new(prk, block + info + bytes([i]), hashlib.sha256).digest()
        okm += block
        i += 1
    return okm[:length]


def numerals(x, radix, n):
    out = []
    for _ in range(n):
        out.append(x % radix)
        x //= radix
    return out[::-1]


def check_value(values, r):
    p = r
    for a in values:
        s = (p + a) % r
        if s == 0:
            s = r
        p = (2 * s) % (r + 1)
    return (1 - p) % r


def render(fmt, version, output):
    symbols = ALPHABETS[fmt["alphabet"]]
    r = len(symbols)
    k = fmt["versionCharacters"]
    n = fmt["length"] - k - (1 if fmt["checkCharacter"] else 0)
    values = numerals(version % r**k, r, k) + numerals(int.from_bytes(output, "big") % r**n, r, n)
    if fmt["checkCharacter"]:
        values.append(check_value(values, r))
    return "".join(symbols[v] for v in values)


def expect(what, got, want):
    if got != want:
        print(f"blind_reference: {what}: computed {got}, the file says {want}", file=sys.stderr)
        sys.exit(1)


def main():
    rfc = json.load(open(os.path.join(VECTORS, "rfc9497-ristretto255-voprf.json")))
    sk, pk = derive_key_pair(bytes.fromhex(rfc["seed"]), bytes.fromhex(rfc["keyInfo"]))
    expect("RFC 9497 skSm", scalar_bytes(sk).hex(), rfc["skSm"])
    expect("RFC 9497 pkSm", pk.hex(), rfc["pkSm"])
    for v in rfc["vectors"]:
        inputs = [bytes.fromhex(x) for x in v["input"]]
        blinds = [int.from_bytes(bytes.fromhex(b), "little") for b in v["blind"]]
        cs = [encode(mul(b, hash_to_group(x))) for x, b in zip(inputs, blinds)]
        expect(f"RFC 9497 {v['name']} blinded", [c.hex() for c in cs], v["blindedElement"])
        ds = [encode(mul(sk, decode(c))) for c in cs]
        expect(f"RFC 9497 {v['name']} evaluated", [d.hex() for d in ds], v["evaluationElement"])
        r = int.from_bytes(bytes.fromhex(v["proofRandomScalar"]), "little")
        expect(f"RFC 9497 {v['name']} proof", generate_proof(sk, pk, cs, ds, r).hex(), v["proof"])
        outs = [finalize_hash(x, encode(mul(pow(b, L - 2, L), decode(d)))) for x, b, d in zip(inputs, blinds, ds)]
        expect(f"RFC 9497 {v['name']} output", [o.hex() for o in outs], v["output"])

    blind = json.load(open(sys.argv[1] if len(sys.argv) > 1 else os.path.join(VECTORS, "blind.json")))
    sector, fmt = blind["sector"], blind["format"]
    for v in blind["versions"]:
        n = v["version"]
        where = f"blind.json version {n}"
        sector_key = hashlib.sha256(f"sectoken test blind sector {sector} v{n}".encode()).digest()
        expect(f"{where} sectorKey", sector_key.hex(), v["sectorKey"])
        info = f"sectoken/v1/sector/{sector}/{n}/voprf-seed".encode()
        seed = hkdf_sha256(sector_key, b"sectoken/v1", info, 32)
        expect(f"{where} seed", seed.hex(), v["seed"])
        expect(f"{where} info", f"sectoken/v1/blind/{sector}/{n}", v["info"])
        sk, pk = derive_key_pair(seed, v["info"].encode())
        expect(f"{where} skS", scalar_bytes(sk).hex(), v["skS"])
        expect(f"{where} pkS", pk.hex(), v["pkS"])
        cs, ds = [], []
        for person in v["people"]:
            who = f"{where} {person['nationalId']}"
            x = person["nationalId"].encode("ascii")
            expect(f"{who} input", x.hex(), person["input"])
            b = int.from_bytes(hashlib.sha512(f"sectoken test blind {person['nationalId']} v{n}".encode()).digest(), "little") % L
            expect(f"{who} blind", scalar_bytes(b).hex(), person["blind"])
            c = encode(mul(b, hash_to_group(x)))
            expect(f"{who} blindedElement", c.hex(), person["blindedElement"])
            d = encode(mul(sk, decode(c)))
            expect(f"{who} evaluationElement", d.hex(), person["evaluationElement"])
            out = finalize_hash(x, encode(mul(pow(b, L - 2, L), decode(d))))
            expect(f"{who} output", out.hex(), person["output"])
            expect(f"{who} output = Evaluate", finalize_hash(x, encode(mul(sk, hash_to_group(x)))).hex(), person["output"])
            expect(f"{who} token", render(fmt, n, out), person["token"])
            cs.append(c)
            ds.append(d)
        r = int.from_bytes(hashlib.sha512(f"sectoken test proof nonce v{n}".encode()).digest(), "little") % L
        expect(f"{where} proofRandomScalar", scalar_bytes(r).hex(), v["proofRandomScalar"])
        expect(f"{where} proof", generate_proof(sk, pk, cs, ds, r).hex(), v["proof"])
        expect(f"{where} proof verifies", verify_proof(pk, cs, ds, bytes.fromhex(v["proof"])), True)
    print("blind_reference: RFC 9497 A.1.2 and test/vectors/blind.json reproduced")


if __name__ == "__main__":
    main()
