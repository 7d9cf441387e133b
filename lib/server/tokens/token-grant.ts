import 'server-only';
import { appendAuditEvent, SYSTEM_ACTOR } from '@/lib/server/audit/append-audit-event';
import { changeCredentialStatus } from '@/lib/server/credentials/change-credential-status';
import { tokenOwner } from '@/lib/server/credentials/credential-secrets';
import { credentialNotices } from '@/lib/server/notifications/credential-notice';
import { dayKey, raiseNotifications } from '@/lib/server/notifications/raise-notifications';
import { deleteSecrets, readSecrets, writeSecret } from '@/lib/server/crypto/sealed-secrets';
import { fail, ok, type Result } from '@/lib/server/result';
import type { Services } from '@/lib/server/services';
import { jitter } from '@/lib/server/tokens/request-fresh-token';
import type { TokenOutcome } from '@/lib/server/tokens/request-token';
import { forgetAccessToken, rememberToken, tokenTimes, type AccessToken } from '@/lib/server/tokens/token-memory';
import { now, nowMs } from '@/lib/server/clock';
import type { Prisma } from '@/prisma/generated/client';

// The bookkeeping of a credential's tokens in the database (TokenGrant + sealed tokens): what is
// stored, what a success and a failure write, and how a change of the credential resets it.

/** Cooldown after transient failures: 5 s, 10 s, 20 s … at most 5 minutes (plus jitter). */
const COOLDOWN = { baseMs: 5_000, capMs: 300_000 };

/** The credential changed while its token was being fetched: the token is discarded. */
export class CredentialChanged extends Error {}

/**
 * The stored grant, and its access token if one is stored that may still be served (remembered in
 * memory); `fresh` is false once it is due for refresh.
 */
export async function readStoredToken({ prisma, keyring }: Services, credentialId: string) {
  const grant = await prisma.tokenGrant.findUnique({
    where: { credentialId },
    include: { credential: { select: { id: true, organizationId: true, status: true, version: true } } },
  });
  if (!grant?.expiresAt || !grant.obtainedAt) return { grant, token: null, fresh: false };
  const times = tokenTimes(grant.obtainedAt, grant.expiresAt);
  if (nowMs() >= times.serveUntil) return { grant, token: null, fresh: false };
  const { accessToken } = await readSecrets(prisma, keyring, tokenOwner(grant.credential), ['accessToken']);
  if (!accessToken) return { grant, token: null, fresh: false };
  const token: AccessToken = { accessToken, tokenType: grant.tokenType ?? 'Bearer', expiresAt: grant.expiresAt };
  rememberToken(credentialId, token, { obtainedAt: grant.obtainedAt, credentialVersion: grant.credential.version });
  return { grant, token, fresh: nowMs() < times.refreshAt };
}

/**
 * Seals and stores a new token for the credential at the version it was asked for, clears the
 * failure state, heals the credential's status, and remembers the token. Throws CredentialChanged
 * if the credential changed meanwhile.
 */
export async function storeToken(
  { prisma, keyring }: Services,
  credential: { id: string; organizationId: string; version: number },
  token: TokenOutcome & { ok: true },
  grantType: string,
  previousRefreshToken: string | undefined,
): Promise<Result<AccessToken>> {
  const obtainedAt = now();
  const expiresAt = new Date(obtainedAt.getTime() + token.expiresIn * 1000);
  await prisma.$transaction(async (tx) => {
    // The token belongs to the secret and settings it was asked with. If the credential changed
    // meanwhile, drop it: FOR SHARE waits for a concurrent change to commit and then sees it.
    const current = await tx.$queryRaw<unknown[]>`SELECT 1 FROM "Credential" WHERE id = ${credential.id}::uuid AND version = ${credential.version} FOR SHARE`;
    if (current.length === 0) throw new CredentialChanged();
    const owner = tokenOwner(credential);
    await writeSecret(tx, keyring, owner, 'accessToken', token.accessToken);
    // Keep the old refresh token when the response does not send a new one.
    if (token.refreshToken) await writeSecret(tx, keyring, owner, 'refreshToken', token.refreshToken);
    else if (!previousRefreshToken) await deleteSecrets(tx, owner, ['refreshToken']);
    await tx.tokenGrant.update({
      where: { credentialId: credential.id },
      data: { tokenType: token.tokenType, scope: token.scope ?? null, obtainedAt, expiresAt, failureCount: 0, nextAttemptAt: null, lastError: null, lastErrorCode: null },
    });
    await changeCredentialStatus(tx, {
      credential,
      to: 'ACTIVE',
      onlyFrom: ['NEEDS_ATTENTION', 'REFRESHING', 'EXPIRED'],
      event: { actor: SYSTEM_ACTOR, action: 'token.obtain', outcome: 'SUCCESS', details: { grantType, expiresIn: token.expiresIn } },
    });
  });
  const result = { accessToken: token.accessToken, tokenType: token.tokenType, expiresAt };
  rememberToken(credential.id, result, { obtainedAt, credentialVersion: credential.version });
  return ok(result);
}

