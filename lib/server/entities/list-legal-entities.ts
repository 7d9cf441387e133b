import 'server-only';
import type { Services } from '@/lib/server/services';

/** The organization's legal entities in use (or, with `archived`, the archived ones) by name: ids and names only. */
export function listLegalEntities({ prisma }: Pick<Services, 'prisma'>, { organizationId, archived = false }: { organizationId: string; archived?: boolean }) {
  return prisma.legalEntity.findMany({
    where: { organizationId, archivedAt: archived ? { not: null } : null },
    orderBy: { name: 'asc' },
    select: { id: true, name: true },
  });
}
