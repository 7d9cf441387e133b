import 'server-only';
import type { Services } from '@/lib/server/services';

/** The organization's users: names, emails and roles only. */
export function listUsers({ prisma }: Pick<Services, 'prisma'>, { organizationId }: { organizationId: string }) {
  return prisma.user.findMany({
    where: { organizationId },
    orderBy: { email: 'asc' },
    select: { id: true, name: true, email: true, role: true, disabledAt: true, totpEnabledAt: true },
  });
}
