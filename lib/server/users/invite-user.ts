import 'server-only';
import { appendAuditEvent, type Actor } from '@/lib/server/audit/append-audit-event';
import { recordRefusal } from '@/lib/server/audit/record-refusal';
import { createLink, linkUrl } from '@/lib/server/auth/one-time-links';
import { now } from '@/lib/server/clock';
import { fail, ok, type Result } from '@/lib/server/result';
import type { Services } from '@/lib/server/services';
import type { Role } from '@/prisma/generated/client';

export interface IssuedLink {
  /** Shown once to the administrator to pass on; only its hash is stored. */
  url: string;
  expiresAt: Date;
}

/**
 * Invites someone by email with a role: a single-use link valid 7 days. Refused when the address
 * already has an account or an open invitation (resend that one instead).
 */
export async function inviteUser(
  { prisma }: Pick<Services, 'prisma'>,
  { actor, organizationId, email, role, baseUrl }: { actor: Actor; organizationId: string; email: string; role: Role; baseUrl: string },
): Promise<Result<IssuedLink>> {
  const refuse = (message: string) => recordRefusal(prisma, { actor, organizationId, action: 'user.invite', failure: fail('CONFLICT', message, { email: [message] }).error });
  if (await prisma.user.findUnique({ where: { email }, select: { id: true } })) return refuse(`${email} already has an account.`);
  const open = await prisma.oneTimeLink.findFirst({ where: { organizationId, purpose: 'INVITE', email, usedAt: null, cancelledAt: null, expiresAt: { gt: now() } } });
  if (open) return refuse(`${email} has an open invitation already: resend or cancel it in the list below.`);
  return ok(await issueInvitation(prisma, { actor, organizationId, email, role, baseUrl, action: 'user.invite' }));
}

/** Inside one transaction: a new invitation link and its audit event. */
export function issueInvitation(
  prisma: Services['prisma'],
  { actor, organizationId, email, role, baseUrl, action, replaces }: { actor: Actor; organizationId: string; email: string; role: Role; baseUrl: string; action: string; replaces?: string },
): Promise<IssuedLink> {
  return prisma.$transaction(async (tx) => {
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
    return { url: linkUrl(baseUrl, '/invite', token), expiresAt: link.expiresAt };
  });
}
