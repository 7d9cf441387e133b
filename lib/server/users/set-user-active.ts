import 'server-only';
import { appendAuditEvent, type Actor } from '@/lib/server/audit/append-audit-event';
import { recordRefusal } from '@/lib/server/audit/record-refusal';
import { endSessionsOf } from '@/lib/server/auth/sessions';
import { now } from '@/lib/server/clock';
import { fail, ok, type Failure, type Result } from '@/lib/server/result';
import type { Services } from '@/lib/server/services';
import { cancelInvitationsIssuedBy } from '@/lib/server/users/cancel-invitation';
import { isLastActiveAdmin, isLastBreakGlass, LAST_ADMIN_MESSAGE, LAST_BREAK_GLASS_MESSAGE } from '@/lib/server/users/last-admin';

/**
 * Deactivates a user (they cannot sign in; their open sessions are refused from their next request
 * and their step-up grants, reset links and the invitations they sent end) or reactivates them. Never oneself, never the last
 * active administrator. The account and its history stay.
 */
export async function setUserActive(
  { prisma }: Pick<Services, 'prisma'>,
  { actor, organizationId, userId, active }: { actor: Actor; organizationId: string; userId: string; active: boolean },
): Promise<Result<null>> {
  const action = active ? 'user.reactivate' : 'user.deactivate';
  const target = { type: 'User', id: userId };
  if (actor.id === userId) {
    return recordRefusal(prisma, { actor, organizationId, action, target, failure: fail('FORBIDDEN', 'You cannot deactivate yourself: ask another administrator.').error });
  }
  const outcome = await prisma.$transaction(async (tx): Promise<Failure | null> => {
    const user = await tx.user.findFirst({ where: { id: userId, organizationId }, select: { role: true, disabledAt: true } });
    if (!user) return fail('NOT_FOUND', 'No such user in your organization.').error;
    if ((user.disabledAt === null) === active) return null;
    if (active) {
      await tx.user.update({ where: { id: userId }, data: { disabledAt: null } });
      await appendAuditEvent(tx, { actor, action, target, organizationId, outcome: 'SUCCESS' });
      return null;
    }
    if (user.role === 'ADMIN' && (await isLastActiveAdmin(tx, { organizationId, userId }))) return fail('INVALID_STATE', LAST_ADMIN_MESSAGE).error;
    if (await isLastBreakGlass(tx, { organizationId, userId })) return fail('INVALID_STATE', LAST_BREAK_GLASS_MESSAGE).error;
    await tx.user.update({ where: { id: userId }, data: { disabledAt: now() } });
    const sessions = await endSessionsOf(tx, { userId });
    await tx.oneTimeLink.updateMany({ where: { userId, usedAt: null, cancelledAt: null }, data: { cancelledAt: now() } });
    const invitationsCancelled = await cancelInvitationsIssuedBy(tx, { issuerId: userId });
    await appendAuditEvent(tx, { actor, action, target, organizationId, outcome: 'SUCCESS', details: { sessionsEnded: sessions, invitationsCancelled } });
    return null;
  });
  if (!outcome) return ok(null);
  return recordRefusal(prisma, { actor, organizationId, action, target, failure: outcome });
}
