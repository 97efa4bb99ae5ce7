import { generateKeyring, parseKeyring, serializeKeyring } from '../../src/keys/keyring.js';
import { kekFingerprint, newKek, openKeyring, parseKek, sealKeyring } from '../../src/keys/seal.js';

const kekBytes = (hex: string): Uint8Array => new Uint8Array(Buffer.from(hex, 'hex'));

describe('sealed keyring', () => {
  const kek = kekBytes(newKek());
  const keyring = generateKeyring(['health', 'tax'], false);
  const sealed = sealKeyring(serializeKeyring(keyring), kek, false);

  it('opens under its KEK to the same keys, and holds no key in clear', () => {
    const back = parseKeyring(openKeyring(sealed, kek).plaintext);
    expect(Buffer.from(back.root).equals(Buffer.from(keyring.root))).toBe(true);
    expect(
      Buffer.from(back.sectors.get('tax')!.versions.get(1)!).equals(
        Buffer.from(keyring.sectors.get('tax')!.versions.get(1)!),
      ),
    ).toBe(true);
    expect(sealed).not.toContain(Buffer.from(keyring.root).toString('base64url'));
    expect(sealed).toContain(kekFingerprint(kek));
  });

  it('says "wrong key-encryption key" under another KEK', () => {
    expect(() => openKeyring(sealed, kekBytes(newKek()))).toThrow(/wrong key-encryption key/);
  });

  it('says "damaged" when one byte of the ciphertext changes, or the header is edited', () => {
    const file = JSON.parse(sealed) as Record<string, string | boolean>;
    const ct = Buffer.from(file.ciphertext as string, 'base64url');
    ct[5]! ^= 1;
    expect(() => openKeyring(JSON.stringify({ ...file, ciphertext: ct.toString('base64url') }), kek)).toThrow(
      /damaged.*authentication failed/,
    );
    // Flipping the development flag is caught because the header is associated data.
    expect(() => openKeyring(JSON.stringify({ ...file, development: true }), kek)).toThrow(/damaged/);
    expect(() => openKeyring(sealed.slice(0, 100), kek)).toThrow(/damaged/);
    expect(() => openKeyring('{"format":"other"}', kek)).toThrow(/damaged/);
  });

  it('parses a KEK given as hex or base64url and refuses anything else', () => {
    const hex = newKek();
    expect(parseKek(hex, 'x')).toEqual(kekBytes(hex));
    expect(parseKek(Buffer.from(hex, 'hex').toString('base64url') + '\n', 'x')).toEqual(kekBytes(hex));
    expect(() => parseKek('too-short', 'SECTOKEN_KEK')).toThrow(
      /SECTOKEN_KEK is not a key-encryption key.*sectoken keys new-kek/,
    );
  });

  it('refuses a keyring whose current version has no key', () => {
    const doc = JSON.parse(new TextDecoder().decode(serializeKeyring(keyring))) as {
      sectors: { tax: { current: number } };
    };
    doc.sectors.tax.current = 2;
    expect(() => parseKeyring(new TextEncoder().encode(JSON.stringify(doc)))).toThrow(/damaged.*tax/);
  });
});
