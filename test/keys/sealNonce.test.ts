/**
 * Sealing draws a fresh 192-bit nonce every time: the same keyring sealed twice under one KEK
 * gives two unrelated ciphertexts. A fixed nonce would reuse the XChaCha20 keystream (two
 * keyrings XORed together, and Poly1305 forgeries).
 */
import { generateKeyring, serializeKeyring } from '../../src/keys/keyring.js';
import { newKek, openKeyring, sealKeyring } from '../../src/keys/seal.js';

const kek = new Uint8Array(Buffer.from(newKek(), 'hex'));
const plaintext = serializeKeyring(generateKeyring(['health', 'tax'], false));
const parse = (sealed: string) => JSON.parse(sealed) as { nonce: string; ciphertext: string };

describe('keyring sealing nonce', () => {
  it('when the same keyring is sealed many times under one KEK, then every nonce and every ciphertext differs, and each opens', () => {
    const seals = Array.from({ length: 32 }, () => sealKeyring(plaintext, kek, false));
    const files = seals.map(parse);
    expect(new Set(files.map((f) => f.nonce)).size).toBe(seals.length);
    expect(new Set(files.map((f) => f.ciphertext)).size).toBe(seals.length);
    for (const f of files) expect(Buffer.from(f.nonce, 'base64url')).toHaveLength(24);
    for (const sealed of seals)
      expect(Buffer.from(openKeyring(sealed, kek).plaintext).equals(Buffer.from(plaintext))).toBe(true);
  });

  it('when two seals are XORed, then nothing of the plaintext shows (no keystream reuse)', () => {
    const [a, b] = [parse(sealKeyring(plaintext, kek, false)), parse(sealKeyring(plaintext, kek, false))];
    const ca = Buffer.from(a.ciphertext, 'base64url');
    const cb = Buffer.from(b.ciphertext, 'base64url');
    let zeros = 0;
    for (let i = 0; i < Math.min(ca.length, cb.length); i++) if ((ca[i]! ^ cb[i]!) === 0) zeros += 1;
    // Same plaintext, same keystream would XOR to all zeros; independent streams give ~1/256.
    expect(zeros).toBeLessThan(ca.length / 16);
  });
});
