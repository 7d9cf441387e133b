import 'server-only';
import { appendAuditEvent, type Actor } from '@/lib/server/audit/append-audit-event';
import { recordRefusal } from '@/lib/server/audit/record-refusal';
import { createLink, linkUrl } from '@/lib/server/auth/one-time-links';
import { now } from '@/lib/server/clock';
import { fail, ok, type Result } from '@/lib/server/result';
import type { Mailer } from '@/lib/server/mail/mailer';
import { sendAuditedMail } from '@/lib/server/mail/send-audited-mail';
import { formatDateTime } from '@/lib/format';
import type { Services } from '@/lib/server/services';
import type { Role } from '@/prisma/generated/client';
import { needsSecondAdministrator, requestAdministration } from '@/lib/server/approvals/admin-standing';
import type { ApprovalRequested } from '@/lib/server/approvals/request-change';

/** A link that went only to its holder's mailbox (an administrator's reset under the approval policy). */
export interface MailedLink {
  mailedOnly: true;
  expiresAt: Date;
}

export interface IssuedLink {
  /** Shown once to the administrator to pass on; only its hash is stored. */
  url: string;
  expiresAt: Date;
  /** Whether it was also mailed to the person (mail configured and accepted by the SMTP server). */
  mailed: boolean;
}

/**
 * Invites someone by email with a role: a single-use link valid 7 days. Refused when the address
 * already has an account or an open invitation (resend that one instead). Under the approval policy,
 * an administrator's invitation is a request another administrator approves: it is issued by them,
 * when they approve it, so nobody makes an administrator alone.
 */
export async function inviteUser(
  services: Pick<Services, 'prisma'>,
  { actor, organizationId, email, role, baseUrl, mailer }: { actor: Actor; organizationId: string; email: string; role: Role; baseUrl: string; mailer: Mailer | null },
): Promise<Result<IssuedLink | ApprovalRequested>> {
  const { prisma } = services;
  const refuse = (message: string) => recordRefusal(prisma, { actor, organizationId, action: 'user.invite', failure: fail('CONFLICT', message, { email: [message] }).error });
  // Only an account in this organization is named: whether an address has one in another organization
  // is not this administrator's to learn (that invitation goes out, and its holder is told to sign in).
  if (await prisma.user.findFirst({ where: { email, organizationId }, select: { id: true } })) return refuse(`${email} already has an account.`);
  const open = await prisma.oneTimeLink.findFirst({ where: { organizationId, purpose: 'INVITE', email, usedAt: null, cancelledAt: null, expiresAt: { gt: now() } } });
  if (open) return refuse(`${email} has an open invitation already: resend or cancel it in the list below.`);
  if (role === 'ADMIN' && (await needsSecondAdministrator(prisma, { organizationId, actorId: actor.id }))) {
    return requestAdministration(services, { actor, organizationId, kind: 'ADMIN_GRANT', subject: email, payload: { email }, target: `Invite ${email} as administrator`, action: 'user.invite' });
  }
  return ok(await issueInvitation(prisma, { actor, organizationId, email, role, baseUrl, mailer, action: 'user.invite' }));
}

/** A new invitation link and its audit event in one transaction (ending the one it `replaces`); then the mail, if mail is configured. */
export async function issueInvitation(
  prisma: Services['prisma'],
  {
    actor,
    organizationId,
    email,
    role,
    baseUrl,
    mailer,
    action,
    replaces,
  }: { actor: Actor; organizationId: string; email: string; role: Role; baseUrl: string; mailer: Mailer | null; action: string; replaces?: string },
): Promise<IssuedLink> {
  const issued = await prisma.$transaction(async (tx) => {
    if (replaces) await tx.oneTimeLink.updateMany({ where: { id: replaces, usedAt: null, cancelledAt: null }, data: { cancelledAt: now() } });
    const { token, link } = await createLink(tx, { purpose: 'INVITE', organizationId, email, role, createdById: actor.id ?? undefined });
    await appendAuditEvent(tx, {
      actor,
      action,
      target: { type: 'OneTimeLink', id: link.id },
      organizationId,
      outcome: 'SUCCESS',
      details: { email, role, ...(replaces ? { replaces } : {}) },
    });
    const organization = await tx.organization.findUniqueOrThrow({ where: { id: organizationId }, select: { name: true } });
    return { id: link.id, url: linkUrl(baseUrl, '/invite', token), expiresAt: link.expiresAt, organization: organization.name };
  });
  const mailed = await sendAuditedMail(prisma, mailer, {
    actor,
    organizationId,
    about: { type: 'OneTimeLink', id: issued.id },
    mail: {
      to: email,
      subject: `Your invitation to ${issued.organization} on Strongroom`,
      text: [
        `${actor.label ?? 'An administrator'} invites you to ${issued.organization} on Strongroom, the vault of its e-invoicing credentials, as ${role.toLowerCase()}.`,
        '',
        `Open this link to choose your name and password. It works once, until ${formatDateTime(issued.expiresAt)} UTC:`,
        issued.url,
        '',
        'If you did not expect this invitation, ignore this mail; nothing happens without the link.',
      ].join('\n'),
    },
  });
  return { url: issued.url, expiresAt: issued.expiresAt, mailed };
}
