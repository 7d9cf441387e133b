import 'server-only';
import { appendAuditEvent, type Actor } from '@/lib/server/audit/append-audit-event';
import { recordRefusal } from '@/lib/server/audit/record-refusal';
import { findUsableLink, useLink } from '@/lib/server/auth/one-time-links';
import { now } from '@/lib/server/clock';
import { hashPassword } from '@/lib/server/auth/password';
import { fail, ok, type Result } from '@/lib/server/result';
import type { Services } from '@/lib/server/services';
import type { OneTimeLink, Role } from '@/prisma/generated/client';

export interface Invitation {
  email: string;
  role: Role;
  organizationName: string;
}

/** What an invitation link offers, for its page; null if it is not usable. Reads only. */
export async function readInvitation({ prisma }: Pick<Services, 'prisma'>, token: string): Promise<Invitation | null> {
  const link = await findUsableLink(prisma, 'INVITE', token);
  if (!link?.email || !link.role || !link.organizationId) return null;
  const organization = await prisma.organization.findUnique({ where: { id: link.organizationId }, select: { name: true } });
  return organization ? { email: link.email, role: link.role, organizationName: organization.name } : null;
}

const REFUSED = 'This invitation link is not valid: it is used, cancelled, expired or mistyped. Ask your administrator for a new one.';

/**
 * Joins the organization through an invitation: uses the link and creates the account with the
 * invited address and role, in one transaction. The caller signs the new user in afterwards.
 */
export async function acceptInvitation(
  { prisma }: Pick<Services, 'prisma'>,
  { token, name, password, request }: { token: string; name: string; password: string; request: Pick<Actor, 'ip' | 'userAgent'> },
): Promise<Result<{ email: string; role: Role }>> {
  const refuse = (taken: OneTimeLink | null) =>
    recordRefusal(prisma, {
      actor: { type: 'ANONYMOUS', label: taken?.email ?? null, ...request },
      organizationId: taken?.organizationId ?? null,
      action: 'user.join',
      failure: taken ? fail('CONFLICT', `${taken.email} already has an account: sign in instead.`).error : fail('FORBIDDEN', REFUSED).error,
    });
  // A link that is not usable costs no password hash; the transaction checks it again.
  if (!(await findUsableLink(prisma, 'INVITE', token))) return refuse(null);
  const passwordHash = await hashPassword(password);
  const joined = await prisma.$transaction(async (tx) => {
    const link = await useLink(tx, 'INVITE', token);
    if (!link?.email || !link.role || !link.organizationId) return null;
    // Whoever sent it must still be an active administrator of the organization (their invitations are
    // cancelled when they stop being one; this holds against a race with that).
    const issuer = link.createdById ? await tx.user.findFirst({ where: { id: link.createdById, organizationId: link.organizationId, role: 'ADMIN', disabledAt: null }, select: { id: true } }) : null;
    if (link.createdById && !issuer) {
      await tx.oneTimeLink.update({ where: { id: link.id }, data: { usedAt: null, cancelledAt: now() } });
      return null;
    }
    // The address may have got an account since the invitation (another invitation, the seed).
    if (await tx.user.findUnique({ where: { email: link.email }, select: { id: true } })) return { taken: link, user: null };
    const user = await tx.user.create({
      data: { organizationId: link.organizationId, email: link.email, name, role: link.role, passwordHash, ...(link.role === 'ADMIN' ? { adminSince: now() } : {}) },
      select: { id: true, email: true, role: true, organizationId: true },
    });
    await appendAuditEvent(tx, {
      actor: { type: 'USER', id: user.id, label: user.email, ...request },
      action: 'user.join',
      target: { type: 'User', id: user.id },
      organizationId: user.organizationId,
      outcome: 'SUCCESS',
      details: { role: user.role, invitation: link.id, invitedBy: link.createdById },
    });
    return { taken: null, user };
  });
  if (joined?.user) return ok({ email: joined.user.email, role: joined.user.role });
  return refuse(joined?.taken ?? null);
}
