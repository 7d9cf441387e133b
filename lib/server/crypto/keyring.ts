import 'server-only';
import { createHash } from 'node:crypto';
import { parseKeyEnv } from '@/lib/server/env';

export interface KeyEncryptionKey {
  /** Derived from the key itself, so nobody has to number keys by hand; safe to show and store. */
  id: string;
  key: Buffer;
}

export interface Keyring {
  current: KeyEncryptionKey;
  /** Every key that may unwrap: current first, then previous ones. */
  byId: Map<string, KeyEncryptionKey>;
}

export function kekId(key: Buffer): string {
  return createHash('sha256').update('strongroom kek id\0').update(key).digest('hex').slice(0, 16);
}

/** Builds a keyring from raw keys (the first is current). */
export function makeKeyring(current: Buffer, previous: Buffer[] = []): Keyring {
  const keys = [current, ...previous].map((key) => ({ id: kekId(key), key }));
  return { current: keys[0]!, byId: new Map(keys.map((k) => [k.id, k])) };
}

let cached: Keyring | undefined;

/** The process's keyring from STRONGROOM_KEK (+ STRONGROOM_KEK_PREVIOUS), parsed once. */
export function keyring(): Keyring {
  if (!cached) {
    const { STRONGROOM_KEK, STRONGROOM_KEK_PREVIOUS } = parseKeyEnv(process.env);
    cached = makeKeyring(STRONGROOM_KEK, STRONGROOM_KEK_PREVIOUS);
  }
  return cached;
}
