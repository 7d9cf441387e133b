import 'server-only';
import { appendAuditEvent, type Actor } from '@/lib/server/audit/append-audit-event';
import { recordRefusal } from '@/lib/server/audit/record-refusal';
import { fail, ok, type Failure, type Result } from '@/lib/server/result';
import type { Services } from '@/lib/server/services';
import { cancelInvitationsIssuedBy } from '@/lib/server/users/cancel-invitation';
import { isLastActiveAdmin, isLastBreakGlass, LAST_ADMIN_MESSAGE, LAST_BREAK_GLASS_MESSAGE } from '@/lib/server/users/last-admin';
import type { Prisma, Role } from '@/prisma/generated/client';
import { needsSecondAdministrator, requestAdministration } from '@/lib/server/approvals/admin-standing';
import type { ApprovalRequested } from '@/lib/server/approvals/request-change';
import { now } from '@/lib/server/clock';

/**
 * Gives a user of the organization another role; takes effect on their next request (the role is
 * read per request). Never one's own role, never the last active administrator's. Under the approval
 * policy, making someone an administrator is a request another administrator approves.
 */
export async function changeRole(
  services: Pick<Services, 'prisma'>,
  { actor, organizationId, userId, role }: { actor: Actor; organizationId: string; userId: string; role: Role },
): Promise<Result<null | ApprovalRequested>> {
  const { prisma } = services;
  const target = { type: 'User', id: userId };
  if (actor.id === userId) {
    return recordRefusal(prisma, { actor, organizationId, action: 'user.role_change', target, failure: fail('FORBIDDEN', 'You cannot change your own role: ask another administrator.').error });
  }
  if (role === 'ADMIN' && (await needsSecondAdministrator(prisma, { organizationId, actorId: actor.id }))) {
    const user = await prisma.user.findFirst({ where: { id: userId, organizationId, disabledAt: null }, select: { email: true, role: true } });
    if (!user) return recordRefusal(prisma, { actor, organizationId, action: 'user.role_change', target, failure: fail('NOT_FOUND', 'No such active user in your organization.').error });
    if (user.role === 'ADMIN') return ok(null);
    return requestAdministration(services, {
      actor,
      organizationId,
      kind: 'ADMIN_GRANT',
      subject: user.email,
      payload: { userId, email: user.email },
      target: `Make ${user.email} (now ${user.role.toLowerCase()}) an administrator`,
      action: 'user.role_change',
      refusalTarget: target,
    });
  }
  return applyRoleChange(prisma, { actor, organizationId, userId, role });
}

async function applyRoleChange(
  prisma: Pick<Services, 'prisma'>['prisma'],
  { actor, organizationId, userId, role }: { actor: Actor; organizationId: string; userId: string; role: Role },
): Promise<Result<null>> {
  const outcome = await prisma.$transaction((tx) => writeRoleChange(tx, { actor, organizationId, userId, role }));
  if (!outcome) return ok(null);
  return recordRefusal(prisma, { actor, organizationId, action: 'user.role_change', target: { type: 'User', id: userId }, failure: outcome });
}

/** The role change with its audit event, in the caller's transaction (also what an approved request runs); a failure to show, or null. */
export async function writeRoleChange(
  tx: Prisma.TransactionClient,
  { actor, organizationId, userId, role, approval }: { actor: Actor; organizationId: string; userId: string; role: Role; approval?: { requestId: string; requestedBy: string } },
): Promise<Failure | null> {
  const user = await tx.user.findFirst({ where: { id: userId, organizationId }, select: { role: true, disabledAt: true } });
  if (!user) return fail('NOT_FOUND', 'No such user in your organization.').error;
  if (user.role === role) return null;
  if (role === 'ADMIN' && user.disabledAt) return fail('INVALID_STATE', 'This user is deactivated: reactivate them first.').error;
  if (user.role === 'ADMIN' && (await isLastActiveAdmin(tx, { organizationId, userId }))) return fail('INVALID_STATE', LAST_ADMIN_MESSAGE).error;
  if (user.role === 'ADMIN' && (await isLastBreakGlass(tx, { organizationId, userId }))) return fail('INVALID_STATE', LAST_BREAK_GLASS_MESSAGE).error;
  await tx.user.update({ where: { id: userId }, data: { role, ...(role === 'ADMIN' ? { adminSince: now() } : {}) } });
  // Grants opened under the old role end with it.
  await tx.stepUpGrant.deleteMany({ where: { userId } });
  // Invitations they sent as an administrator end with that authority.
  const invitationsCancelled = user.role === 'ADMIN' ? await cancelInvitationsIssuedBy(tx, { issuerId: userId }) : 0;
  await appendAuditEvent(tx, {
    actor,
    action: 'user.role_change',
    target: { type: 'User', id: userId },
    organizationId,
    outcome: 'SUCCESS',
    details: { from: user.role, to: role, ...(invitationsCancelled ? { invitationsCancelled } : {}), ...(approval ? { changeRequest: approval.requestId, requestedBy: approval.requestedBy } : {}) },
  });
  return null;
}
