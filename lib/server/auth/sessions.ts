import 'server-only';
import { now, nowMs } from '@/lib/server/clock';
import type { Prisma, PrismaClient } from '@/prisma/generated/client';

/** Records a new sign-in (through single sign-on: the provider's subject and session id); its id goes into the session JWT. */
export async function startSession(
  prisma: PrismaClient,
  { id, userId, maxAgeSeconds, sso }: { id: string; userId: string; maxAgeSeconds: number; sso?: { subject: string; sid: string | null } },
): Promise<void> {
  await prisma.session.create({ data: { id, userId, expiresAt: new Date(nowMs() + maxAgeSeconds * 1000), ...(sso ? { ssoSubject: sso.subject, ssoSid: sso.sid } : {}) } });
}

/**
 * Ends a sign-in on the server: every later request that carries its cookie is refused, and the
 * step-up grants of the session are deleted with it.
 */
export async function endSession(prisma: PrismaClient, { id }: { id: string }): Promise<void> {
  await prisma.$transaction([
    prisma.session.updateMany({ where: { id, endedAt: null }, data: { endedAt: now() } }),
    prisma.stepUpGrant.deleteMany({ where: { sessionId: id } }),
  ]);
}

/**
 * Inside the caller's transaction: ends every open session of a user (but `except`, the caller's
 * own when they sign out their other devices) and deletes their step-up grants with them.
 */
export async function endSessionsOf(tx: Prisma.TransactionClient, { userId, except }: { userId: string; except?: string }): Promise<number> {
  const others = except ? { not: except } : undefined;
  const { count } = await tx.session.updateMany({ where: { userId, endedAt: null, ...(others ? { id: others } : {}) }, data: { endedAt: now() } });
  await tx.stepUpGrant.deleteMany({ where: { userId, ...(others ? { sessionId: others } : {}) } });
  return count;
}
