import { createCipheriv } from 'node:crypto';

/**
 * Encrypts whole 16-byte blocks, each on its own (ECB), with OpenSSL's AES (AES-NI where present).
 * Returns a new buffer: node:crypto's `update()` allocates its output, and has no "into" variant.
 */
export type BlockCipher = (blocks: Uint8Array) => Buffer;

/**
 * AES-ECB with the key schedule made once: an ECB cipher object carries no chaining state, so one
 * object can encrypt any number of independent blocks, in one call as many as wanted (OpenSSL
 * pipelines independent blocks, so a call over many blocks costs far less per block than one call
 * per block). Input length must be a multiple of 16.
 */
export function aesEcb(key: Uint8Array): BlockCipher {
  if (key.length !== 16 && key.length !== 24 && key.length !== 32) {
    throw new Error('aes: key must be 16, 24 or 32 bytes');
  }
  const cipher = createCipheriv(`aes-${key.length * 8}-ecb`, key, null);
  cipher.setAutoPadding(false);
  return (blocks) => {
    if (blocks.length % 16 !== 0) throw new Error('aes: input must be whole 16-byte blocks');
    return cipher.update(blocks);
  };
}
