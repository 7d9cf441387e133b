import 'server-only';
import { credentialHealth } from '@/lib/credential-health';
import { leadDaysFor } from '@/lib/expiry';
import { describeProfile, profileDefinition, profilesOfRegime } from '@/lib/schemas/credential-profiles';
import type { TAttentionFilters } from '@/lib/schemas/dashboard-filters';
import { healthSql } from '@/lib/server/dashboard/health-sql';
import type { Services } from '@/lib/server/services';
import type { Prisma } from '@/prisma/generated/client';

export type AttentionCategory = 'EXPIRED' | 'EXPIRING' | 'FAILING' | 'NEVER_TESTED';

export interface AttentionItem {
  id: string;
  label: string;
  profileTitle: string;
  /** What the regime requires of this kind of credential, when it says something (KSeF tokens). */
  notice: string | null;
  environment: 'SANDBOX' | 'PRODUCTION';
  status: string;
  category: AttentionCategory;
  expiresAt: Date | null;
  /** Connection tests failed in a row (back to the last success), and since when. */
  failingTests: number;
  failingSince: Date | null;
  /** The newest failed test's code and HTTP status, to say what to do. */
  errorCode: string | null;
  httpStatus: number | null;
  testEveryHours: number | null;
  profile: string;
  lastError: string | null;
  legalEntity: { id: string; name: string; country: string };
}

const ORDER: Record<AttentionCategory, number> = { EXPIRED: 0, EXPIRING: 1, FAILING: 2, NEVER_TESTED: 3 };

/**
 * Every live credential that needs someone (expired, inside its lead time, failing, never tested),
 * most urgent first: by expiry date, then by how many tests failed in a row; and the counts of each
 * kind (before `show` narrows the list). The dashboard's counts and the "Expiring and failing" view.
 */
export async function listAttention(
  { prisma }: Pick<Services, 'prisma'>,
  { organizationId, filters, now }: { organizationId: string; filters: Partial<TAttentionFilters>; now: Date },
): Promise<{ items: AttentionItem[]; counts: Record<'expired' | 'expiring' | 'failing' | 'neverTested', number> }> {
  const where: Prisma.CredentialWhereInput = {
    organizationId,
    deletedAt: null,
    status: { notIn: ['DRAFT', 'REVOKED'] },
    ...(filters.environment ? { environment: filters.environment } : {}),
    ...(filters.regime ? { profile: { in: profilesOfRegime(filters.regime) } } : {}),
    legalEntity: { archivedAt: null, ...(filters.entity ? { id: filters.entity } : {}), ...(filters.country ? { country: filters.country } : {}) },
  };
  const [organization, rows] = await Promise.all([
    prisma.organization.findUniqueOrThrow({ where: { id: organizationId }, select: { expiryLeadDays: true } }),
    prisma.credential.findMany({
      where,
      select: { id: true, label: true, profile: true, environment: true, status: true, expiresAt: true, lastError: true, testEveryHours: true, lastTestOutcome: true, legalEntity: { select: { id: true, name: true, country: true } } },
    }),
  ]);
  const judged = rows.flatMap((row) => {
    const outcome = row.lastTestOutcome;
    const health = credentialHealth({ status: row.status, expiresAt: row.expiresAt, lastTest: outcome ? { outcome } : null, leadDays: leadDaysFor(row.profile, organization.expiryLeadDays) }, now);
    const category = health === 'FAILING' || health === 'EXPIRED' || health === 'EXPIRING' || health === 'NEVER_TESTED' ? (health as AttentionCategory) : null;
    return category ? [{ row, category }] : [];
  });
  const streaks = await failureStreaks(prisma, judged.filter((j) => j.row.lastTestOutcome === 'FAILURE').map((j) => j.row.id));
  const items: AttentionItem[] = judged.map(({ row, category }) => ({
    id: row.id,
    label: row.label,
    profileTitle: describeProfile(row.profile).title,
    notice: profileDefinition(row.profile)?.notice ?? null,
    environment: row.environment,
    status: row.status,
    category,
    expiresAt: row.expiresAt,
    failingTests: streaks.get(row.id)?.count ?? 0,
    failingSince: streaks.get(row.id)?.since ?? null,
    errorCode: streaks.get(row.id)?.errorCode ?? null,
    httpStatus: streaks.get(row.id)?.httpStatus ?? null,
    testEveryHours: row.testEveryHours,
    profile: row.profile,
    lastError: row.lastError,
    legalEntity: row.legalEntity,
  }));
  items.sort(
    (a, b) =>
      ORDER[a.category] - ORDER[b.category] ||
      (a.expiresAt?.getTime() ?? Infinity) - (b.expiresAt?.getTime() ?? Infinity) ||
      b.failingTests - a.failingTests ||
      a.legalEntity.name.localeCompare(b.legalEntity.name) ||
      a.label.localeCompare(b.label),
  );
  const count = (category: AttentionCategory) => items.filter((item) => item.category === category).length;
  return {
    items: filters.show ? items.filter((item) => item.category === filters.show) : items,
    counts: { expired: count('EXPIRED'), expiring: count('EXPIRING'), failing: count('FAILING'), neverTested: count('NEVER_TESTED') },
  };
}

