import 'server-only';
import type { Services } from '@/lib/server/services';

/** The organization's service accounts, for the admin page (never a key or its hash). */
export function listServiceAccounts({ prisma }: Pick<Services, 'prisma'>, { organizationId }: { organizationId: string }) {
  return prisma.serviceAccount.findMany({
    where: { organizationId },
    orderBy: { createdAt: 'desc' },
    select: { id: true, name: true, keyPrefix: true, scopes: true, legalEntityIds: true, createdAt: true, revokedAt: true },
  });
}
