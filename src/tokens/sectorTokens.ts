/**
 * One sector's tokens (docs/DERIVATION.md §4–§6): token = version character || body || check.
 * Reversible bodies are FF1 of the TNI under K_ff1(s, v); one-way bodies are HMAC-SHA256 of the
 * TNI under K_mac(s, v), reduced into the alphabet.
 */
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { ff1, type FF1 } from '../crypto/ff1.js';
import { invalidToken } from '../errors.js';
import { sectorFf1Key, sectorHmacKey } from '../keys/derive.js';
import type { SectorKeys } from '../keys/keyring.js';
import { checkValue, hasValidCheck } from './checkCharacter.js';
import { TNI_DOMAIN, tokenFormat, type FormatSettings, type TokenFormat } from './format.js';
import { tniAscii } from './tni.js';

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
  /** Parses a token of this sector: its key version, and for reversible sectors the TNI inside. */
  open(token: string): { keyVersion: number; tni: number | undefined };
}

type BodyFunction = (tni: number) => number[];

export function sectorTokens(sector: string, settings: FormatSettings, keys: SectorKeys): SectorTokens {
  const format = tokenFormat(settings);
  const { radix, bodyLength, symbols } = format;
  // DERIVATION.md §4: the version character is v mod radix, so live versions must fit one window.
  if (keys.current - keys.minVersion >= radix) {
    throw new Error(`sector "${sector}": key versions ${keys.minVersion}..${keys.current} do not fit one version character (radix ${radix}); raise minVersion`);
  }
  const bodyPow = BigInt(radix) ** BigInt(bodyLength);
  const versions = new Map<number, { body: BodyFunction; ff1?: FF1 }>();
  for (let v = keys.minVersion; v <= keys.current; v++) {
    const secret = keys.versions.get(v)!;
    if (format.policy === 'reversible') {
      const key = sectorFf1Key(secret, sector, v);
      const cipher = ff1(key, radix, new TextEncoder().encode(`sectoken/v1/token/${sector}/${v}`));
      key.fill(0);
      versions.set(v, { body: (tni) => cipher.encrypt(toNumerals(BigInt(tni), radix, bodyLength)), ff1: cipher });
    } else {
      const key = sectorHmacKey(secret, sector, v);
      const keyed = hmac.create(sha256, key);
      key.fill(0);
      versions.set(v, {
        body: (tni) => {
          const mac = keyed.clone().update(new TextEncoder().encode(tniAscii(tni))).digest();
          return toNumerals(BigInt('0x' + Buffer.from(mac).toString('hex')) % bodyPow, radix, bodyLength);
        },
      });
    }
  }

  const versionOf = (value: number): number | undefined => {
    // The one live version congruent to the character's value (DERIVATION.md §4).
    const v = keys.minVersion + ((((value - keys.minVersion) % radix) + radix) % radix);
    return v <= keys.current ? v : undefined;
  };

  return {
    sector,
    format,
    currentVersion: keys.current,
    minVersion: keys.minVersion,
    issue(tni, version = keys.current) {
      const entry = versions.get(version);
      if (!entry) throw new Error(`sector "${sector}" has no live key version ${version}`);
      const numerals = [version % radix, ...entry.body(tni)];
      if (format.checkCharacter) numerals.push(checkValue(numerals, radix));
      return { token: symbols.fromNumerals(numerals), keyVersion: version };
    },
    open(token) {
      const canonical = symbols.normalize(token);
      if (canonical.length !== format.length) throw invalidToken();
      const numerals = symbols.toNumerals(canonical);
      if (!numerals) throw invalidToken();
      if (format.checkCharacter && !hasValidCheck(numerals, radix)) throw invalidToken();
      const keyVersion = versionOf(numerals[0]!);
      if (keyVersion === undefined) throw invalidToken();
      const cipher = versions.get(keyVersion)!.ff1;
      if (!cipher) return { keyVersion, tni: undefined };
      const body = numerals.slice(1, 1 + bodyLength);
      const tni = fromNumerals(cipher.decrypt(body), radix);
      if (tni >= BigInt(TNI_DOMAIN)) throw invalidToken();
      return { keyVersion, tni: Number(tni) };
    },
  };
}

function toNumerals(value: bigint, radix: number, length: number): number[] {
  const r = BigInt(radix);
  const out = new Array<number>(length);
  for (let k = length - 1; k >= 0; k--) {
    out[k] = Number(value % r);
    value /= r;
  }
  return out;
}

function fromNumerals(numerals: readonly number[], radix: number): bigint {
  const r = BigInt(radix);
  return numerals.reduce((acc, d) => acc * r + BigInt(d), 0n);
}
