import 'server-only';
import { appendAuditEvent, type Actor } from '@/lib/server/audit/append-audit-event';
import { recordRefusal } from '@/lib/server/audit/record-refusal';
import { fail, ok, type Failure, type Result } from '@/lib/server/result';
import type { Services } from '@/lib/server/services';
import { cancelInvitationsIssuedBy } from '@/lib/server/users/cancel-invitation';
import { isLastActiveAdmin, LAST_ADMIN_MESSAGE } from '@/lib/server/users/last-admin';
import type { Role } from '@/prisma/generated/client';

/**
 * Gives a user of the organization another role; takes effect on their next request (the role is
 * read per request). Never one's own role, never the last active administrator's.
 */
export async function changeRole(
  { prisma }: Pick<Services, 'prisma'>,
  { actor, organizationId, userId, role }: { actor: Actor; organizationId: string; userId: string; role: Role },
): Promise<Result<null>> {
  const target = { type: 'User', id: userId };
  if (actor.id === userId) {
    return recordRefusal(prisma, { actor, organizationId, action: 'user.role_change', target, failure: fail('FORBIDDEN', 'You cannot change your own role: ask another administrator.').error });
  }
  const outcome = await prisma.$transaction(async (tx): Promise<Failure | null> => {
    const user = await tx.user.findFirst({ where: { id: userId, organizationId }, select: { role: true } });
    if (!user) return fail('NOT_FOUND', 'No such user in your organization.').error;
    if (user.role === role) return null;
    if (user.role === 'ADMIN' && (await isLastActiveAdmin(tx, { organizationId, userId }))) return fail('INVALID_STATE', LAST_ADMIN_MESSAGE).error;
    await tx.user.update({ where: { id: userId }, data: { role } });
    // Grants opened under the old role end with it.
    await tx.stepUpGrant.deleteMany({ where: { userId } });
    // Invitations they sent as an administrator end with that authority.
    const invitationsCancelled = user.role === 'ADMIN' ? await cancelInvitationsIssuedBy(tx, { issuerId: userId }) : 0;
    await appendAuditEvent(tx, { actor, action: 'user.role_change', target, organizationId, outcome: 'SUCCESS', details: { from: user.role, to: role, ...(invitationsCancelled ? { invitationsCancelled } : {}) } });
    return null;
  });
  if (!outcome) return ok(null);
  return recordRefusal(prisma, { actor, organizationId, action: 'user.role_change', target, failure: outcome });
}
