import 'server-only';
import { nowMs } from '@/lib/server/clock';
import { KeyProviderError, type KeyEncryptionKey, type KeyProvider } from '@/lib/server/crypto/key-encryption-key';
import type { Keyring } from '@/lib/server/crypto/keyring';
import { logger } from '@/lib/server/logger';

export interface KekHealth {
  id: string;
  provider: KeyProvider;
  current: boolean;
  usable: boolean;
  /** Why it cannot be used (for administrators and the log: it may name the key or the server, never a PIN or token). */
  reason?: string;
}

/** How long a provider's answer to "can the key be used?" is reused: probes and every page ask. */
export const KEY_HEALTH_TTL_MS = 10_000;

const checked = new WeakMap<KeyEncryptionKey, { at: number; result: Promise<KekHealth> }>();

async function probe(kek: KeyEncryptionKey, current: boolean): Promise<KekHealth> {
  const base = { id: kek.id, provider: kek.provider, current };
  try {
    await kek.check();
    return { ...base, usable: true };
  } catch (error) {
    const reason = error instanceof KeyProviderError ? error.message : 'the key provider failed unexpectedly';
    logger().warn({ event: 'keys.unusable', provider: kek.provider, kekId: kek.id, err: reason }, 'key-encryption key cannot be used');
    return { ...base, usable: false, reason };
  }
}

/** Whether each key of the keyring can be used now, current first; each provider asked at most every KEY_HEALTH_TTL_MS. */
export async function keyHealth(keyring: Keyring): Promise<KekHealth[]> {
  return Promise.all(
    [...keyring.byId.values()].map((kek) => {
      const hit = checked.get(kek);
      if (hit && nowMs() - hit.at < KEY_HEALTH_TTL_MS) return hit.result;
      const result = probe(kek, kek === keyring.current);
      checked.set(kek, { at: nowMs(), result });
      return result;
    }),
  );
}

/** Whether secrets can be sealed and opened now: the current key is usable. */
export async function keysUsable(keyring: Keyring): Promise<{ usable: boolean; provider: KeyProvider; reason?: string }> {
  const current = (await keyHealth(keyring)).find((kek) => kek.current)!;
  return { usable: current.usable, provider: current.provider, ...(current.reason ? { reason: current.reason } : {}) };
}
