import 'server-only';
import { appendAuditEvent, type Actor } from '@/lib/server/audit/append-audit-event';
import { recordAuditEvent } from '@/lib/server/audit/record-audit-event';
import { NO_PASSWORD } from '@/lib/server/auth/password';
import { now } from '@/lib/server/clock';
import { decideSsoUser, readIdentity, type SsoPolicy } from '@/lib/server/sso/sso-decision';
import type { TSsoRefusal } from '@/lib/schemas/sso';
import type { PrismaClient, Role } from '@/prisma/generated/client';

export type Admission = { ok: true; user: { id: string; email: string; name: string; role: Role; organizationId: string }; subject: string; sid: string | null } | { ok: false; reason: TSsoRefusal };

/**
 * Lets a verified sign-in from the organization's provider in, or not (see `decideSsoUser`): links the
 * subject at the first sign-in, applies the groups' role, makes the account of an invitation or of a
 * listed domain. Every outcome is audited as `auth.sign_in` with method "sso".
 */
export async function admitSsoUser(
  prisma: PrismaClient,
  { policy, claims, request }: { policy: SsoPolicy; claims: Record<string, unknown>; request: Pick<Actor, 'ip' | 'userAgent'> },
): Promise<Admission> {
  const { organizationId } = policy;
  const label = typeof claims.email === 'string' ? claims.email.slice(0, 320) : null;
  const refuse = async (reason: TSsoRefusal, user: { id: string } | null = null): Promise<Admission> => {
    await recordAuditEvent(prisma, {
      actor: { type: user ? 'USER' : 'ANONYMOUS', id: user?.id, label, ...request },
      action: 'auth.sign_in',
      target: user ? { type: 'User', id: user.id } : null,
      organizationId,
      outcome: 'DENIED',
      details: { method: 'sso', reason, issuer: policy.issuer },
    });
    return { ok: false, reason };
  };
  const identity = readIdentity(claims, policy);
  if ('refuse' in identity) return refuse(identity.refuse);
  const at = now();
  const user = await prisma.user.findUnique({ where: { email: identity.email }, select: { id: true, organizationId: true, role: true, disabledAt: true, ssoSubject: true, name: true, email: true } });
  const invitation = user
    ? null
    : await prisma.oneTimeLink.findFirst({
        where: { purpose: 'INVITE', organizationId, email: identity.email, usedAt: null, cancelledAt: null, expiresAt: { gt: at } },
        select: { id: true, role: true, createdById: true },
        orderBy: { createdAt: 'desc' },
      });
  const decision = decideSsoUser(identity, policy, { user, invitation: invitation?.role ? { id: invitation.id, role: invitation.role } : null });
  if ('refuse' in decision) {
    if (decision.refuse === 'other_organization') {
      // The account's own organization is told that another organization's provider vouched for one of
      // its addresses (an attempt worth seeing); the provider's organization learns nothing it could not
      // from an address nobody has.
      await recordAuditEvent(prisma, {
        actor: { type: 'ANONYMOUS', label, ...request },
        action: 'auth.sign_in',
        target: { type: 'User', id: user!.id },
        organizationId: user!.organizationId,
        outcome: 'DENIED',
        details: { method: 'sso', reason: 'other_organization', issuer: policy.issuer },
      });
      return refuse('no_account');
    }
    return refuse(decision.refuse, user && user.organizationId === organizationId ? user : null);
  }

  const admitted = await prisma.$transaction(async (tx) => {
    if (decision.admit === 'existing') {
      const before = user!;
      await tx.user.update({ where: { id: before.id }, data: { lastSignInAt: at, ...(decision.linkSubject ? { ssoSubject: identity.subject } : {}), role: decision.role } });
      if (decision.role !== before.role) {
        await appendAuditEvent(tx, {
          actor: { type: 'SYSTEM', label: 'single sign-on groups' },
          action: 'user.role_change',
          target: { type: 'User', id: before.id },
          organizationId,
          outcome: 'SUCCESS',
          details: { from: before.role, to: decision.role, groups: identity.groups },
        });
      }
      return { ...before, role: decision.role };
    }
    if (decision.admit === 'invited') {
      const used = await tx.oneTimeLink.updateMany({ where: { id: decision.invitationId, usedAt: null, cancelledAt: null }, data: { usedAt: at } });
      if (used.count !== 1) return null;
      // As with the invitation link: whoever sent it must still be an active administrator here.
      const inviter = invitation!.createdById
        ? await tx.user.findFirst({ where: { id: invitation!.createdById, organizationId, role: 'ADMIN', disabledAt: null }, select: { id: true } })
        : null;
      if (invitation!.createdById && !inviter) {
        await tx.oneTimeLink.update({ where: { id: decision.invitationId }, data: { usedAt: null, cancelledAt: at } });
        return null;
      }
    }
    const created = await tx.user.create({
      data: {
        organizationId,
        email: identity.email,
        name: identity.name ?? identity.email,
        role: decision.role,
        passwordHash: NO_PASSWORD,
        ssoSubject: identity.subject,
        lastSignInAt: at,
        ...(decision.role === 'ADMIN' ? { adminSince: at } : {}),
      },
      select: { id: true, organizationId: true, role: true, name: true, email: true },
    });
    await appendAuditEvent(tx, {
      actor: { type: 'USER', id: created.id, label: created.email, ...request },
      action: 'user.join',
      target: { type: 'User', id: created.id },
      organizationId,
      outcome: 'SUCCESS',
      details: { role: created.role, method: 'sso', ...(decision.admit === 'invited' ? { invitation: decision.invitationId } : { justInTime: true, groups: identity.groups }) },
    });
    return created;
  });
  if (!admitted) return refuse('no_account');
  await recordAuditEvent(prisma, {
    actor: { type: 'USER', id: admitted.id, label: admitted.email, ...request },
    action: 'auth.sign_in',
    target: { type: 'User', id: admitted.id },
    organizationId,
    outcome: 'SUCCESS',
    details: { method: 'sso', issuer: policy.issuer },
  });
  return { ok: true, user: { id: admitted.id, email: admitted.email, name: admitted.name, role: admitted.role, organizationId }, subject: identity.subject, sid: identity.sid };
}
