import 'server-only';
import { profilesOfRegime } from '@/lib/schemas/credential-profiles';
import type { TDashboardFilters } from '@/lib/schemas/dashboard-filters';
import { successRates } from '@/lib/server/connection-tests/list-connection-tests';
import { healthSql } from '@/lib/server/dashboard/health-sql';
import { credentialSummarySelect, summarizeCredential, type CredentialSummary } from '@/lib/server/dashboard/summarize-credential';
import type { Services } from '@/lib/server/services';
import { Prisma } from '@/prisma/generated/client';

export interface EntitySummary {
  id: string;
  name: string;
  taxId: string;
  country: string;
  credentials: CredentialSummary[];
}

const BY_NAME = [{ name: 'asc' }, { id: 'asc' }] satisfies Prisma.LegalEntityOrderByWithRelationInput[];

/**
 * The organization's legal entities in use (not archived) with the status of each credential, found by
 * part of their name, tax id or reference and by country. While a credential filter (regime,
 * environment, health) is set, only matching credentials show and entities without one are left out.
 * With `page`, one page of entities by name and the total; the database does the searching and
 * paging, so a page costs the same with 10 entities or 10,000.
 */
export async function getOrganizationOverview(
  { prisma }: Pick<Services, 'prisma'>,
  { organizationId, filters, page, now = new Date() }: { organizationId: string; filters: TDashboardFilters; page?: { number: number; size: number }; now?: Date },
): Promise<{ entities: EntitySummary[]; total: number }> {
  const entityWhere: Prisma.LegalEntityWhereInput = {
    organizationId,
    archivedAt: null,
    ...(filters.country ? { country: filters.country } : {}),
    ...(filters.q
      ? {
          OR: [
            { name: { contains: filters.q, mode: 'insensitive' } },
            { taxId: { contains: filters.q.toUpperCase().replace(/[\s.-]/g, '') } },
            { externalRef: { contains: filters.q, mode: 'insensitive' } },
          ],
        }
      : {}),
  };
  const credentialWhere: Prisma.CredentialWhereInput = { deletedAt: null, ...(filters.environment ? { environment: filters.environment } : {}) };
  const filtering = Boolean(filters.regime || filters.environment || filters.health);
  const matches = (credential: CredentialSummary) => (!filters.regime || credential.regime === filters.regime) && (!filters.health || credential.health === filters.health);

  // Which entities are on this page.
  let ids: string[] | null = null;
  let total: number;
  if (filtering) {
    // Credentials judged in the database (healthSql), entities ordered and paged there: one query.
    const page_ = page ?? { number: 1, size: 1_000_000 };
    const like = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const search = filters.q
      ? Prisma.sql`AND (le.name ILIKE ${like(filters.q)} OR le."taxId" LIKE ${like(filters.q.toUpperCase().replace(/[\s.-]/g, ''))} OR le."externalRef" ILIKE ${like(filters.q)})`
      : Prisma.empty;
    const rows = await prisma.$queryRaw<{ id: string | null; total: number }[]>`
      WITH matched AS (
        SELECT DISTINCT le.id, le.name
          FROM "LegalEntity" le
          JOIN "Credential" c ON c."legalEntityId" = le.id AND c."deletedAt" IS NULL
          JOIN "Organization" o ON o.id = le."organizationId"
         WHERE le."organizationId" = ${organizationId}::uuid AND le."archivedAt" IS NULL
           ${filters.country ? Prisma.sql`AND le.country = ${filters.country}` : Prisma.empty}
           ${search}
           ${filters.environment ? Prisma.sql`AND c.environment = ${filters.environment}::"Environment"` : Prisma.empty}
           ${filters.regime ? Prisma.sql`AND c.profile = ANY(${profilesOfRegime(filters.regime)}::text[])` : Prisma.empty}
           ${filters.health ? Prisma.sql`AND ${healthSql(now)} = ${filters.health}` : Prisma.empty}
      )
      SELECT shown.id::text, (SELECT count(*) FROM matched)::int AS total
        FROM (SELECT 1) one
        LEFT JOIN LATERAL (SELECT id FROM matched ORDER BY name, id OFFSET ${(page_.number - 1) * page_.size} LIMIT ${page_.size}) shown ON true`;
    ids = rows.flatMap((row) => (row.id ? [row.id] : []));
    total = rows[0]?.total ?? 0;
  } else {
    total = await prisma.legalEntity.count({ where: entityWhere });
    if (page) ids = (await prisma.legalEntity.findMany({ where: entityWhere, orderBy: BY_NAME, skip: (page.number - 1) * page.size, take: page.size, select: { id: true } })).map((e) => e.id);
  }

  const entities = await prisma.legalEntity.findMany({
    where: ids ? { id: { in: ids } } : entityWhere,
    orderBy: BY_NAME,
    select: {
      id: true,
      name: true,
      taxId: true,
      country: true,
      credentials: { where: credentialWhere, orderBy: [{ environment: 'asc' }, { label: 'asc' }], select: credentialSummarySelect },
    },
  });
  const rates = await successRates(prisma, entities.flatMap((e) => e.credentials.map((c) => c.id)), now);
  return {
    total,
    entities: entities
      .map((entity) => ({
        ...entity,
        credentials: entity.credentials
          .map((row) => ({ ...summarizeCredential(row, now), ...(rates.has(row.id) ? { successRate30d: rates.get(row.id)! } : {}) }))
          .filter(matches),
      }))
      .filter((entity) => !filtering || entity.credentials.length > 0),
  };
}

/** The countries the organization's entities in use are in, for the country filter. */
export async function entityCountries({ prisma }: Pick<Services, 'prisma'>, { organizationId }: { organizationId: string }): Promise<string[]> {
  const rows = await prisma.legalEntity.findMany({ where: { organizationId, archivedAt: null }, distinct: ['country'], select: { country: true }, orderBy: { country: 'asc' } });
  return rows.map((row) => row.country);
}
