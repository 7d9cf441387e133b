import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ZDashboardFilters } from '@/lib/schemas/dashboard-filters';
import { getLegalEntity } from '@/lib/server/dashboard/get-legal-entity';
import { getOrganizationOverview } from '@/lib/server/dashboard/get-organization-overview';
import type { Database } from '@/lib/server/db/open-database';
import { openTestDatabase } from '@/lib/server/test-support/test-database';
import { seedDemo } from '@/lib/server/seed/seed-demo';

describe('organization overview', () => {
  let db: Database;
  let organizationId: string;
  beforeAll(async () => {
    db = await openTestDatabase('pglite');
    await seedDemo(db.prisma, { demoPassword: 'not-used-here-123' });
    organizationId = (await db.prisma.organization.findFirstOrThrow()).id;
    // One credential configured and tested, one failing, so every filter has something to separate.
    const myinvois = await db.prisma.credential.findFirstOrThrow({ where: { profile: 'myinvois-oauth' } });
    await db.prisma.credential.update({ where: { id: myinvois.id }, data: { status: 'ACTIVE' } });
    await db.prisma.connectionTest.create({
      data: { credentialId: myinvois.id, startedAt: new Date(), durationMs: 120, outcome: 'SUCCESS', trigger: 'USER', credentialVersion: 1 },
    });
    const zatca = await db.prisma.credential.findFirstOrThrow({ where: { profile: 'zatca-csid' } });
    await db.prisma.credential.update({ where: { id: zatca.id }, data: { status: 'NEEDS_ATTENTION' } });
  });
  afterAll(async () => db.close());

  const overview = async (query: Record<string, string>) =>
    (await getOrganizationOverview(db, { organizationId, filters: ZDashboardFilters.parse(query) })).entities;
  const labels = (entities: Awaited<ReturnType<typeof overview>>) =>
    entities.flatMap((e) => e.credentials.map((c) => `${e.country}:${c.label}:${c.health}`)).sort();

  it('lists every entity with its credentials and their health', async () => {
    expect(labels(await overview({}))).toEqual([
      'AE:ASP sandbox:NOT_CONFIGURED',
      'AE:Direct DCTCE:NOT_CONFIGURED',
      'MY:MyInvois pre-production:VALID',
      'SA:EGS unit 1:FAILING',
    ]);
  });

  it('a credential row keeps its newest test, whatever order tests are written in, one or many at once', async () => {
    const credential = await db.prisma.credential.findFirstOrThrow({ where: { profile: 'uae-asp-api-key' } });
    const test = (minutesAgo: number, outcome: 'SUCCESS' | 'FAILURE', message: string) => ({
      credentialId: credential.id, startedAt: new Date(Date.now() - minutesAgo * 60_000), durationMs: 5, outcome, message, trigger: 'USER' as const, credentialVersion: 1,
    });
    const kept = async () => db.prisma.credential.findUniqueOrThrow({ where: { id: credential.id }, select: { lastTestAt: true, lastTestOutcome: true, lastTestMessage: true } });
    await db.prisma.connectionTest.createMany({ data: [test(30, 'SUCCESS', 'a'), test(10, 'FAILURE', 'newest'), test(20, 'SUCCESS', 'b')] });
    expect(await kept()).toMatchObject({ lastTestOutcome: 'FAILURE', lastTestMessage: 'newest' });
    // An older test written later (a slow one finishing after a quick one) does not replace the newest.
    await db.prisma.connectionTest.create({ data: test(40, 'SUCCESS', 'late but older') });
    expect(await kept()).toMatchObject({ lastTestOutcome: 'FAILURE', lastTestMessage: 'newest' });
    await db.prisma.connectionTest.create({ data: test(0, 'SUCCESS', 'now') });
    const now = await kept();
    expect(now).toMatchObject({ lastTestOutcome: 'SUCCESS', lastTestMessage: 'now' });
    expect(now.lastTestAt).toEqual((await db.prisma.connectionTest.findFirstOrThrow({ where: { credentialId: credential.id }, orderBy: { startedAt: 'desc' } })).startedAt);
    await db.prisma.connectionTest.deleteMany({ where: { credentialId: credential.id } });
    await db.prisma.credential.update({ where: { id: credential.id }, data: { lastTestAt: null, lastTestOutcome: null, lastTestMessage: null } });
  });

  it('filters by regime, environment and health, leaving out entities with no match', async () => {
    expect(labels(await overview({ regime: 'AE' }))).toEqual(['AE:ASP sandbox:NOT_CONFIGURED', 'AE:Direct DCTCE:NOT_CONFIGURED']);
    expect(labels(await overview({ environment: 'PRODUCTION' }))).toEqual(['AE:Direct DCTCE:NOT_CONFIGURED', 'SA:EGS unit 1:FAILING']);
    expect(labels(await overview({ health: 'FAILING' }))).toEqual(['SA:EGS unit 1:FAILING']);
    expect(await overview({ regime: 'MY', environment: 'PRODUCTION' })).toEqual([]);
  });

  it('treats unknown filter values as no filter', async () => {
    expect(ZDashboardFilters.parse({ regime: 'XX', environment: 'staging', health: '<script>' })).toEqual({});
  });

  it('returns the DTO only: no config, no raw rows', async () => {
    const [entity] = await overview({ regime: 'MY' });
    expect(Object.keys(entity!.credentials[0]!).sort()).toEqual(
      ['environment', 'expiresAt', 'health', 'id', 'label', 'lastTest', 'profileTitle', 'regime', 'successRate30d'].sort(),
    );
    expect(entity!.credentials[0]!.successRate30d).toEqual({ rate: 1, tests: 1 });
  });

  it('finds a legal entity only within its organization', async () => {
    const entity = await db.prisma.legalEntity.findFirstOrThrow({ where: { country: 'SA' } });
    expect((await getLegalEntity(db, { organizationId, legalEntityId: entity.id }))?.name).toBe('Riyadh Supplies Co.');
    const other = await db.prisma.organization.create({ data: { name: 'Other', slug: 'other' } });
    expect(await getLegalEntity(db, { organizationId: other.id, legalEntityId: entity.id })).toBeNull();
  });

  it('searches by name, tax id or reference and by country, and pages by name in the database', async () => {
    const other = await db.prisma.organization.create({ data: { name: 'Paged', slug: 'paged' } });
    await db.prisma.legalEntity.createMany({
      data: Array.from({ length: 45 }, (_, i) => ({
        organizationId: other.id,
        name: `Entity ${String(i).padStart(2, '0')}`,
        country: i % 3 === 0 ? 'PL' : 'DE',
        taxId: `T${1000 + i}`,
        externalRef: i === 7 ? 'ERP-SEVEN' : null,
      })),
    });
    await db.prisma.legalEntity.create({ data: { organizationId: other.id, name: 'Entity 99', country: 'PL', taxId: 'T9999', archivedAt: new Date() } });
    const page = async (query: Record<string, string>, number: number) => {
      const result = await getOrganizationOverview(db, { organizationId: other.id, filters: ZDashboardFilters.parse(query), page: { number, size: 20 } });
      return { total: result.total, names: result.entities.map((e) => e.name) };
    };
    const third = await page({}, 3);
    expect(third).toEqual({ total: 45, names: Array.from({ length: 5 }, (_, i) => `Entity ${40 + i}`) });
    expect((await page({}, 1)).names[0]).toBe('Entity 00');
    expect((await page({}, 9)).names).toEqual([]);
    expect((await page({ q: 'entity 1' }, 1)).total).toBe(10);
    expect((await page({ q: 't-1007' }, 1)).names).toEqual(['Entity 07']); // typed with a dash, stored compact
    expect((await page({ q: 'erp-seven' }, 1)).names).toEqual(['Entity 07']);
    expect((await page({ country: 'PL' }, 1)).total).toBe(15);
    expect((await page({ country: 'PL', q: 'Entity 99' }, 1)).total).toBe(0); // archived entities are not listed
    // A credential filter pages over the entities that have a matching credential.
    const withCredential = await db.prisma.legalEntity.findMany({ where: { organizationId: other.id, country: 'DE' }, orderBy: { name: 'asc' }, take: 25 });
    await db.prisma.credential.createMany({
      data: withCredential.map((entity) => ({ organizationId: other.id, legalEntityId: entity.id, profile: 'webhook-secret', environment: 'PRODUCTION' as const, label: 'Hook' })),
    });
    const filtered = await page({ health: 'NOT_CONFIGURED' }, 2);
    expect(filtered).toEqual({ total: 25, names: withCredential.slice(20).map((e) => e.name) });
    expect(await page({ health: 'NOT_CONFIGURED' }, 5)).toEqual({ total: 25, names: [] }); // past the last page: the total still
    expect((await page({ health: 'NOT_CONFIGURED', q: 'entity 0' }, 1)).total).toBe(withCredential.filter((e) => e.name.startsWith('Entity 0')).length);
    expect((await page({ health: 'NOT_CONFIGURED', q: 't-1001' }, 1)).names).toEqual(withCredential.filter((e) => e.taxId === 'T1001').map((e) => e.name));
    // LIKE's wildcards in a search are the characters themselves.
    expect((await page({ health: 'NOT_CONFIGURED', q: '%' }, 1)).total).toBe(0);
    expect((await page({ health: 'NOT_CONFIGURED', q: 'Entity_0' }, 1)).total).toBe(0);
    expect((await page({ health: 'VALID' }, 1)).total).toBe(0);
    expect((await page({ regime: 'GENERIC', health: 'NOT_CONFIGURED' }, 1)).total).toBe(25); // the webhook secrets' regime
    expect((await page({ regime: 'PEPPOL', health: 'NOT_CONFIGURED' }, 1)).total).toBe(0);
  });
});
