import 'server-only';
import { appendAuditEvent, type Actor } from '@/lib/server/audit/append-audit-event';
import { recordRefusal } from '@/lib/server/audit/record-refusal';
import { createLink, linkUrl } from '@/lib/server/auth/one-time-links';
import { NO_PASSWORD } from '@/lib/server/auth/password';
import { now } from '@/lib/server/clock';
import { fail, ok, type Result } from '@/lib/server/result';
import type { Mailer } from '@/lib/server/mail/mailer';
import { sendAuditedMail } from '@/lib/server/mail/send-audited-mail';
import type { Services } from '@/lib/server/services';
import { formatDateTime } from '@/lib/format';
import type { IssuedLink, MailedLink } from '@/lib/server/users/invite-user';
import { needsSecondAdministrator } from '@/lib/server/approvals/admin-standing';

/**
 * An administrator's password-reset link for another active user of the organization (single use,
 * 24 hours); an earlier unused one stops working. One's own password is changed under Security.
 * Under the approval policy, another administrator's link is mailed to them and never shown: shown,
 * it would let one administrator sign in as the second pair of eyes.
 */
export async function issuePasswordReset(
  { prisma }: Pick<Services, 'prisma'>,
  { actor, organizationId, userId, baseUrl, mailer }: { actor: Actor; organizationId: string; userId: string; baseUrl: string; mailer: Mailer | null },
): Promise<Result<IssuedLink | MailedLink>> {
  const target = { type: 'User', id: userId };
  const refuse = (code: 'FORBIDDEN' | 'NOT_FOUND' | 'INVALID_STATE', message: string) =>
    recordRefusal(prisma, { actor, organizationId, action: 'user.password_reset_issue', target, failure: fail(code, message).error });
  if (actor.id === userId) return refuse('FORBIDDEN', 'Change your own password under Security.');
  const user = await prisma.user.findFirst({ where: { id: userId, organizationId }, select: { disabledAt: true, email: true, role: true, passwordHash: true } });
  if (!user) return refuse('NOT_FOUND', 'No such user in your organization.');
  if (user.disabledAt) return refuse('INVALID_STATE', 'This user is deactivated: reactivate them first.');
  // An account made through the provider has no password; giving it one would let it in after the
  // provider disables it. (Once single sign-on is removed, such accounts need one, and may get it.)
  if (user.passwordHash === NO_PASSWORD && (await prisma.ssoConnection.count({ where: { organizationId } })) > 0) {
    return refuse('INVALID_STATE', `${user.email} signs in through your identity provider and has no password; the provider decides who gets in.`);
  }
  const mailOnly = user.role === 'ADMIN' && (await needsSecondAdministrator(prisma, { organizationId, actorId: actor.id }));
  if (mailOnly && !mailer) return refuse('INVALID_STATE', 'An administrator’s reset link goes only to their own mailbox, and mail is not set up (SMTP_URL). They can use a recovery code, or change their password themselves under Security.');
  const link = await prisma.$transaction(async (tx) => {
    await tx.oneTimeLink.updateMany({ where: { userId, purpose: 'PASSWORD_RESET', usedAt: null, cancelledAt: null }, data: { cancelledAt: now() } });
    const { token, link } = await createLink(tx, { purpose: 'PASSWORD_RESET', organizationId, userId, createdById: actor.id ?? undefined });
    await appendAuditEvent(tx, { actor, action: 'user.password_reset_issue', target, organizationId, outcome: 'SUCCESS', details: { link: link.id } });
    return { id: link.id, url: linkUrl(baseUrl, '/reset-password', token), expiresAt: link.expiresAt };
  });
  const mailed = await sendAuditedMail(prisma, mailer, {
    actor,
    organizationId,
    about: { type: 'OneTimeLink', id: link.id },
    mail: {
      to: user.email,
      subject: 'Choose a new Strongroom password',
      text: [
        `${actor.label ?? 'An administrator'} made this link for you to choose a new password. It works once, until ${formatDateTime(link.expiresAt)} UTC, and signs you out everywhere:`,
        link.url,
        '',
        'If you did not ask for this, tell your administrator.',
      ].join('\n'),
    },
  });
  if (mailOnly && !mailed) return refuse('INVALID_STATE', `The reset link could not be mailed to ${user.email}; nothing else was sent. Try again later.`);
  return ok(mailOnly ? { mailedOnly: true, expiresAt: link.expiresAt } : { url: link.url, expiresAt: link.expiresAt, mailed });
}
