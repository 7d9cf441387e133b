import 'server-only';
import { credentialHealth } from '@/lib/credential-health';
import { leadDaysFor } from '@/lib/expiry';
import { describeProfile } from '@/lib/schemas/credential-profiles';
import type { TDashboardFilters } from '@/lib/schemas/dashboard-filters';
import { successRates } from '@/lib/server/connection-tests/list-connection-tests';
import { credentialSummarySelect, summarizeCredential, type CredentialSummary } from '@/lib/server/dashboard/summarize-credential';
import type { Services } from '@/lib/server/services';
import type { Prisma } from '@/prisma/generated/client';

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
    // Health is derived (status, expiry, the newest test kept on the row), so the candidates' credentials
    // are read slim, with no relation per row, and judged here; the database orders and pages the entities.
    const [rows, { expiryLeadDays }] = await Promise.all([
      prisma.credential.findMany({ where: { ...credentialWhere, legalEntity: entityWhere }, select: { legalEntityId: true, profile: true, status: true, expiresAt: true, lastTestOutcome: true } }),
      prisma.organization.findUniqueOrThrow({ where: { id: organizationId }, select: { expiryLeadDays: true } }),
    ]);
    const found = new Set<string>();
    for (const row of rows) {
      if (found.has(row.legalEntityId) || (filters.regime && describeProfile(row.profile).regime !== filters.regime)) continue;
      const lastTest = row.lastTestOutcome ? { outcome: row.lastTestOutcome } : null;
      if (!filters.health || credentialHealth({ status: row.status, expiresAt: row.expiresAt, lastTest, leadDays: leadDaysFor(row.profile, expiryLeadDays) }, now) === filters.health) found.add(row.legalEntityId);
    }
    total = found.size;
    ids = (await prisma.legalEntity.findMany({ where: { id: { in: [...found] } }, orderBy: BY_NAME, ...(page ? { skip: (page.number - 1) * page.size, take: page.size } : {}), select: { id: true } })).map((e) => e.id);
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
