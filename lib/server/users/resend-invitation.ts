import 'server-only';
import type { Actor } from '@/lib/server/audit/append-audit-event';
import { recordRefusal } from '@/lib/server/audit/record-refusal';
import { fail, ok, type Result } from '@/lib/server/result';
import type { Mailer } from '@/lib/server/mail/mailer';
import type { Services } from '@/lib/server/services';
import { needsSecondAdministrator } from '@/lib/server/approvals/admin-standing';
import { issueInvitation, type IssuedLink } from '@/lib/server/users/invite-user';

/**
 * A new link for an invitation not yet accepted (open or expired); the old link stops working. An
 * administrator's invitation under the approval policy is resent only by whoever issued it (its
 * approver): another administrator holding its link could join in the invited person's name.
 */
export async function resendInvitation(
  { prisma }: Pick<Services, 'prisma'>,
  { actor, organizationId, inviteId, baseUrl, mailer }: { actor: Actor; organizationId: string; inviteId: string; baseUrl: string; mailer: Mailer | null },
): Promise<Result<IssuedLink>> {
  const invite = await prisma.oneTimeLink.findFirst({ where: { id: inviteId, organizationId, purpose: 'INVITE', usedAt: null, cancelledAt: null } });
  if (!invite?.email || !invite.role) {
    return recordRefusal(prisma, { actor, organizationId, action: 'user.invite_resend', failure: fail('NOT_FOUND', 'That invitation is accepted, cancelled or unknown.').error });
  }
  if (invite.role === 'ADMIN' && invite.createdById !== actor.id && (await needsSecondAdministrator(prisma, { organizationId, actorId: actor.id }))) {
    return recordRefusal(prisma, { actor, organizationId, action: 'user.invite_resend', failure: fail('FORBIDDEN', 'An administrator’s invitation is resent by the administrator who issued it.').error });
  }
  const link = await issueInvitation(prisma, { actor, organizationId, email: invite.email, role: invite.role, baseUrl, mailer, action: 'user.invite_resend', replaces: invite.id });
  return ok(link);
}
