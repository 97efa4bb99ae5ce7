/**
 * A token never changes owner (DERIVATION.md §4): a `digits` sector is rotated through all ten
 * version values and retired step by step; at every step each token ever issued either names its
 * own person or is refused (`token_retired` once its version is retired), and the rotation that
 * would give a version character to a second key is refused. Under the earlier window rule
 * ("the live version congruent to the character mod r"), version 1's tokens came back as version
 * 11 and about 7 % of them reversed to another, real person.
 */
import { createTokenizer } from '../../src/derivation/tokenizer.js';
import { unrankNationalId, NATIONAL_ID_COUNT } from '../../src/derivation/nationalId.js';
import { generateKeyring, KeyringError, rotateSector } from '../../src/keys/keyring.js';
import { tokenFormat, type FormatSettings } from '../../src/derivation/format.js';
import { codeOf } from '../helpers/codeOf.js';

const health: FormatSettings = { policy: 'reversible', alphabet: 'digits', length: 12, checkCharacter: true };
const twoCharacters: FormatSettings = { ...health, length: 13, versionCharacters: 2 };
const people = Array.from({ length: 200 }, (_, i) => unrankNationalId((i * 3_900_007 + 11) % NATIONAL_ID_COUNT));

describe('retired key versions (digits, one version character)', () => {
  it('when every version is made and retired in turn, then no token is ever read as another person', () => {
    const config = { sectors: { health } };
    const keyring = generateKeyring(['health'], false);
    const keys = keyring.sectors.get('health')!;
    const { maxVersions } = tokenFormat(health);
    expect(maxVersions).toBe(10);
    const issued: { token: string; nationalId: string; version: number }[] = [];
    for (let version = 1; version <= maxVersions; version++) {
      if (version > 1) expect(rotateSector(keyring, 'health', maxVersions)).toBe(version);
      keys.minVersion = Math.max(1, version - 1); // the careless operator keeps only two versions live
      const tokenizer = createTokenizer(config, keyring);
      for (const nationalId of people)
        issued.push({ ...tokenizer.tokenize('health', nationalId), nationalId, version });
      for (const t of issued) {
        if (t.version < keys.minVersion) {
          expect(codeOf(() => tokenizer.reverse('health', t.token))).toBe('token_retired');
          expect(codeOf(() => tokenizer.tniOfToken('health', t.token))).toBe('token_retired');
        } else {
          expect(tokenizer.reverse('health', t.token)).toEqual({ nationalId: t.nationalId, keyVersion: t.version });
        }
      }
    }
    // Version 10 was written with the character 0; an eleventh version would need 1 again.
    expect(issued.filter((t) => t.version === 10).every((t) => t.token.startsWith('0'))).toBe(true);
    expect(() => rotateSector(keyring, 'health', maxVersions)).toThrow(KeyringError);
    expect(() => rotateSector(keyring, 'health', maxVersions)).toThrow(/"versionCharacters": 2/);
    expect(keys.current).toBe(10);
  });

  it('when the version value was never made, then the token is invalid, not retired', () => {
    const keyring = generateKeyring(['health'], false);
    const tokenizer = createTokenizer({ sectors: { health } }, keyring);
    const token = tokenizer.tokenize('health', 'AB123456').token;
    // Version 3 was never made: same body, version character 3, check character made valid.
    const forged = tokenWithVersionCharacter(token, 3);
    expect(codeOf(() => tokenizer.reverse('health', forged))).toBe('invalid_token');
  });
});

describe('two version characters', () => {
  it('gives every one of radix² versions its own value and reads each back to its own person', () => {
    const config = { sectors: { health: twoCharacters } };
    const keyring = generateKeyring(['health'], false);
    const { maxVersions, bodyLength } = tokenFormat(twoCharacters);
    expect([maxVersions, bodyLength]).toEqual([100, 10]);
    const keys = keyring.sectors.get('health')!;
    for (let v = 2; v <= maxVersions; v++) rotateSector(keyring, 'health', maxVersions);
    expect(() => rotateSector(keyring, 'health', maxVersions)).toThrow(KeyringError);
    keys.minVersion = 9;
    const tokenizer = createTokenizer(config, keyring);
    for (const version of [9, 10, 11, 99, 100]) {
      const { token } = tokenizer.sector('health').issue(tokenizer.tniOf('AB123456'), version);
      expect(token.slice(0, 2)).toBe(String(version % 100).padStart(2, '0'));
      expect(tokenizer.reverse('health', token)).toEqual({ nationalId: 'AB123456', keyVersion: version });
    }
    keys.minVersion = 10;
    const later = createTokenizer(config, keyring);
    const old = tokenizer.sector('health').issue(tokenizer.tniOf('AB123456'), 9).token;
    expect(codeOf(() => later.reverse('health', old))).toBe('token_retired');
  });
});

/** The token with its first symbol replaced by `value` and the ISO 7064 MOD 11,10 check recomputed. */
function tokenWithVersionCharacter(token: string, value: number): string {
  const digits = [value, ...token.slice(1, -1).split('').map(Number)];
  let p = 10;
  for (const a of digits) {
    let s = (p + a) % 10;
    if (s === 0) s = 10;
    p = (2 * s) % 11;
  }
  return digits.join('') + String((((1 - p) % 10) + 10) % 10);
}
