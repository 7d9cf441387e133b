import 'server-only';
import { openAwsKmsKek } from '@/lib/server/crypto/aws-kms-kek';
import { openPkcs11Kek } from '@/lib/server/crypto/pkcs11-kek';
import { openVaultTransitKek } from '@/lib/server/crypto/vault-transit-kek';
import { nowMs } from '@/lib/server/clock';
import { envKek, KeyProviderError, unavailableKek, type KeyEncryptionKey, type KeyProvider } from '@/lib/server/crypto/key-encryption-key';
import { logger } from '@/lib/server/logger';
import { parseKeyEnv } from '@/lib/server/env';

export { envKek, kekId, KeyProviderError, type KeyEncryptionKey, type KeyProvider, type WrapContext } from '@/lib/server/crypto/key-encryption-key';

export interface Keyring {
  current: KeyEncryptionKey;
  /** Every key that may unwrap: current first, then previous ones. */
  byId: Map<string, KeyEncryptionKey>;
}

/** A keyring of keys (the first is current); raw bytes are env keys. */
export function makeKeyring(current: Buffer | KeyEncryptionKey, previous: (Buffer | KeyEncryptionKey)[] = []): Keyring {
  const keys = [current, ...previous].map((key) => (Buffer.isBuffer(key) ? envKek(key) : key));
  return { current: keys[0]!, byId: new Map(keys.map((k) => [k.id, k])) };
}

/** How soon a key provider that could not be opened at start is tried again. */
export const KEY_PROVIDER_RETRY_MS = 30_000;

let cached: { keyring: Keyring; retryAt: number } | undefined;

function openOrUnavailable(provider: KeyProvider, open: () => KeyEncryptionKey): { kek: KeyEncryptionKey; failed?: KeyProviderError } {
  try {
    return { kek: open() };
  } catch (error) {
    if (!(error instanceof KeyProviderError)) throw error;
    logger().error({ event: 'keys.provider_unavailable', provider, err: error.message }, 'key provider cannot be opened');
    return { kek: unavailableKek(provider, error), failed: error };
  }
}

/**
 * The process's keyring, built once from the environment: the key of STRONGROOM_KEY_PROVIDER is
 * current (`env`, the default: STRONGROOM_KEK), and every other key still configured may unwrap
 * (STRONGROOM_KEK, STRONGROOM_KEK_PREVIOUS, STRONGROOM_PKCS11_*, STRONGROOM_AWS_KMS_*,
 * STRONGROOM_VAULT_*) until a rotation has rewrapped everything under the current one. A PKCS#11
 * token is opened here; one that cannot be (token missing, wrong PIN) stands in as unavailable, so
 * nothing is served or written under it, and is tried again after KEY_PROVIDER_RETRY_MS (never after
 * a wrong PIN). Remote providers are reached on use.
 */
export function keyring(): Keyring {
  if (!cached || cached.retryAt <= nowMs()) {
    const config = parseKeyEnv(process.env);
    const envKeys = [config.STRONGROOM_KEK, ...config.STRONGROOM_KEK_PREVIOUS].flatMap((key) => (key ? [envKek(key)] : []));
    const opened = [
      ...(config.pkcs11 ? [openOrUnavailable('pkcs11', () => openPkcs11Kek(config.pkcs11!))] : []),
      ...(config.awsKms ? [openOrUnavailable('aws-kms', () => openAwsKmsKek(config.awsKms!))] : []),
      ...(config.vault ? [openOrUnavailable('vault-transit', () => openVaultTransitKek(config.vault!))] : []),
    ];
    const others = opened.map((o) => o.kek);
    const current = config.STRONGROOM_KEY_PROVIDER === 'env' ? envKeys[0]! : others.find((kek) => kek.provider === config.STRONGROOM_KEY_PROVIDER)!;
    const retry = opened.some((o) => o.failed && !o.failed.final);
    cached = { keyring: makeKeyring(current, [...envKeys, ...others].filter((kek) => kek !== current)), retryAt: retry ? nowMs() + KEY_PROVIDER_RETRY_MS : Infinity };
  }
  return cached.keyring;
}
