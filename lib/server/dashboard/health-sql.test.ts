import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { credentialHealth } from '@/lib/credential-health';
import { leadDaysFor } from '@/lib/expiry';
import type { Database } from '@/lib/server/db/open-database';
import { healthSql } from '@/lib/server/dashboard/health-sql';
import { seedDemo } from '@/lib/server/seed/seed-demo';
import { openTestDatabase, testDatabaseKinds } from '@/lib/server/test-support/test-database';

const DAY = 86_400_000;
const STATUSES = ['DRAFT', 'ACTIVE', 'REFRESHING', 'EXPIRED', 'NEEDS_ATTENTION', 'REVOKED'] as const;
const OUTCOMES = [null, 'SUCCESS', 'FAILURE'] as const;

describe.each(testDatabaseKinds())('health judged in SQL on %s', (kind) => {
  let db: Database;
  beforeAll(async () => {
    db = await openTestDatabase(kind);
    await seedDemo(db.prisma, { demoPassword: 'not-used-here-123' });
  });
  afterAll(async () => db.close());

  it('gives credentialHealth’s answer for every status, expiry, last test and lead time', async () => {
    const now = new Date('2026-12-05T12:00:00.000Z');
    const organization = await db.prisma.organization.update({ where: { id: (await db.prisma.organization.findFirstOrThrow()).id }, data: { expiryLeadDays: { 'api-key': 10 } } });
    const entity = await db.prisma.legalEntity.findFirstOrThrow({ where: { organizationId: organization.id } });
    // api-key: the organization's 10 days; zatca-csid: its profile's default; webhook-secret: 30 days.
    const profiles = ['api-key', 'zatca-csid', 'webhook-secret'];
    const expiries = (lead: number) => [null, now.getTime() - DAY, now.getTime(), now.getTime() + lead * DAY, now.getTime() + lead * DAY + 1, now.getTime() + 400 * DAY];
    const rows = profiles.flatMap((profile) =>
      STATUSES.flatMap((status) =>
        expiries(leadDaysFor(profile, organization.expiryLeadDays)).flatMap((expiry) =>
          OUTCOMES.map((outcome) => ({ profile, status, expiresAt: expiry === null ? null : new Date(expiry), lastTestOutcome: outcome })),
        ),
      ),
    );
    await db.prisma.credential.createMany({
      data: rows.map((row, i) => ({ ...row, organizationId: organization.id, legalEntityId: entity.id, environment: 'SANDBOX' as const, label: `matrix ${i}` })),
    });
    const judged = await db.prisma.$queryRaw<{ label: string; health: string }[]>`
      SELECT c.label, ${healthSql(now)} AS health FROM "Credential" c JOIN "Organization" o ON o.id = c."organizationId" WHERE c.label LIKE 'matrix %'`;
    const byLabel = new Map(judged.map((row) => [row.label, row.health]));
    const expected = rows.map((row, i) => [
      `matrix ${i}`,
      credentialHealth({ status: row.status, expiresAt: row.expiresAt, lastTest: row.lastTestOutcome ? { outcome: row.lastTestOutcome } : null, leadDays: leadDaysFor(row.profile, organization.expiryLeadDays) }, now),
    ]);
    expect(expected.map(([label]) => [label, byLabel.get(label!)])).toEqual(expected);
    // Every badge occurs, so the comparison covers each branch.
    expect(new Set(expected.map(([, health]) => health)).size).toBe(7);
  });
});
