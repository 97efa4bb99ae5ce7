/**
 * The KEK in a PKCS#11 token: an AES-256 secret key, sensitive and not extractable, found by its
 * label. The keyring is sealed and opened by the token (CKM_AES_GCM, src/keys/pkcs11/sealed.ts):
 * the KEK is never in this process's memory.
 */
import { randomBytes } from 'node:crypto';
import { KeyringError } from '../keyring.js';
import type { KeyEncryptionKey } from '../kek.js';
import { SEALED_FORMAT } from '../seal.js';
import {
  FINGERPRINT_AAD,
  FINGERPRINT_INPUT,
  FINGERPRINT_IV,
  GCM_IV_BYTES,
  GCM_TAG_BYTES,
  PKCS11_SEALED_FORMAT,
  pkcs11HeaderSchema,
  sealAad,
  type Pkcs11Header,
} from './sealed.js';
import { ckr, visitToken, type Pkcs11Settings, type TokenVisit } from './session.js';

const KEY_BYTES = 32;

const attrBool = (value: unknown): boolean => Buffer.isBuffer(value) && value.length > 0 && value[0] !== 0;
const attrUlong = (value: unknown): number =>
  Buffer.isBuffer(value) ? value.readUIntLE(0, Math.min(6, value.length)) : NaN;

function keysLabelled({ lib, p11, session, settings }: TokenVisit): Buffer[] {
  p11.C_FindObjectsInit(session, [
    { type: lib.CKA_CLASS, value: lib.CKO_SECRET_KEY },
    { type: lib.CKA_LABEL, value: settings.key },
  ]);
  try {
    return p11.C_FindObjects(session, 2);
  } finally {
    p11.C_FindObjectsFinal(session);
  }
}

/** The KEK by its label, refused unless it is an AES-256 key the token keeps to itself. */
function findKey(visit: TokenVisit): Buffer | undefined {
  const { lib, p11, session, settings } = visit;
  const found = keysLabelled(visit);
  if (found.length === 0) return undefined;
  const named = `key "${settings.key}" in PKCS#11 token "${settings.token}"`;
  if (found.length > 1)
    throw new KeyringError(`${named} is not unique: relabel all but one (SECTOKEN_PKCS11_KEY names one key)`);
  const key = found[0]!;
  const [type, length, sensitive, extractable, encrypt, decrypt] = p11
    .C_GetAttributeValue(session, key, [
      { type: lib.CKA_KEY_TYPE },
      { type: lib.CKA_VALUE_LEN },
      { type: lib.CKA_SENSITIVE },
      { type: lib.CKA_EXTRACTABLE },
      { type: lib.CKA_ENCRYPT },
      { type: lib.CKA_DECRYPT },
    ])
    .map((a) => a.value);
  if (attrUlong(type) !== lib.CKK_AES || attrUlong(length) !== KEY_BYTES)
    throw new KeyringError(`${named} is not an AES-256 key: name one with SECTOKEN_PKCS11_KEY`);
  // An extractable or readable key could be copied out of the token: then the token protects nothing.
  if (attrBool(extractable))
    throw new KeyringError(
      `${named} is extractable (its value can leave the token): refusing to use it; make a key that is not, with \`sectoken keys init --pkcs11\` under another SECTOKEN_PKCS11_KEY`,
    );
  if (!attrBool(sensitive))
    throw new KeyringError(`${named} is not sensitive (its value can be read): refusing to use it; make one that is`);
  if (!attrBool(encrypt) || !attrBool(decrypt))
    throw new KeyringError(`${named} may not encrypt and decrypt (CKA_ENCRYPT, CKA_DECRYPT): name another key`);
  return key;
}

function requireKey(visit: TokenVisit): Buffer {
  const key = findKey(visit);
  if (!key)
    throw new KeyringError(
      `PKCS#11 token "${visit.settings.token}" has no key labelled "${visit.settings.key}": correct SECTOKEN_PKCS11_KEY (or the token), or create it with \`sectoken keys init --pkcs11\``,
    );
  return key;
}

/** A new AES-256 key, made by the token: on the token, private, sensitive, never extractable. */
function createKey({ lib, p11, session, settings }: TokenVisit): Buffer {
  return p11.C_GenerateKey(session, { mechanism: lib.CKM_AES_KEY_GEN }, [
    { type: lib.CKA_CLASS, value: lib.CKO_SECRET_KEY },
    { type: lib.CKA_KEY_TYPE, value: lib.CKK_AES },
    { type: lib.CKA_VALUE_LEN, value: KEY_BYTES },
    { type: lib.CKA_LABEL, value: settings.key },
    { type: lib.CKA_ID, value: randomBytes(8) },
    { type: lib.CKA_TOKEN, value: true },
    { type: lib.CKA_PRIVATE, value: true },
    { type: lib.CKA_SENSITIVE, value: true },
    { type: lib.CKA_EXTRACTABLE, value: false },
    { type: lib.CKA_ENCRYPT, value: true },
    { type: lib.CKA_DECRYPT, value: true },
    { type: lib.CKA_WRAP, value: false },
    { type: lib.CKA_UNWRAP, value: false },
  ]);
}

