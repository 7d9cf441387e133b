import 'server-only';
import { appendAuditEvent, type Actor } from '@/lib/server/audit/append-audit-event';
import { recordRefusal } from '@/lib/server/audit/record-refusal';
import { createLink, linkUrl } from '@/lib/server/auth/one-time-links';
import { now } from '@/lib/server/clock';
import { fail, ok, type Result } from '@/lib/server/result';
import type { Services } from '@/lib/server/services';
import type { IssuedLink } from '@/lib/server/users/invite-user';

/**
 * An administrator's password-reset link for another active user of the organization (single use,
 * 24 hours); an earlier unused one stops working. One's own password is changed under Security.
 */
export async function issuePasswordReset(
  { prisma }: Pick<Services, 'prisma'>,
  { actor, organizationId, userId, baseUrl }: { actor: Actor; organizationId: string; userId: string; baseUrl: string },
): Promise<Result<IssuedLink>> {
  const target = { type: 'User', id: userId };
  const refuse = (code: 'FORBIDDEN' | 'NOT_FOUND' | 'INVALID_STATE', message: string) =>
    recordRefusal(prisma, { actor, organizationId, action: 'user.password_reset_issue', target, failure: fail(code, message).error });
  if (actor.id === userId) return refuse('FORBIDDEN', 'Change your own password under Security.');
  const user = await prisma.user.findFirst({ where: { id: userId, organizationId }, select: { disabledAt: true } });
  if (!user) return refuse('NOT_FOUND', 'No such user in your organization.');
  if (user.disabledAt) return refuse('INVALID_STATE', 'This user is deactivated: reactivate them first.');
  const link = await prisma.$transaction(async (tx) => {
    await tx.oneTimeLink.updateMany({ where: { userId, purpose: 'PASSWORD_RESET', usedAt: null, cancelledAt: null }, data: { cancelledAt: now() } });
    const { token, link } = await createLink(tx, { purpose: 'PASSWORD_RESET', organizationId, userId, createdById: actor.id ?? undefined });
    await appendAuditEvent(tx, { actor, action: 'user.password_reset_issue', target, organizationId, outcome: 'SUCCESS', details: { link: link.id } });
    return { url: linkUrl(baseUrl, '/reset-password', token), expiresAt: link.expiresAt };
  });
  return ok(link);
}
