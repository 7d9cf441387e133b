import 'server-only';
import type { PrismaClient } from '@/prisma/generated/client';

/** Records a new sign-in; its id goes into the session JWT. */
export async function startSession(prisma: PrismaClient, { id, userId, maxAgeSeconds }: { id: string; userId: string; maxAgeSeconds: number }): Promise<void> {
  await prisma.session.create({ data: { id, userId, expiresAt: new Date(Date.now() + maxAgeSeconds * 1000) } });
}

/**
 * Ends a sign-in on the server: every later request that carries its cookie is refused, and the
 * step-up grants of the session are deleted with it.
 */
export async function endSession(prisma: PrismaClient, { id }: { id: string }): Promise<void> {
  await prisma.$transaction([
    prisma.session.updateMany({ where: { id, endedAt: null }, data: { endedAt: new Date() } }),
    prisma.stepUpGrant.deleteMany({ where: { sessionId: id } }),
  ]);
}
