import 'server-only';
import { createHash, randomBytes } from 'node:crypto';
import pkcs11js from 'pkcs11js';
import { IntegrityError, NONCE_BYTES, TAG_BYTES } from '@/lib/server/crypto/aes-gcm';
import { KeyProviderError, wrapAad, type KeyEncryptionKey } from '@/lib/server/crypto/key-encryption-key';

/** Where the key lives in an HSM: its PKCS#11 library, the token's label, the user PIN, the key's label. */
export interface Pkcs11Settings {
  module: string;
  token: string;
  pin: string;
  keyLabel: string;
}

// One loaded library per path for the process: PKCS#11 initializes a library once.
const modules = new Map<string, pkcs11js.PKCS11>();

function load(path: string): pkcs11js.PKCS11 {
  let module = modules.get(path);
  if (module) return module;
  module = new pkcs11js.PKCS11();
  try {
    module.load(path);
    module.C_Initialize();
  } catch (error) {
    throw new KeyProviderError(`The PKCS#11 library ${path} cannot be loaded: ${(error as Error).message}`);
  }
  modules.set(path, module);
  return module;
}

/** A logged-in read-write session on the token labelled `token`. */
function session(settings: Pkcs11Settings): { module: pkcs11js.PKCS11; session: Buffer; serial: string } {
  const module = load(settings.module);
  const slot = module.C_GetSlotList(true).find((candidate) => module.C_GetTokenInfo(candidate).label.trim() === settings.token);
  if (!slot) throw new KeyProviderError(`No PKCS#11 token labelled "${settings.token}" in ${settings.module}.`);
  const opened = module.C_OpenSession(slot, pkcs11js.CKF_SERIAL_SESSION | pkcs11js.CKF_RW_SESSION);
  try {
    module.C_Login(opened, pkcs11js.CKU_USER, settings.pin);
  } catch (error) {
    const code = (error as Error).message;
    // Another session of this process logged the token in already: the login holds for the application.
    if (!code.startsWith('CKR_USER_ALREADY_LOGGED_IN')) {
      module.C_CloseSession(opened);
      const wrongPin = code.startsWith('CKR_PIN_INCORRECT') || code.startsWith('CKR_PIN_LOCKED');
      // Never tried again by itself: a token locks its user PIN after a few wrong ones.
      throw new KeyProviderError(wrongPin ? `The PIN of the PKCS#11 token "${settings.token}" is wrong (or locked); fix it and restart.` : `The PKCS#11 token "${settings.token}" refused the login: ${code.split(':')[0]}`, wrongPin);
    }
  }
  return { module, session: opened, serial: module.C_GetTokenInfo(slot).serialNumber.trim() };
}

function findKeys(module: pkcs11js.PKCS11, opened: Buffer, label: string): Buffer[] {
  module.C_FindObjectsInit(opened, [
    { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_SECRET_KEY },
    { type: pkcs11js.CKA_LABEL, value: label },
  ]);
  try {
    return module.C_FindObjects(opened, 2);
  } finally {
    module.C_FindObjectsFinal(opened);
  }
}

const flag = (value: Buffer | undefined) => Boolean(value?.[0]);
const number = (value: Buffer | undefined) => (value && value.length ? value.readUIntLE(0, Math.min(6, value.length)) : -1);

/**
 * The key-encryption key inside a PKCS#11 token: a non-extractable, sensitive AES-256 key found by its
 * label. Data keys are sealed and opened by the token (CKM_AES_GCM, 96-bit random IV, 128-bit tag,
 * the wrap's AAD), so its bytes never reach this process. Refused, with what to fix: a wrong PIN, a
 * missing token or key, two keys with the label, a key that is not AES-256, or one that may leave
 * the token (extractable, or not sensitive).
 */
