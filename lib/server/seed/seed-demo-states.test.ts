import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeKeyring } from '@/lib/server/crypto/keyring';
import type { Database } from '@/lib/server/db/open-database';
import { getCredentialStatus } from '@/lib/server/credentials/get-credential-status';
import { getOrganizationOverview } from '@/lib/server/dashboard/get-organization-overview';
import { countAttention, listAttention } from '@/lib/server/dashboard/list-attention';
import { demoOrganizationId, seedDemo } from '@/lib/server/seed/seed-demo';
import { seedDemoStates } from '@/lib/server/seed/seed-demo-states';
import type { Services } from '@/lib/server/services';
import { openTestDatabase } from '@/lib/server/test-support/test-database';

describe('demo states', () => {
  let db: Database;
  let services: Services;
  beforeAll(async () => {
    db = await openTestDatabase('pglite');
    services = { prisma: db.prisma, keyring: makeKeyring(randomBytes(32)) };
    await seedDemo(db.prisma, { demoPassword: 'demo-states-password' });
  });
  afterAll(async () => db.close());

  it('shows one credential in each state a real company meets, with sealed secrets, once', async () => {
    const organizationId = (await demoOrganizationId(db.prisma))!;
    expect(await seedDemoStates(services, { organizationId })).toBe(true);
    expect(await seedDemoStates(services, { organizationId })).toBe(false);
    const entity = await db.prisma.legalEntity.findFirstOrThrow({ where: { name: 'Atlas Retail L.L.C.' } });
    const { items, counts } = await listAttention(services, { organizationId, filters: { entity: entity.id }, now: new Date() });
    expect(counts).toEqual({ expired: 1, expiring: 1, failing: 1, neverTested: 1 });
    expect(items.map((i) => [i.label, i.category])).toEqual([
      ['Legacy portal login', 'EXPIRED'],
      ['Archive API key', 'EXPIRING'],
      ['ASP production', 'FAILING'],
      ['Archive sandbox key', 'NEVER_TESTED'],
    ]);
    expect(items.find((i) => i.category === 'FAILING')).toMatchObject({ failingTests: 3 });
    const active = await db.prisma.credential.findFirstOrThrow({ where: { label: 'ERP token client' } });
    const status = await getCredentialStatus(services, { organizationId, credentialId: active.id });
    expect(status).toMatchObject({ status: 'ACTIVE', health: 'VALID' });
    expect(status!.fields.find((f) => f.name === 'clientSecret')).toMatchObject({ set: true });
    expect(await db.prisma.connectionTest.count({ where: { credentialId: active.id } })).toBe(30);
    // Every configured one has its secrets as version 1 in use, with the fingerprints its fields show.
    for (const credential of await db.prisma.credential.findMany({ where: { legalEntityId: entity.id } })) {
      const shown = await getCredentialStatus(services, { organizationId, credentialId: credential.id });
      const versions = await db.prisma.secretVersion.findMany({ where: { credentialId: credential.id } });
      expect(versions.map((v) => [v.number, v.state])).toEqual([[1, 'CURRENT']]);
      expect(versions[0]!.fingerprints).toEqual(Object.fromEntries(shown!.fields.filter((f) => f.secret).map((f) => [f.name, f.fingerprint])));
    }
    // Scheduled tests are off for them (their hosts are examples), so no test claims the scheduler ran it.
    expect(await db.prisma.connectionTest.count({ where: { credential: { legalEntityId: entity.id, testEveryHours: null }, trigger: 'SCHEDULER' } })).toBe(0);
    // The expired one was not tested after it expired: its history ends there, as the scheduler's would.
    const expired = await db.prisma.credential.findFirstOrThrow({ where: { label: 'Legacy portal login' } });
    expect(await db.prisma.connectionTest.count({ where: { credentialId: expired.id, startedAt: { gte: expired.expiresAt! } } })).toBe(0);
    expect(await db.prisma.connectionTest.count({ where: { credentialId: expired.id } })).toBe(30);
  });

  it('the dashboard’s aggregate counts agree with the list, whatever the lead times and the moment', async () => {
    const organizationId = (await demoOrganizationId(db.prisma))!;
    const agree = async (now: Date) => {
      const listed = (await listAttention(services, { organizationId, filters: {}, now })).counts;
      expect(await countAttention(services, { organizationId, now })).toEqual(listed);
      return listed;
    };
    expect(await agree(new Date())).toEqual({ expired: 1, expiring: 1, failing: 1, neverTested: 1 });
    // A shorter lead time for API keys: the key 12 days from expiry is not expiring any more.
    await db.prisma.organization.update({ where: { id: organizationId }, data: { expiryLeadDays: { 'api-key': 5 } } });
    expect(await agree(new Date())).toMatchObject({ expiring: 0 });
    // The dashboard's badge judges with the same lead time.
    const { entities } = await getOrganizationOverview(services, { organizationId, filters: { q: 'Atlas' } });
    expect(entities[0]!.credentials.find((c) => c.label === 'Archive API key')).toMatchObject({ health: 'VALID' });
    // Two weeks on, it has expired too.
    expect(await agree(new Date(Date.now() + 14 * 86_400_000))).toMatchObject({ expired: 2 });
  });
});
