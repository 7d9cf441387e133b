import 'server-only';
import { appendAuditEvent, type Actor } from '@/lib/server/audit/append-audit-event';
import type { Services } from '@/lib/server/services';

/** Turns one's own daily digest mail on or off. */
export async function setDailyDigest({ prisma }: Pick<Services, 'prisma'>, { actor, userId, organizationId, enabled }: { actor: Actor; userId: string; organizationId: string; enabled: boolean }): Promise<void> {
  await prisma.$transaction(async (tx) => {
    await tx.user.update({ where: { id: userId }, data: { dailyDigest: enabled } });
    await appendAuditEvent(tx, { actor, action: 'user.daily_digest', target: { type: 'User', id: userId }, organizationId, outcome: 'SUCCESS', details: { enabled } });
  });
}

/** Whether the user gets the daily digest. */
export async function hasDailyDigest({ prisma }: Pick<Services, 'prisma'>, { userId }: { userId: string }): Promise<boolean> {
  return (await prisma.user.findUniqueOrThrow({ where: { id: userId }, select: { dailyDigest: true } })).dailyDigest;
}
