/**
 * One sector's tokens (docs/DERIVATION.md §4–§6): token = version characters || body || check.
 * Reversible bodies are FF1 of the TNI under K_ff1(s, v); one-way bodies are HMAC-SHA256 of the
 * TNI under K_mac(s, v), reduced into the alphabet. issueMany runs a whole batch through each FF1
 * round together (src/crypto/ff1.ts).
 */
import { ff1, type FF1 } from '../crypto/ff1.js';
import { writeNumerals } from '../crypto/numerals.js';
import { hmacSha256, numeralsMod } from '../crypto/hmac.js';
import { invalidToken, tokenRetired } from '../errors.js';
import { sectorFf1Key, sectorHmacKey } from '../keys/derive.js';
import { KeyringError, type SectorKeys } from '../keys/keyring.js';
import { checkValue, hasValidCheck } from './checkCharacter.js';
import { TNI_DOMAIN, tokenFormat, type FormatSettings, type TokenFormat } from './format.js';
import { tniAscii } from './tni.js';
import { blindKeyPair } from './blind/keys.js';
import { writeBlindBody } from './blind/render.js';
import { evaluate, type KeyPair } from './blind/voprf.js';

export interface IssuedToken {
  token: string;
  keyVersion: number;
}

export interface SectorTokens {
  readonly sector: string;
  readonly format: TokenFormat;
  readonly currentVersion: number;
  readonly minVersion: number;
  /** The sector's token of a TNI under a key version (the current one by default). */
  issue(tni: number, version?: number): IssuedToken;
  /** A blind sector's VOPRF key pair per live key version (DERIVATION.md §10.2). */
  readonly blindKeys?: ReadonlyMap<number, KeyPair>;
  /** The tokens of many TNIs under one key version, in order. */
  issueMany(tnis: ArrayLike<number>, version?: number): string[];
  /** Parses a token of this sector: its key version, and for reversible sectors the TNI inside. */
  open(token: string): { keyVersion: number; tni: number | undefined };
}

/** Writes the bodies of `tnis` as numerals, body k at out[k][versionLength …]. */
type BodyWriter = (tnis: ArrayLike<number>, out: number[][]) => void;

