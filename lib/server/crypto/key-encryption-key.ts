import 'server-only';
import { createHash } from 'node:crypto';
import { decrypt, encrypt } from '@/lib/server/crypto/aes-gcm';

export type KeyProvider = 'env' | 'pkcs11' | 'aws-kms' | 'vault-transit';

/**
 * The key provider cannot be used (unreachable, refusing, misconfigured, answering nonsense): said so
 * that an operator knows what to fix, never with a PIN or token. Requests that need a key answer 503
 * meanwhile; nothing is marked damaged, because nothing is.
 */
export class KeyProviderError extends Error {
  override name = 'KeyProviderError';
  constructor(
    message: string,
    /** Trying again cannot help and may harm (a wrong PIN: tokens lock after a few); fixed by the operator and a restart. */
    readonly final = false,
  ) {
    super(message);
  }
}

/** What a wrapped key is bound to: the key's row (a data key, or the audit signing key) and its organization. */
export interface WrapContext {
  organizationId: string;
  keyId: string;
  purpose: string;
}

const WRAP_FORMAT = 'kw1';

/** The context as AES-GCM associated data: "kw1|<organization>|<key id>|<purpose>". */
export const wrapAad = (context: WrapContext) => Buffer.from([WRAP_FORMAT, context.organizationId, context.keyId, context.purpose].join('|'), 'utf8');

/**
 * A key-encryption key, wherever it lives: it seals and opens data keys bound to their context and
 * never hands out its bytes, except a development key held in this process's environment. A remote
 * provider's `nonce` is empty (its ciphertext carries what it needs).
 */
export interface KeyEncryptionKey {
  /** Derived from the key (or where the token keeps it), so nobody numbers keys by hand; safe to show and store. */
  id: string;
  /** `env`: bytes in this process (development and small installs); `pkcs11`: a non-extractable key in a token; `aws-kms`, `vault-transit`: a key that never leaves the service. */
  provider: KeyProvider;
  /** Throws KeyProviderError when the provider cannot be used. */
  wrap(plaintext: Buffer, context: WrapContext): Promise<{ nonce: Buffer; sealed: Buffer }>;
  /** Throws IntegrityError unless the key, nonce, context and bytes all match; KeyProviderError when the provider cannot be used. */
  unwrap(nonce: Buffer, sealed: Buffer, context: WrapContext): Promise<Buffer>;
  /** Whether the key can be used now (reachable, of the right kind, enabled); throws KeyProviderError saying why not. */
  check(): Promise<void>;
  /** An `env` key's bytes: only to recognise the audit signing keys once derived from it (audit-signing-key.ts). */
  bytes?: Buffer;
}

export function kekId(key: Buffer): string {
  return createHash('sha256').update('strongroom kek id\0').update(key).digest('hex').slice(0, 16);
}

/** A key held as bytes in this process (STRONGROOM_KEK). */
export function envKek(key: Buffer): KeyEncryptionKey {
  return {
    id: kekId(key),
    provider: 'env',
    wrap: async (plaintext, context) => encrypt(key, plaintext, wrapAad(context)),
    unwrap: async (nonce, sealed, context) => decrypt(key, nonce, sealed, wrapAad(context)),
    check: async () => {},
    bytes: key,
  };
}

/**
 * Stands in for a key that could not be opened at start: every use fails with why, so the server
 * serves pages and says "keys unavailable" instead of serving secrets or crashing.
 */
export function unavailableKek(provider: KeyProvider, reason: KeyProviderError): KeyEncryptionKey {
  const fail = async (): Promise<never> => {
    throw reason;
  };
  return { id: `unavailable-${provider}`, provider, wrap: fail, unwrap: fail, check: fail };
}
