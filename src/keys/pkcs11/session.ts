/**
 * One visit to a PKCS#11 token: load the module, find the token by label, log in once with the PIN
 * from its file, do the work, log out and unload. Nothing is kept open between visits: the service
 * touches the token only at start and on reload, and a token removed meanwhile is then noticed.
 *
 * pkcs11js is the binding: a thin, maintained N-API mapping of PKCS#11 whose types ship with it.
 * It is loaded on first use, so a service with a file KEK never needs the native addon.
 *
 * Every failure is one KeyringError line that says what to do, and never holds the PIN.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { PKCS11 } from 'pkcs11js';
import { KeyringError } from '../keyring.js';

type Binding = typeof import('pkcs11js');
type Handle = Buffer;

export interface Pkcs11Settings {
  module: string;
  token: string;
  pinFile: string;
  key: string;
}

export interface TokenVisit {
  lib: Binding;
  p11: PKCS11;
  slot: Handle;
  session: Handle;
  settings: Pkcs11Settings;
}

let binding: Binding | undefined;

function loadBinding(): Binding {
  if (binding) return binding;
  try {
    binding = createRequire(import.meta.url)('pkcs11js') as Binding;
  } catch (err) {
    throw new KeyringError(
      `the PKCS#11 binding (pkcs11js) is not built: run \`npm rebuild pkcs11js\` (it needs python3, make and g++): ${firstLine(err)}`,
    );
  }
  return binding;
}

const firstLine = (err: unknown): string => (err instanceof Error ? err.message : String(err)).split('\n')[0]!;

/** The CKR_ name of a PKCS#11 error, or undefined for any other error. */
export function ckr(err: unknown): string | undefined {
  const message = err instanceof Error ? err.message : '';
  return /^CKR_[A-Z_]+/.exec(message)?.[0];
}

function readPin(pinFile: string): string {
  let text: string;
  try {
    text = readFileSync(pinFile, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new KeyringError(
      `cannot read the PIN file ${pinFile} (SECTOKEN_PKCS11_PIN_FILE): ${code === 'ENOENT' ? 'no such file' : (code ?? firstLine(err))}`,
    );
  }
  const pin = text.replace(/\r?\n$/, '');
  if (pin === '') throw new KeyringError(`the PIN file ${pinFile} (SECTOKEN_PKCS11_PIN_FILE) is empty`);
  return pin;
}

const TOKEN_LABEL_BYTES = 32;

function findSlot(lib: Binding, p11: PKCS11, settings: Pkcs11Settings): Handle {
  const tokens = p11.C_GetSlotList(true).map((slot) => ({ slot, info: p11.C_GetTokenInfo(slot) }));
  const labelled = tokens.filter(({ info }) => info.label.trimEnd() === settings.token);
  if (labelled.length === 0) {
    const others =
      tokens
        .filter(({ info }) => info.flags & lib.CKF_TOKEN_INITIALIZED)
        .map(({ info }) => `"${info.label.trimEnd()}"`)
        .sort()
        .join(', ') || 'none';
    const tooLong =
      Buffer.byteLength(settings.token) > TOKEN_LABEL_BYTES
        ? ` (a token label has at most ${TOKEN_LABEL_BYTES} bytes)`
        : '';
    throw new KeyringError(
      `no PKCS#11 token labelled "${settings.token}"${tooLong} in ${settings.module} (tokens present: ${others}): correct SECTOKEN_PKCS11_TOKEN, or insert or initialize the token`,
    );
  }
  if (labelled.length > 1)
    throw new KeyringError(
      `${labelled.length} PKCS#11 tokens are labelled "${settings.token}": relabel all but one, the service cannot tell which holds the KEK`,
    );
  const { slot } = labelled[0]!;
  return slot;
}

/** One login, never retried: each wrong PIN counts towards the token's lockout. */
function login(lib: Binding, p11: PKCS11, session: Handle, settings: Pkcs11Settings, pin: string): void {
  try {
    p11.C_Login(session, lib.CKU_USER, pin);
  } catch (err) {
    const code = ckr(err);
    if (code === 'CKR_USER_ALREADY_LOGGED_IN') return;
    if (code === 'CKR_PIN_INCORRECT')
      throw new KeyringError(
        `wrong PIN for PKCS#11 token "${settings.token}" (from ${settings.pinFile}, SECTOKEN_PKCS11_PIN_FILE): one login was attempted and none will be retried; correct the PIN file before the next start (each wrong PIN counts towards the token's lockout)`,
      );
    if (code === 'CKR_PIN_LOCKED')
      throw new KeyringError(
        `the user PIN of PKCS#11 token "${settings.token}" is locked: unlock it with the security officer's PIN (the vendor's tool)`,
      );
    throw new KeyringError(`login to PKCS#11 token "${settings.token}" failed: ${code ?? firstLine(err)}`);
  }
}

/** Runs `work` inside one logged-in session of the configured token; always logs out and unloads. */
export function visitToken<T>(settings: Pkcs11Settings, work: (visit: TokenVisit) => T): T {
  // The PIN file first: a missing one costs no login attempt.
  const pin = readPin(settings.pinFile);
  const lib = loadBinding();
  const p11 = new lib.PKCS11();
  try {
    p11.load(settings.module);
  } catch (err) {
    throw new KeyringError(
      `cannot load the PKCS#11 module ${settings.module} (SECTOKEN_PKCS11_MODULE): ${firstLine(err)}: install the vendor's module there, or correct SECTOKEN_PKCS11_MODULE`,
    );
  }
  let step = 'initialize the module';
  try {
    p11.C_Initialize();
    try {
      step = 'list its tokens';
      const slot = findSlot(lib, p11, settings);
      step = `open a session with token "${settings.token}"`;
      const session = p11.C_OpenSession(slot, lib.CKF_SERIAL_SESSION | lib.CKF_RW_SESSION);
      try {
        login(lib, p11, session, settings, pin);
        try {
          step = `use token "${settings.token}"`;
          return work({ lib, p11, slot, session, settings });
        } finally {
          quietly(() => p11.C_Logout(session));
        }
      } finally {
        quietly(() => p11.C_CloseSession(session));
      }
    } finally {
      quietly(() => p11.C_Finalize());
    }
  } catch (err) {
    if (err instanceof KeyringError) throw err;
    const code = ckr(err);
    if (code === 'CKR_TOKEN_NOT_PRESENT' || code === 'CKR_DEVICE_REMOVED')
      throw new KeyringError(`PKCS#11 token "${settings.token}" was removed: insert it, then try again`);
    throw new KeyringError(`PKCS#11 module ${settings.module} could not ${step}: ${code ?? firstLine(err)}`);
  } finally {
    quietly(() => p11.close());
  }
}

/** Cleanup that must not hide the error that came before it. */
function quietly(cleanup: () => void): void {
  try {
    cleanup();
  } catch {
    // Logging out of a removed token fails; the outcome was decided already.
  }
}
