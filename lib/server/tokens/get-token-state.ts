import 'server-only';
import type { Services } from '@/lib/server/services';
import { tokenTimes } from '@/lib/server/tokens/token-memory';

/** What a person may know about a credential's cached token: times and the last failure, never the token. */
export interface TokenStateDto {
  expiresAt: Date | null;
  refreshAt: Date | null;
  /** How long the provider's tokens live, as the last one was issued. */
  lifetimeSeconds: number | null;
  lastError: string | null;
  nextAttemptAt: Date | null;
}

/** The token state of a credential of the organization, or null if it never had one. */
export async function getTokenState({ prisma }: Pick<Services, 'prisma'>, { organizationId, credentialId }: { organizationId: string; credentialId: string }): Promise<TokenStateDto | null> {
  const grant = await prisma.tokenGrant.findFirst({
    where: { credentialId, credential: { organizationId } },
    select: { obtainedAt: true, expiresAt: true, lastError: true, nextAttemptAt: true },
  });
  if (!grant) return null;
  const { obtainedAt, expiresAt } = grant;
  return {
    expiresAt,
    refreshAt: obtainedAt && expiresAt ? new Date(tokenTimes(obtainedAt, expiresAt).refreshAt) : null,
    lifetimeSeconds: obtainedAt && expiresAt ? Math.round((expiresAt.getTime() - obtainedAt.getTime()) / 1000) : null,
    lastError: grant.lastError,
    nextAttemptAt: grant.nextAttemptAt,
  };
}
