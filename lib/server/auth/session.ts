import 'server-only';
import { now } from '@/lib/server/clock';
import { recordAuditEvent } from '@/lib/server/audit/record-audit-event';
import { getServerSession } from 'next-auth';
import { headers } from 'next/headers';
import { forbidden, redirect } from 'next/navigation';
import { cache } from 'react';
import { authOptions } from '@/lib/server/auth/auth-options';
import { clientIp } from '@/lib/server/auth/client-ip';
import { services } from '@/lib/server/services';
import type { Role } from '@/prisma/generated/client';
import { noteActorType } from '@/lib/server/request-context';

export interface CurrentUser {
  id: string;
  email: string;
  name: string;
  role: Role;
  organizationId: string;
  organizationName: string;
  /** The organization's short name (typed to confirm what affects the whole organization). */
  organizationSlug: string;
  /** This sign-in's id: step-up grants are bound to it. */
  sessionId: string;
  totpEnabled: boolean;
}

/**
 * The signed-in user, read fresh from the database once per request together with the session row:
 * a sign-out, a role change or a disabled account takes effect on the next request, whatever the
 * session cookie says.
 */
export const currentUser = cache(async (): Promise<CurrentUser | null> => {
  const session = await getServerSession(authOptions());
  if (!session?.userId || !session.sessionId) return null;
  const row = await ((await services()).prisma).session.findUnique({
    where: { id: session.sessionId },
    select: {
      userId: true,
      expiresAt: true,
      endedAt: true,
      user: {
        select: {
          id: true,
          email: true,
          name: true,
          role: true,
          organizationId: true,
          disabledAt: true,
          totpEnabledAt: true,
          organization: { select: { name: true, slug: true } },
        },
      },
    },
  });
  if (!row || row.endedAt || row.expiresAt <= now() || row.userId !== session.userId || row.user.disabledAt) return null;
  const { disabledAt: _disabled, totpEnabledAt, organization, ...rest } = row.user;
  noteActorType('USER');
  return { ...rest, organizationName: organization.name, organizationSlug: organization.slug, sessionId: session.sessionId, totpEnabled: totpEnabledAt !== null };
});

/** The signed-in user, or a redirect to sign-in. */
export async function requireUser(): Promise<CurrentUser> {
  const user = await currentUser();
  if (!user) redirect('/sign-in');
  return user;
}

/**
 * The one role check used by every page, action and route handler: the signed-in user if their role
 * is in `roles`; otherwise the refusal is audited and a 403 page is rendered.
 */
export async function requireRole(roles: readonly Role[], resource: string): Promise<CurrentUser> {
  const user = await requireUser();
  if (roles.includes(user.role)) return user;
  const requestHeaders = await headers();
  const db = (await services()).prisma;
  await recordAuditEvent(db, {
    actor: { type: 'USER', id: user.id, label: user.email, ip: clientIp(requestHeaders), userAgent: requestHeaders.get('user-agent') },
    action: 'access.denied',
    organizationId: user.organizationId,
    outcome: 'DENIED',
    details: { resource, role: user.role, required: [...roles] },
  });
  forbidden();
}