/**
 * The same four counts as `listAttention`, for the dashboard's top, in one aggregate query judged by
 * `healthSql`, without reading the rows out. A test holds the two to the same answers.
 */
export async function countAttention({ prisma }: Pick<Services, 'prisma'>, { organizationId, now }: { organizationId: string; now: Date }) {
  const [row] = await prisma.$queryRaw<{ expired: number; failing: number; expiring: number; neverTested: number }[]>`
    WITH judged AS (
      SELECT ${healthSql(now)} AS health
        FROM "Credential" c
        JOIN "LegalEntity" le ON le.id = c."legalEntityId"
        JOIN "Organization" o ON o.id = c."organizationId"
       WHERE c."organizationId" = ${organizationId}::uuid AND c."deletedAt" IS NULL AND le."archivedAt" IS NULL
    )
    SELECT count(*) FILTER (WHERE health = 'EXPIRED')::int AS expired, count(*) FILTER (WHERE health = 'FAILING')::int AS failing,
           count(*) FILTER (WHERE health = 'EXPIRING')::int AS expiring, count(*) FILTER (WHERE health = 'NEVER_TESTED')::int AS "neverTested"
      FROM judged`;
  return { expired: row?.expired ?? 0, expiring: row?.expiring ?? 0, failing: row?.failing ?? 0, neverTested: row?.neverTested ?? 0 };
}

/** Failed tests in a row since the last success, and when the first of them ran. */
async function failureStreaks(prisma: Services['prisma'], credentialIds: string[]): Promise<Map<string, { count: number; since: Date; errorCode: string | null; httpStatus: number | null }>> {
  if (credentialIds.length === 0) return new Map();
  const rows = await prisma.$queryRaw<{ id: string; count: number; since: Date; errorCode: string | null; httpStatus: number | null }[]>`
    SELECT t."credentialId"::text AS id, count(*)::int AS count, min(t."startedAt") AS since,
           (array_agg(t."errorCode" ORDER BY t."startedAt" DESC))[1] AS "errorCode", (array_agg(t."httpStatus" ORDER BY t."startedAt" DESC))[1] AS "httpStatus"
      FROM "ConnectionTest" t
     WHERE t."credentialId" = ANY(${credentialIds}::uuid[]) AND t.outcome = 'FAILURE'
       AND t."startedAt" > COALESCE((SELECT max(s."startedAt") FROM "ConnectionTest" s WHERE s."credentialId" = t."credentialId" AND s.outcome = 'SUCCESS'), '-infinity')
     GROUP BY t."credentialId"`;
  return new Map(rows.map((row) => [row.id, row]));
}
