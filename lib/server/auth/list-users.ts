import 'server-only';
import type { PrismaClient } from '@/prisma/generated/client';

/** The organization's users: names, emails and roles only. */
export function listUsers(prisma: PrismaClient, { organizationId }: { organizationId: string }) {
  return prisma.user.findMany({
    where: { organizationId },
    orderBy: { email: 'asc' },
    select: { id: true, name: true, email: true, role: true, disabledAt: true, totpEnabledAt: true },
  });
}
