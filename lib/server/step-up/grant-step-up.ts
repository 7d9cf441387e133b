import 'server-only';
import type { TStepUpPurpose } from '@/lib/schemas/step-up';
import type { Actor } from '@/lib/server/audit/append-audit-event';
import type { Vault } from '@/lib/server/credentials/vault';
import { env } from '@/lib/server/env';
import { ok, type Result } from '@/lib/server/result';
import { verifySecondFactor } from '@/lib/server/step-up/verify-second-factor';

/**
 * Checks a code and, if right, grants `user` in this session a step-up for one purpose, for
 * STEP_UP_GRANT_SECONDS. Stored in the database, so every instance honours it.
 */
export async function grantStepUp(
  vault: Vault,
  {
    user,
    sessionId,
    purpose,
    code,
    actor,
    now = Date.now(),
    ttlSeconds = env().STEP_UP_GRANT_SECONDS,
  }: { user: { id: string; organizationId: string }; sessionId: string; purpose: TStepUpPurpose; code: string; actor: Actor; now?: number; ttlSeconds?: number },
): Promise<Result<{ expiresAt: Date }>> {
  const verified = await verifySecondFactor(vault, { user, code, actor, action: 'step_up.verify', details: { purpose }, now });
  if (!verified.ok) return verified;
  const expiresAt = new Date(now + ttlSeconds * 1000);
  await vault.prisma.stepUpGrant.create({ data: { userId: user.id, sessionId, purpose, expiresAt } });
  return ok({ expiresAt });
}

/** Whether this user, in this session, holds an unexpired grant for this purpose. */
export async function hasStepUpGrant(
  prisma: Vault['prisma'],
  { userId, sessionId, purpose, now = Date.now() }: { userId: string; sessionId: string; purpose: TStepUpPurpose; now?: number },
): Promise<boolean> {
  const grant = await prisma.stepUpGrant.findFirst({
    where: { userId, sessionId, purpose, expiresAt: { gt: new Date(now) } },
    select: { id: true },
  });
  return grant !== null;
}
