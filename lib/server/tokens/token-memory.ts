import 'server-only';

/** What callers are served: never the refresh token. */
export interface AccessToken {
  accessToken: string;
  tokenType: string;
  expiresAt: Date;
}

/** Refresh this long before expiry (or at half the token's life, if that comes first). */
export const REFRESH_BUFFER_SECONDS = 300;
/** A process's tokens are reused from memory at most this long, so a revocation elsewhere takes hold. */
const MEMORY_SECONDS = 30;

/** Tokens by credential, with the credential version they were obtained for: a change of the credential bumps it. */
const memory = new Map<string, AccessToken & { refreshAt: number; until: number; credentialVersion: number }>();

/** When a token obtained at `obtainedAt` is due for refresh. */
export const refreshAt = (obtainedAt: Date, expiresAt: Date) =>
  expiresAt.getTime() - Math.min(REFRESH_BUFFER_SECONDS * 1000, (expiresAt.getTime() - obtainedAt.getTime()) / 2);

/** The token this process holds for the credential at `credentialVersion`, if it is not yet due for refresh. */
export function recallToken(credentialId: string, credentialVersion: number | undefined, now = Date.now()): AccessToken | null {
  const hit = memory.get(credentialId);
  if (!hit || hit.credentialVersion !== credentialVersion || now >= hit.refreshAt || now >= hit.until) return null;
  return hit;
}

export function rememberToken(credentialId: string, token: AccessToken, { obtainedAt, credentialVersion }: { obtainedAt: Date; credentialVersion: number }): void {
  memory.set(credentialId, { ...token, refreshAt: refreshAt(obtainedAt, token.expiresAt), until: Date.now() + MEMORY_SECONDS * 1000, credentialVersion });
}

/** Drops this process's memory of a credential's token (after the transaction that reset it commits). */
export function forgetAccessToken(credentialId: string): void {
  memory.delete(credentialId);
}
