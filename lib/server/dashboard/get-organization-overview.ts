import 'server-only';
import type { Services } from '@/lib/server/services';
import type { TDashboardFilters } from '@/lib/schemas/dashboard-filters';
import { successRates } from '@/lib/server/connection-tests/list-connection-tests';
import { credentialSummarySelect, summarizeCredential, type CredentialSummary } from '@/lib/server/dashboard/summarize-credential';

export interface EntitySummary {
  id: string;
  name: string;
  taxId: string;
  country: string;
  credentials: CredentialSummary[];
}

/**
 * The organization's legal entities in use (not archived) with the status of each credential. While
 * a filter is set, entities with no matching credential are left out.
 */
export async function getOrganizationOverview(
  { prisma }: Pick<Services, 'prisma'>,
  { organizationId, filters, now = new Date() }: { organizationId: string; filters: TDashboardFilters; now?: Date },
): Promise<EntitySummary[]> {
  const entities = await prisma.legalEntity.findMany({
    where: { organizationId, archivedAt: null },
    orderBy: { name: 'asc' },
    select: {
      id: true,
      name: true,
      taxId: true,
      country: true,
      credentials: {
        where: { deletedAt: null, ...(filters.environment ? { environment: filters.environment } : {}) },
        orderBy: [{ environment: 'asc' }, { label: 'asc' }],
        select: credentialSummarySelect,
      },
    },
  });
  const filtering = Boolean(filters.regime || filters.environment || filters.health);
  const rates = await successRates(prisma, entities.flatMap((e) => e.credentials.map((c) => c.id)), now);
  return entities
    .map((entity) => ({
      ...entity,
      credentials: entity.credentials
        .map((row) => ({ ...summarizeCredential(row, now), ...(rates.has(row.id) ? { successRate30d: rates.get(row.id)! } : {}) }))
        .filter((c) => (!filters.regime || c.regime === filters.regime) && (!filters.health || c.health === filters.health)),
    }))
    .filter((entity) => !filtering || entity.credentials.length > 0);
}
