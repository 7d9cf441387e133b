import 'server-only';
import { appendAuditEvent, type Actor } from '@/lib/server/audit/append-audit-event';
import { endSessionsOf } from '@/lib/server/auth/sessions';
import { now } from '@/lib/server/clock';
import type { Services } from '@/lib/server/services';

/** The user's open sessions other than this one (for the security page). */
export async function listOtherSessions({ prisma }: Pick<Services, 'prisma'>, { userId, sessionId }: { userId: string; sessionId: string }) {
  return prisma.session.findMany({
    where: { userId, endedAt: null, expiresAt: { gt: now() }, id: { not: sessionId } },
    orderBy: { createdAt: 'desc' },
    select: { createdAt: true, expiresAt: true },
  });
}

/** Signs the user out everywhere but this session (a lost laptop, a shared computer). */
export async function endOtherSessions(
  { prisma }: Pick<Services, 'prisma'>,
  { user, actor }: { user: { id: string; organizationId: string; sessionId: string }; actor: Actor },
): Promise<number> {
  return prisma.$transaction(async (tx) => {
    const ended = await endSessionsOf(tx, { userId: user.id, except: user.sessionId });
    await appendAuditEvent(tx, { actor, action: 'user.sessions_end', target: { type: 'User', id: user.id }, organizationId: user.organizationId, outcome: 'SUCCESS', details: { sessionsEnded: ended } });
    return ended;
  });
}