export function openPkcs11Kek(settings: Pkcs11Settings): KeyEncryptionKey {
  const { module, session: opened, serial } = session(settings);
  const found = findKeys(module, opened, settings.keyLabel);
  if (found.length !== 1) {
    throw new KeyProviderError(
      found.length === 0 ? `The PKCS#11 token "${settings.token}" has no secret key labelled "${settings.keyLabel}" (create one with npm run keys:pkcs11-generate).` : `The PKCS#11 token "${settings.token}" has more than one key labelled "${settings.keyLabel}".`,
    );
  }
  const key = found[0]!;
  const [keyType, valueLength, extractable, sensitive, id] = module
    .C_GetAttributeValue(opened, key, [{ type: pkcs11js.CKA_KEY_TYPE }, { type: pkcs11js.CKA_VALUE_LEN }, { type: pkcs11js.CKA_EXTRACTABLE }, { type: pkcs11js.CKA_SENSITIVE }, { type: pkcs11js.CKA_ID }])
    .map((attribute) => attribute.value as Buffer | undefined);
  if (number(keyType) !== pkcs11js.CKK_AES || number(valueLength) !== 32) throw new KeyProviderError(`The key "${settings.keyLabel}" is not an AES-256 key.`);
  if (flag(extractable) || !flag(sensitive)) throw new KeyProviderError(`The key "${settings.keyLabel}" could leave the token (it is extractable or not sensitive): make a new one with npm run keys:pkcs11-generate.`);

  const gcm = (iv: Buffer, aad: Buffer) => ({ mechanism: pkcs11js.CKM_AES_GCM, parameter: { type: pkcs11js.CK_PARAMS_AES_GCM, iv, ivBits: iv.length * 8, aad, tagBits: TAG_BYTES * 8 } });
  return {
    id: createHash('sha256').update(`strongroom pkcs11 kek\0${serial}\0${settings.keyLabel}\0${(id ?? Buffer.alloc(0)).toString('hex')}`).digest('hex').slice(0, 16),
    provider: 'pkcs11',
    async wrap(plaintext, context) {
      const nonce = randomBytes(NONCE_BYTES);
      try {
        module.C_EncryptInit(opened, gcm(nonce, wrapAad(context)), key);
        return { nonce, sealed: Buffer.from(module.C_Encrypt(opened, plaintext, Buffer.alloc(plaintext.length + TAG_BYTES))) };
      } catch (error) {
        throw new KeyProviderError(`The PKCS#11 token "${settings.token}" cannot wrap: ${(error as Error).message.split(':')[0]}`);
      }
    },
    async unwrap(nonce, sealed, context) {
      if (nonce.length !== NONCE_BYTES || sealed.length < TAG_BYTES) throw new IntegrityError('malformed ciphertext');
      try {
        module.C_DecryptInit(opened, gcm(nonce, wrapAad(context)), key);
      } catch (error) {
        throw new KeyProviderError(`The PKCS#11 token "${settings.token}" cannot unwrap: ${(error as Error).message.split(':')[0]}`);
      }
      try {
        return Buffer.from(module.C_Decrypt(opened, sealed, Buffer.alloc(sealed.length)));
      } catch {
        // The token says only that it failed (SoftHSM: CKR_GENERAL_ERROR): wrong key, AAD or bytes.
        throw new IntegrityError('ciphertext failed authentication');
      }
    },
    async check() {
      try {
        module.C_GetSessionInfo(opened);
      } catch (error) {
        throw new KeyProviderError(`The PKCS#11 token "${settings.token}" cannot be used: ${(error as Error).message.split(':')[0]}`);
      }
    },
  };
}

/**
 * Makes the key-encryption key inside the token, unless one with the label exists: AES-256, kept on
 * the token, sensitive and not extractable, usable to encrypt and decrypt only. Returns whether it
 * was made.
 */
export function generatePkcs11Kek(settings: Pkcs11Settings): boolean {
  const { module, session: opened } = session(settings);
  if (findKeys(module, opened, settings.keyLabel).length > 0) return false;
  module.C_GenerateKey(opened, { mechanism: pkcs11js.CKM_AES_KEY_GEN, parameter: undefined as never }, [
    { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_SECRET_KEY },
    { type: pkcs11js.CKA_KEY_TYPE, value: pkcs11js.CKK_AES },
    { type: pkcs11js.CKA_VALUE_LEN, value: 32 },
    { type: pkcs11js.CKA_TOKEN, value: true },
    { type: pkcs11js.CKA_PRIVATE, value: true },
    { type: pkcs11js.CKA_SENSITIVE, value: true },
    { type: pkcs11js.CKA_EXTRACTABLE, value: false },
    { type: pkcs11js.CKA_ENCRYPT, value: true },
    { type: pkcs11js.CKA_DECRYPT, value: true },
    { type: pkcs11js.CKA_WRAP, value: false },
    { type: pkcs11js.CKA_UNWRAP, value: false },
    { type: pkcs11js.CKA_LABEL, value: settings.keyLabel },
    { type: pkcs11js.CKA_ID, value: randomBytes(8) },
  ]);
  return true;
}
