import 'server-only';
import { nowMs } from '@/lib/server/clock';

/** What callers are served: never the refresh token. */
export interface AccessToken {
  accessToken: string;
  tokenType: string;
  expiresAt: Date;
}

/** Refresh this long before expiry (or at half the token's life, if that comes first). */
export const REFRESH_BUFFER_SECONDS = 300;
/**
 * A token is served until this long before it expires (or 10 % of its life, if that is shorter), so
 * a caller never gets one that dies on its way to the provider.
 */
export const SAFETY_MARGIN_SECONDS = 30;
/** A process's tokens are reused from memory at most this long, so a revocation elsewhere takes hold. */
const MEMORY_SECONDS = 30;

/**
 * The two moments of a token's life: `refreshAt`, from which a new one is fetched in the background
 * while this one is still served, and `serveUntil`, after which it is not served any more.
 */
export function tokenTimes(obtainedAt: Date, expiresAt: Date): { refreshAt: number; serveUntil: number } {
  const expiry = expiresAt.getTime();
  const life = Math.max(0, expiry - obtainedAt.getTime());
  return { refreshAt: expiry - Math.min(REFRESH_BUFFER_SECONDS * 1000, life / 2), serveUntil: expiry - Math.min(SAFETY_MARGIN_SECONDS * 1000, life / 10) };
}

interface Remembered {
  token: AccessToken;
  refreshAt: number;
  serveUntil: number;
  until: number;
  credentialVersion: number;
}

// Tokens by credential, with the credential version they were obtained for (a change of the
// credential bumps it), and when a background refresh of a credential may next be tried (after a
// failure, or another instance's lease). One memory per process, on globalThis: Next.js gives each
// bundle its own copy of a module, and a token dropped in one (after a 401) must not be served from another.
const holder = globalThis as { strongroomTokenMemory?: { memory: Map<string, Remembered>; refreshNotBefore: Map<string, number> } };
const { memory, refreshNotBefore } = (holder.strongroomTokenMemory ??= { memory: new Map(), refreshNotBefore: new Map() });

/**
 * The token this process holds for the credential at `credentialVersion`, if it may still be served;
 * `fresh` is false once it is due for refresh.
 */
export function recallToken(credentialId: string, credentialVersion: number | undefined, now = nowMs()): { token: AccessToken; fresh: boolean } | null {
  const hit = memory.get(credentialId);
  if (!hit || hit.credentialVersion !== credentialVersion || now >= hit.serveUntil || now >= hit.until) return null;
  return { token: hit.token, fresh: now < hit.refreshAt };
}

export function rememberToken(credentialId: string, token: AccessToken, { obtainedAt, credentialVersion }: { obtainedAt: Date; credentialVersion: number }): void {
  memory.set(credentialId, { token, ...tokenTimes(obtainedAt, token.expiresAt), until: nowMs() + MEMORY_SECONDS * 1000, credentialVersion });
}

/** Drops this process's memory of a credential's token (after the transaction that reset it commits). */
export function forgetAccessToken(credentialId: string): void {
  memory.delete(credentialId);
  refreshNotBefore.delete(credentialId);
}

/** Whether a background refresh may be tried now; `deferRefresh` puts the next try off until `at`. */
export const mayRefresh = (credentialId: string, now = nowMs()) => now >= (refreshNotBefore.get(credentialId) ?? 0);
export const deferRefresh = (credentialId: string, at: number) => void refreshNotBefore.set(credentialId, at);
