import 'server-only';
import { nowMs } from '@/lib/server/clock';

/** How long a credential's opened material stays in memory before it is opened (and audited) again. */
export const OPENED_MEMORY_MS = 10 * 60_000;
/** Entries kept at once per kind; the oldest is dropped first. */
const MAX_ENTRIES = 256;

interface Entry {
  value: unknown;
  openedAt: number;
}

// One memory per process, on globalThis (Next.js gives each bundle its own copy of a module). Keyed
// by kind, credential and version: a new secret version is a new entry, and a change to a credential
// heard of (services.ts) drops its entries at once.
const holder = globalThis as { strongroomOpened?: Map<string, Entry> };
const entries = (holder.strongroomOpened ??= new Map());

/**
 * What was opened from a credential's sealed form for repeated use by this process (a signing key,
 * the headers and TLS agent of the proxy), for at most OPENED_MEMORY_MS: the audit then sees a
 * `credential.open` per version and interval, not per call. Never rendered, never returned.
 */
export function openedMemory<Value>(kind: string) {
  const name = (credentialId: string, version: number) => `${kind}:${credentialId}:${version}`;
  return {
    recall(credentialId: string, version: number): Value | null {
      const entry = entries.get(name(credentialId, version));
      if (entry && nowMs() - entry.openedAt < OPENED_MEMORY_MS) return entry.value as Value;
      if (entry) dropEntry(name(credentialId, version), entry);
      return null;
    },
    remember(credentialId: string, version: number, value: Value): void {
      const ofKind = [...entries.keys()].filter((key) => key.startsWith(`${kind}:`));
      if (ofKind.length >= MAX_ENTRIES) dropEntry(ofKind[0]!, entries.get(ofKind[0]!)!);
      entries.set(name(credentialId, version), { value, openedAt: nowMs() });
    },
  };
}

/** Closes what holds connections (a TLS agent) as its entry goes. */
function dropEntry(key: string, entry: Entry): void {
  entries.delete(key);
  const closable = entry.value as { close?: () => unknown } | null;
  if (closable && typeof closable.close === 'function') void Promise.resolve(closable.close()).catch(() => {});
}

/** Forgets what was opened from one credential (it changed), or from every credential. */
export function forgetOpened(credentialId?: string): void {
  for (const [key, entry] of entries) if (!credentialId || key.split(':')[1] === credentialId) dropEntry(key, entry);
}
