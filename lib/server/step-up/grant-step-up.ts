import 'server-only';
import { nowMs } from '@/lib/server/clock';
import type { TStepUpPurpose } from '@/lib/schemas/step-up';
import type { Actor } from '@/lib/server/audit/append-audit-event';
import type { Services } from '@/lib/server/services';
import { env } from '@/lib/server/env';
import { recordAuditEvent } from '@/lib/server/audit/record-audit-event';
import { authenticatorCodeRefused, PASSKEY_REQUIRED_MESSAGE } from '@/lib/server/passkeys/step-up-methods';
import { fail, ok, type Result } from '@/lib/server/result';
import { verifySecondFactor } from '@/lib/server/step-up/verify-second-factor';

/**
 * Checks a code and, if right (and allowed: see `stepUpMethods`), grants `user` in this session a step-up for one purpose, for
 * STEP_UP_GRANT_SECONDS (each use extends it; see `useStepUpGrant`). Stored in the database, so
 * every instance honours it.
 */
export async function grantStepUp(
  services: Services,
  {
    user,
    sessionId,
    purpose,
    code,
    actor,
    now = nowMs(),
    ttlSeconds = env().STEP_UP_GRANT_SECONDS,
  }: { user: { id: string; organizationId: string }; sessionId: string; purpose: TStepUpPurpose; code: string; actor: Actor; now?: number; ttlSeconds?: number },
): Promise<Result<{ expiresAt: Date }>> {
  // Where passkeys are required, an authenticator code (phishable) does not open a step-up; a
  // recovery code, the way back for a lost passkey, still does.
  if (await authenticatorCodeRefused(services, { userId: user.id, purpose, code })) {
    await recordAuditEvent(services.prisma, { actor, action: 'step_up.verify', target: { type: 'User', id: user.id }, organizationId: user.organizationId, outcome: 'DENIED', details: { purpose, reason: 'passkey_required' } });
    return fail('VALIDATION', PASSKEY_REQUIRED_MESSAGE, { code: [PASSKEY_REQUIRED_MESSAGE] });
  }
  const verified = await verifySecondFactor(services, { user, code, actor, action: 'step_up.verify', details: { purpose }, now });
  if (!verified.ok) return verified;
  return ok(await recordGrant(services.prisma, { userId: user.id, sessionId, purpose, now, ttlSeconds }));
}

/** Grants the step-up once a second factor was checked. */
export async function recordGrant(
  prisma: Services['prisma'],
  { userId, sessionId, purpose, now, ttlSeconds }: { userId: string; sessionId: string; purpose: TStepUpPurpose; now: number; ttlSeconds: number },
): Promise<{ expiresAt: Date }> {
  const expiresAt = new Date(now + ttlSeconds * 1000);
  await prisma.stepUpGrant.create({ data: { userId, sessionId, purpose, createdAt: new Date(now), expiresAt } });
  return { expiresAt };
}

/** Whether this user, in this session, holds an unexpired grant for this purpose. */
export async function hasStepUpGrant(
  prisma: Services['prisma'],
  { userId, sessionId, purpose, now = nowMs() }: { userId: string; sessionId: string; purpose: TStepUpPurpose; now?: number },
): Promise<boolean> {
  const grant = await prisma.stepUpGrant.findFirst({
    where: { userId, sessionId, purpose, expiresAt: { gt: new Date(now) } },
    select: { id: true },
  });
  return grant !== null;
}

/**
 * The same check, for an action that is about to use the grant: if it holds, its window moves to
 * `windowSeconds` from now (a working session is not interrupted every few minutes), but never past
 * `maxSeconds` after the code was given. One statement, so concurrent uses cannot revive a lapsed grant.
 */
export async function useStepUpGrant(
  prisma: Services['prisma'],
  {
    userId,
    sessionId,
    purpose,
    now = nowMs(),
    windowSeconds = env().STEP_UP_GRANT_SECONDS,
    maxSeconds = env().STEP_UP_MAX_SECONDS,
  }: { userId: string; sessionId: string; purpose: TStepUpPurpose; now?: number; windowSeconds?: number; maxSeconds?: number },
): Promise<boolean> {
  const extended = await prisma.$executeRaw`
    UPDATE "StepUpGrant"
       SET "expiresAt" = LEAST(${new Date(now + windowSeconds * 1000)}::timestamp, "createdAt" + make_interval(secs => ${maxSeconds}))
     WHERE "userId" = ${userId}::uuid AND "sessionId" = ${sessionId} AND purpose = ${purpose} AND "expiresAt" > ${new Date(now)}::timestamp`;
  return extended > 0;
}
