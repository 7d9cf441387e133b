import 'server-only';
import type { Services } from '@/lib/server/services';

/** The organization's legal entities by name, for choosing among them (ids and names only). */
export function listLegalEntities({ prisma }: Pick<Services, 'prisma'>, { organizationId }: { organizationId: string }) {
  return prisma.legalEntity.findMany({ where: { organizationId }, orderBy: { name: 'asc' }, select: { id: true, name: true } });
}