/** `inputOfTni`: a blind sector's VOPRF input of a TNI (its canonical national ID, DERIVATION.md §10.1). */
export function sectorTokens(
  sector: string,
  settings: FormatSettings,
  keys: SectorKeys,
  inputOfTni?: (tni: number) => Uint8Array,
): SectorTokens {
  const format = tokenFormat(settings);
  const { radix, bodyLength, symbols, versionLength, maxVersions } = format;
  // DERIVATION.md §4: each of the sector's versions 1..current has a version value of its own, for
  // the sector's whole life; a keyring past r^k versions has given one value to two keys.
  if (keys.current > maxVersions) {
    // A KeyringError: the start refuses in one line, not a stack trace.
    throw new KeyringError(
      `sector "${sector}" has had ${keys.current} key versions but its ${versionLength} version character(s) tell only ${maxVersions} apart: ` +
        `tokens of retired versions would be read as tokens of live ones (docs/DERIVATION.md §4); restore the keyring from before the rotation past ${maxVersions}`,
    );
  }
  const numberPath = BigInt(radix) ** BigInt(bodyLength) <= 2n ** 53n;
  const versions = new Map<number, { write: BodyWriter; cipher?: FF1 }>();
  const blindKeys = new Map<number, KeyPair>();
  for (let v = keys.minVersion; v <= keys.current; v++) {
    const secret = keys.versions.get(v)!;
    if (format.policy === 'reversible') {
      const key = sectorFf1Key(secret, sector, v);
      const cipher = ff1(key, radix, new TextEncoder().encode(`sectoken/v1/token/${sector}/${v}`));
      key.fill(0);
      versions.set(v, { write: reversibleBodies(cipher, radix, bodyLength, versionLength, numberPath), cipher });
    } else if (format.policy === 'blind') {
      if (!inputOfTni) throw new Error(`blind sector "${sector}" needs the national ID of a TNI`);
      const pair = blindKeyPair(secret, sector, v);
      blindKeys.set(v, pair);
      // RFC 9497 Evaluate: the token the backend gets by blinding, without the blinding (translation).
      versions.set(v, {
        write: (tnis, out) => {
          for (let k = 0; k < out.length; k++)
            writeBlindBody(evaluate(pair.secretKey, inputOfTni(tnis[k]!)), radix, bodyLength, out[k]!, versionLength);
        },
      });
    } else {
      const key = sectorHmacKey(secret, sector, v);
      const mac = hmacSha256(key);
      key.fill(0);
      const words = new Uint32Array(8);
      const message = new Uint8Array(9);
      versions.set(v, {
        write: (tnis, out) => {
          for (let k = 0; k < out.length; k++)
            numeralsMod(mac.macWords(tniAscii(tnis[k]!, message), words), radix, bodyLength, out[k]!, versionLength);
        },
      });
    }
  }

  const issueMany = (tnis: ArrayLike<number>, version = keys.current): string[] => {
    const entry = versions.get(version);
    if (!entry) throw new Error(`sector "${sector}" has no live key version ${version}`);
    const numerals = Array.from({ length: tnis.length }, () => new Array<number>(format.length));
    entry.write(tnis, numerals);
    return numerals.map((n) => {
      // DERIVATION.md §4: V = numerals of (v mod r^k) in radix r, length k.
      writeNumerals(n, 0, versionLength, version % maxVersions, radix);
      if (format.checkCharacter) n[format.length - 1] = checkValue(n.slice(0, -1), radix);
      return symbols.fromNumerals(n);
    });
  };

  /** DERIVATION.md §4 "Reading V": the one version of the sector's life with this value; retired ones are refused as such. */
  const versionOf = (numerals: readonly number[]): number => {
    const value = Number(numeralValue(numerals.slice(0, versionLength), radix));
    const v = value === 0 ? maxVersions : value;
    if (v > keys.current) throw invalidToken();
    if (v < keys.minVersion) throw tokenRetired();
    return v;
  };

  return {
    sector,
    format,
    currentVersion: keys.current,
    minVersion: keys.minVersion,
    ...(format.policy === 'blind' ? { blindKeys } : {}),
    issue: (tni, version = keys.current) => ({ token: issueMany([tni], version)[0]!, keyVersion: version }),
    issueMany,
    open(token) {
      const canonical = symbols.normalize(token);
      // §7 step 2 counts code points, .length UTF-16 units: the verdict is the same, since every
      // symbol is ASCII and a character outside the BMP fails this test or the alphabet's.
      if (canonical.length !== format.length) throw invalidToken();
      const numerals = symbols.toNumerals(canonical);
      if (!numerals) throw invalidToken();
      if (format.checkCharacter && !hasValidCheck(numerals, radix)) throw invalidToken();
      const keyVersion = versionOf(numerals);
      const cipher = versions.get(keyVersion)!.cipher;
      if (!cipher) return { keyVersion, tni: undefined };
      const tni = numeralValue(cipher.decrypt(numerals.slice(versionLength, versionLength + bodyLength)), radix);
      if (tni >= BigInt(TNI_DOMAIN)) throw invalidToken();
      return { keyVersion, tni: Number(tni) };
    },
  };
}

/** DERIVATION.md §5: X = numerals of the TNI in radix r, length n; body = FF1(K_ff1, r, tweak, X). */
function reversibleBodies(cipher: FF1, radix: number, bodyLength: number, at: number, numberPath: boolean): BodyWriter {
  if (numberPath) {
    return (tnis, out) => {
      const bodies = cipher.encryptInts(tnis, bodyLength);
      for (let k = 0; k < out.length; k++) writeNumerals(out[k]!, at, at + bodyLength, bodies[k]!, radix);
    };
  }
  // Bodies too long for doubles: numeral arrays through the BigInt path of FF1.
  return (tnis, out) => {
    const inputs = Array.from({ length: out.length }, (_, k) => {
      const x = new Array<number>(bodyLength);
      writeNumerals(x, 0, bodyLength, tnis[k]!, radix);
      return x;
    });
    cipher.encryptMany(inputs).forEach((body, k) => {
      for (let i = 0; i < bodyLength; i++) out[k]![at + i] = body[i]!;
    });
  };
}

function numeralValue(numerals: readonly number[], radix: number): bigint {
  const r = BigInt(radix);
  return numerals.reduce((acc, d) => acc * r + BigInt(d), 0n);
}
