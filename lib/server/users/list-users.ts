import 'server-only';
import { now } from '@/lib/server/clock';
import type { Services } from '@/lib/server/services';

/** The organization's people: accounts (never a password or key) and invitations not yet accepted. */
export async function listUsers({ prisma }: Pick<Services, 'prisma'>, { organizationId }: { organizationId: string }) {
  const [users, invitations] = await Promise.all([
    prisma.user.findMany({
      where: { organizationId },
      orderBy: { email: 'asc' },
      select: { id: true, name: true, email: true, role: true, disabledAt: true, totpEnabledAt: true, lastSignInAt: true },
    }),
    prisma.oneTimeLink.findMany({
      where: { organizationId, purpose: 'INVITE', usedAt: null, cancelledAt: null },
      orderBy: { createdAt: 'desc' },
      select: { id: true, email: true, role: true, createdAt: true, expiresAt: true },
    }),
  ]);
  const at = now();
  return {
    users: users.map((user) => ({ ...user, state: user.disabledAt ? ('deactivated' as const) : ('active' as const) })),
    invitations: invitations.map((invite) => ({ ...invite, state: invite.expiresAt > at ? ('invited' as const) : ('expired' as const) })),
  };
}
