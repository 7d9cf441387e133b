import 'server-only';
import { createHash } from 'node:crypto';
import { decrypt, encrypt } from '@/lib/server/crypto/aes-gcm';
import { openPkcs11Kek } from '@/lib/server/crypto/pkcs11-kek';
import { parseKeyEnv } from '@/lib/server/env';

/**
 * A key-encryption key, wherever it lives: it seals and opens data keys (AES-256-GCM, bound to
 * `aad`) and never hands out its bytes, except a development key held in this process's environment.
 */
export interface KeyEncryptionKey {
  /** Derived from the key (or where the token keeps it), so nobody numbers keys by hand; safe to show and store. */
  id: string;
  /** `env`: bytes in this process (development and small installs); `pkcs11`: a non-extractable key in a token. */
  provider: 'env' | 'pkcs11';
  wrap(plaintext: Buffer, aad: Buffer): Promise<{ nonce: Buffer; sealed: Buffer }>;
  /** Throws IntegrityError unless the key, nonce, AAD and bytes all match. */
  unwrap(nonce: Buffer, sealed: Buffer, aad: Buffer): Promise<Buffer>;
  /** An `env` key's bytes: only to recognise the audit signing keys once derived from it (audit-signing-key.ts). */
  bytes?: Buffer;
}

export interface Keyring {
  current: KeyEncryptionKey;
  /** Every key that may unwrap: current first, then previous ones. */
  byId: Map<string, KeyEncryptionKey>;
}

export function kekId(key: Buffer): string {
  return createHash('sha256').update('strongroom kek id\0').update(key).digest('hex').slice(0, 16);
}

/** A key held as bytes in this process (STRONGROOM_KEK). */
export function envKek(key: Buffer): KeyEncryptionKey {
  return {
    id: kekId(key),
    provider: 'env',
    wrap: async (plaintext, aad) => encrypt(key, plaintext, aad),
    unwrap: async (nonce, sealed, aad) => decrypt(key, nonce, sealed, aad),
    bytes: key,
  };
}

/** A keyring of keys (the first is current); raw bytes are env keys. */
export function makeKeyring(current: Buffer | KeyEncryptionKey, previous: (Buffer | KeyEncryptionKey)[] = []): Keyring {
  const keys = [current, ...previous].map((key) => (Buffer.isBuffer(key) ? envKek(key) : key));
  return { current: keys[0]!, byId: new Map(keys.map((k) => [k.id, k])) };
}

let cached: Keyring | undefined;

/**
 * The process's keyring, built once from the environment: with STRONGROOM_KEY_PROVIDER=pkcs11 the
 * token's key is current and STRONGROOM_KEK (if still set) and STRONGROOM_KEK_PREVIOUS may unwrap
 * until `npm run keys:rotate` has rewrapped; with `env` (the default) STRONGROOM_KEK is current, and
 * a token key still configured (STRONGROOM_PKCS11_*) may unwrap, for the way back.
 */
export function keyring(): Keyring {
  if (!cached) {
    const config = parseKeyEnv(process.env);
    const envKeys = [config.STRONGROOM_KEK, ...config.STRONGROOM_KEK_PREVIOUS].flatMap((key) => (key ? [key] : []));
    const token = config.pkcs11 ? openPkcs11Kek(config.pkcs11) : null;
    cached = config.STRONGROOM_KEY_PROVIDER === 'pkcs11' ? makeKeyring(token!, envKeys) : makeKeyring(envKeys[0]!, [...envKeys.slice(1), ...(token ? [token] : [])]);
  }
  return cached;
}