function requireGcm({ lib, p11, slot, settings }: TokenVisit): void {
  const offered = p11.C_GetMechanismList(slot).includes(lib.CKM_AES_GCM);
  const flags = offered ? p11.C_GetMechanismInfo(slot, lib.CKM_AES_GCM).flags : 0;
  if (!(flags & lib.CKF_ENCRYPT) || !(flags & lib.CKF_DECRYPT))
    throw new KeyringError(
      `PKCS#11 token "${settings.token}" offers no AES-GCM encryption (CKM_AES_GCM), which sealing the keyring needs`,
    );
}

const gcm = (lib: TokenVisit['lib'], iv: Buffer, aad: Buffer) => ({
  mechanism: lib.CKM_AES_GCM,
  parameter: { type: lib.CK_PARAMS_AES_GCM, iv, aad, ivBits: iv.length * 8, tagBits: GCM_TAG_BYTES * 8 },
});

function encrypt(visit: TokenVisit, key: Buffer, iv: Buffer, aad: Buffer, data: Buffer): Buffer {
  const { lib, p11, session } = visit;
  p11.C_EncryptInit(session, gcm(lib, iv, aad), key);
  return Buffer.from(p11.C_Encrypt(session, data, Buffer.alloc(data.length + GCM_TAG_BYTES)));
}

function fingerprintOf(visit: TokenVisit, key: Buffer): string {
  const out = encrypt(visit, key, FINGERPRINT_IV, FINGERPRINT_AAD, FINGERPRINT_INPUT);
  return out.subarray(FINGERPRINT_INPUT.length, FINGERPRINT_INPUT.length + 8).toString('hex');
}

function parseHeader(fileText: string, where: string): Pkcs11Header {
  let raw: unknown;
  try {
    raw = JSON.parse(fileText);
  } catch {
    throw new KeyringError(`${where} is damaged: it is not JSON`);
  }
  if ((raw as { format?: unknown } | null)?.format === SEALED_FORMAT)
    throw new KeyringError(
      `${where} is sealed under a file KEK, not a PKCS#11 token: move it into the token with \`sectoken keys rewrap --to pkcs11\` (with SECTOKEN_KEK_FILE set too), or unset SECTOKEN_PKCS11_MODULE`,
    );
  const header = pkcs11HeaderSchema.safeParse(raw);
  if (!header.success) throw new KeyringError(`${where} is damaged: it is not a sealed sectoken keyring`);
  return header.data;
}

export interface Pkcs11KekOptions {
  /** Seal under a new key when the token has none of that label (`keys init --pkcs11`, `keys rewrap --to pkcs11`). */
  create?: boolean;
  /** Told when a key was created, to be said to the operator. */
  onCreated?: (message: string) => void;
}

export function pkcs11Kek(settings: Pkcs11Settings, options: Pkcs11KekOptions = {}): KeyEncryptionKey {
  return {
    location: { kind: 'pkcs11', token: settings.token, key: settings.key },
    seal(plaintext, development) {
      return visitToken(settings, (visit) => {
        requireGcm(visit);
        let key = options.create ? findKey(visit) : requireKey(visit);
        if (!key) {
          key = createKey(visit);
          options.onCreated?.(
            `created key "${settings.key}" (AES-256, sensitive, not extractable) in PKCS#11 token "${settings.token}"`,
          );
        }
        const fingerprint = fingerprintOf(visit, key);
        const iv = randomBytes(GCM_IV_BYTES);
        const ciphertext = encrypt(visit, key, iv, sealAad(development, fingerprint), Buffer.from(plaintext));
        const file: Pkcs11Header = {
          format: PKCS11_SEALED_FORMAT,
          development,
          token: settings.token,
          key: settings.key,
          mechanism: 'CKM_AES_GCM',
          kekFingerprint: fingerprint,
          iv: iv.toString('base64url'),
          ciphertext: ciphertext.toString('base64url'),
        };
        return JSON.stringify(file, null, 2) + '\n';
      });
    },
    open(fileText, where) {
      // The file is read before the token is visited: a damaged or file-KEK keyring costs no login.
      const header = parseHeader(fileText, where);
      return visitToken(settings, (visit) => {
        requireGcm(visit);
        const key = requireKey(visit);
        const fingerprint = fingerprintOf(visit, key);
        if (fingerprint !== header.kekFingerprint)
          throw new KeyringError(
            `${where} was sealed under another key (key "${header.key}" of token "${header.token}", fingerprint ${header.kekFingerprint}), not key "${settings.key}" of token "${settings.token}" (${fingerprint}): set SECTOKEN_PKCS11_TOKEN and SECTOKEN_PKCS11_KEY to the ones that sealed it`,
          );
        const ciphertext = Buffer.from(header.ciphertext, 'base64url');
        const { lib, p11, session } = visit;
        try {
          p11.C_DecryptInit(
            session,
            gcm(lib, Buffer.from(header.iv, 'base64url'), sealAad(header.development, fingerprint)),
            key,
          );
          const plaintext = p11.C_Decrypt(session, ciphertext, Buffer.alloc(ciphertext.length));
          return { plaintext: new Uint8Array(plaintext), development: header.development };
        } catch (err) {
          throw new KeyringError(
            `${where} is damaged: the token refused to open it (${ckr(err) ?? 'authentication failed'}; modified or truncated)`,
          );
        }
      });
    },
  };
}
