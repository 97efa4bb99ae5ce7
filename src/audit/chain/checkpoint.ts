/**
 * Signed checkpoints (docs/AUDIT.md §4): Ed25519 over the log's size and head hash, so that an
 * auditor who keeps them elsewhere can prove later that the log still extends them, even against
 * someone holding the MAC key.
 */
import { createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { CHECKPOINT_FORMAT } from './files.js';

export interface Checkpoint {
  format: typeof CHECKPOINT_FORMAT;
  instance: string;
  size: number;
  headHash: string;
  time: string;
  /** Ed25519 public key, base64url (the JWK "x"). */
  publicKey: string;
  /** Ed25519 signature of checkpointMessage(), base64url. */
  signature: string;
}

export const checkpointMessage = (c: Pick<Checkpoint, 'instance' | 'size' | 'headHash' | 'time'>): Buffer =>
  Buffer.from(`${CHECKPOINT_FORMAT}\n${c.instance}\n${c.size}\n${c.headHash}\n${c.time}`, 'utf8');

export interface CheckpointSigner {
  publicKey: string;
  sign(c: Pick<Checkpoint, 'instance' | 'size' | 'headHash' | 'time'>): Checkpoint;
}

export function checkpointSigner(key: { d: string; x: string }): CheckpointSigner {
  const privateKey: KeyObject = createPrivateKey({
    key: { kty: 'OKP', crv: 'Ed25519', d: key.d, x: key.x },
    format: 'jwk',
  });
  return {
    publicKey: key.x,
    sign: (c) => ({
      format: CHECKPOINT_FORMAT,
      ...c,
      publicKey: key.x,
      signature: sign(null, checkpointMessage(c), privateKey).toString('base64url'),
    }),
  };
}

/** True if the signature is valid under the given public key (the one the auditor trusts). */
export function checkpointSignatureValid(c: Checkpoint, trustedPublicKey: string): boolean {
  try {
    const publicKey = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: trustedPublicKey }, format: 'jwk' });
    return verify(null, checkpointMessage(c), publicKey, Buffer.from(c.signature, 'base64url'));
  } catch {
    return false;
  }
}