/**
 * Records a failed token request. Permanent (the provider refused the client): the tokens are
 * destroyed and the credential needs attention. Transient: the failure count grows and the next
 * attempt waits out a cooldown (backoff with jitter, or the provider's Retry-After if longer); a
 * token still valid is kept and served meanwhile.
 */
export async function recordFailure({ prisma }: Services, credential: { id: string; organizationId: string }, failure: TokenOutcome & { ok: false }): Promise<Result<AccessToken>> {
  const permanent = failure.kind === 'permanent';
  if (permanent) forgetAccessToken(credential.id);
  await prisma.$transaction(async (tx) => {
    const grant = await tx.tokenGrant.findUniqueOrThrow({ where: { credentialId: credential.id }, select: { failureCount: true } });
    const failures = grant.failureCount + 1;
    const cooldownMs = Math.max(jitter(Math.min(COOLDOWN.baseMs * 2 ** (failures - 1), COOLDOWN.capMs)), (failure.retryAfterSeconds ?? 0) * 1000);
    if (permanent) await deleteSecrets(tx, tokenOwner(credential));
    await tx.tokenGrant.update({
      where: { credentialId: credential.id },
      data: {
        lastError: failure.message,
        lastErrorCode: failure.code,
        obtainedAt: permanent ? null : undefined,
        expiresAt: permanent ? null : undefined,
        failureCount: permanent ? 0 : failures,
        nextAttemptAt: permanent ? null : new Date(nowMs() + cooldownMs),
      },
    });
    const event = { actor: SYSTEM_ACTOR, action: 'token.obtain', outcome: 'FAILURE' as const, details: { kind: failure.kind, code: failure.code, httpStatus: failure.httpStatus ?? null } };
    // A refused client needs a person: its credential stops serving until someone fixes it.
    if (permanent) {
      const moved = await changeCredentialStatus(tx, { credential, to: 'NEEDS_ATTENTION', lastError: `${failure.message} Check the client ID and secret, then test again.`, event });
      // People are told when it starts needing attention, not at every refusal after that.
      if (moved.changed && moved.from !== 'NEEDS_ATTENTION') {
        const data = (await credentialNotices(tx, [credential.id])).get(credential.id) ?? {};
        await raiseNotifications(tx, [
          { organizationId: credential.organizationId, credentialId: credential.id, event: 'credential.refresh_failed', dedupeKey: `credential.refresh_failed:${credential.id}:${dayKey(now())}`, data: { ...data, errorCode: failure.code } },
        ]);
      }
    } else await appendAuditEvent(tx, { ...event, target: { type: 'Credential', id: credential.id }, organizationId: credential.organizationId });
  });
  return fail(permanent ? 'INVALID_STATE' : transientCode(failure.code), failure.message);
}

/** A provider that asks us to slow down is rate limiting; anything else transient means we cannot reach a working provider. */
export const transientCode = (code: string | null) => (code === 'rate_limited' ? 'RATE_LIMITED' : 'PROVIDER_UNREACHABLE');

/**
 * Inside the transaction that changes a credential's secret, client, scope or endpoint: destroys its
 * tokens (access and refresh: they belong to the old client) and clears the failure state, so the
 * next request starts afresh with the new values. The lease is left to its holder, whose result is
 * then discarded (see storeToken).
 */
export async function resetTokenGrant(tx: Prisma.TransactionClient, credential: { id: string; organizationId: string }): Promise<void> {
  forgetAccessToken(credential.id);
  await deleteSecrets(tx, tokenOwner(credential));
  await tx.tokenGrant.updateMany({
    where: { credentialId: credential.id },
    data: { tokenType: null, scope: null, obtainedAt: null, expiresAt: null, failureCount: 0, nextAttemptAt: null, lastError: null, lastErrorCode: null },
  });
}

/** Forgets a credential's access token (after a 401 from the API); the refresh token stays. */
export async function invalidateAccessToken({ prisma }: Pick<Services, 'prisma'>, credentialId: string): Promise<void> {
  forgetAccessToken(credentialId);
  await prisma.$transaction(async (tx) => {
    await deleteSecrets(tx, { ownerTable: 'TokenGrant', ownerId: credentialId }, ['accessToken']);
    await tx.tokenGrant.updateMany({ where: { credentialId }, data: { expiresAt: null } });
  });
}
