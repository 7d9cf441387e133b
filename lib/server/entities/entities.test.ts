import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ZLegalEntity } from '@/lib/schemas/legal-entity';
import { findPrincipal } from '@/lib/server/api/principal-cache';
import type { Actor } from '@/lib/server/audit/append-audit-event';
import { makeKeyring } from '@/lib/server/crypto/keyring';
import type { Database } from '@/lib/server/db/open-database';
import { getOrganizationOverview } from '@/lib/server/dashboard/get-organization-overview';
import { archiveLegalEntity } from '@/lib/server/entities/archive-legal-entity';
import { listLegalEntities } from '@/lib/server/entities/list-legal-entities';
import { saveLegalEntity } from '@/lib/server/entities/save-legal-entity';
import { seedDemo } from '@/lib/server/seed/seed-demo';
import { createServiceAccount } from '@/lib/server/service-accounts/create-service-account';
import type { Services } from '@/lib/server/services';
import { openTestDatabase, testDatabaseKinds } from '@/lib/server/test-support/test-database';

describe.each(testDatabaseKinds())('legal entities on %s', (kind) => {
  let db: Database;
  let services: Services;
  let organizationId: string;
  let actor: Actor;
  beforeAll(async () => {
    db = await openTestDatabase(kind);
    services = { prisma: db.prisma, keyring: makeKeyring(randomBytes(32)) };
    await seedDemo(db.prisma, { demoPassword: 'entities-test-password' });
    const admin = await db.prisma.user.findFirstOrThrow({ where: { email: 'admin@demo.example' } });
    organizationId = admin.organizationId;
    actor = { type: 'USER', id: admin.id, label: admin.email };
  });
  afterAll(async () => db.close());

  it('creates and edits an entity; a tax id already held in the organization is refused, naming the holder', async () => {
    const entity = ZLegalEntity.parse({ name: 'Warszawa Sp. z o.o.', country: 'PL', taxId: 'PL 526-025-02-74' });
    const created = await saveLegalEntity(services, { actor, organizationId, entity });
    if (!created.ok) throw new Error(created.error.message);
    expect(await db.prisma.legalEntity.findUniqueOrThrow({ where: { id: created.data.id } })).toMatchObject({ taxId: '5260250274', country: 'PL' });

    const gulf = await db.prisma.legalEntity.findFirstOrThrow({ where: { name: 'Gulf Trading FZ-LLC' } });
    const clash = ZLegalEntity.parse({ name: 'Copy', country: 'AE', taxId: gulf.taxId });
    expect(await saveLegalEntity(services, { actor, organizationId, entity: clash })).toMatchObject({
      ok: false,
      error: { code: 'CONFLICT', fieldErrors: { taxId: [`Gulf Trading FZ-LLC already has the tax id ${gulf.taxId}.`] } },
    });
    expect(await saveLegalEntity(services, { actor, organizationId, legalEntityId: created.data.id, entity: clash })).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    expect((await db.prisma.auditEvent.findFirstOrThrow({ where: { action: 'entity.update' }, orderBy: { seq: 'desc' } })).outcome).toBe('DENIED');

    const renamed = ZLegalEntity.parse({ name: 'Warszawa S.A.', country: 'PL', taxId: '5260250274' });
    expect(await saveLegalEntity(services, { actor, organizationId, legalEntityId: created.data.id, entity: renamed })).toEqual({ ok: true, data: { id: created.data.id } });
    expect((await db.prisma.auditEvent.findFirstOrThrow({ where: { action: 'entity.update', outcome: 'SUCCESS' } })).details).toMatchObject({ fields: ['name'] });
  });

  it('archiving an entity with credentials in use asks first; archived, its credentials are not served; restored, they are', async () => {
    const credential = await db.prisma.credential.findFirstOrThrow({ where: { label: 'MyInvois pre-production' } });
    await db.prisma.$executeRaw`UPDATE "Credential" SET status = 'ACTIVE' WHERE id = ${credential.id}::uuid`;
    const account = await createServiceAccount(services, { actor, organizationId, input: { name: 'sender', scopes: ['token:read'], legalEntityIds: [credential.legalEntityId] } });
    if (!account.ok) throw new Error(account.error.message);
    const served = async () => (await findPrincipal(services.prisma, account.data.key, credential.id)).credential?.entityArchived;
    expect(await served()).toBe(false);

    const archive = (confirmed: boolean) => archiveLegalEntity(services, { actor, organizationId, legalEntityId: credential.legalEntityId, archive: true, confirmed });
    expect(await archive(false)).toMatchObject({ ok: false, error: { code: 'CONFIRMATION_REQUIRED', message: expect.stringMatching(/^1 credential of this entity is in use/) } });
    expect((await db.prisma.legalEntity.findUniqueOrThrow({ where: { id: credential.legalEntityId } })).archivedAt).toBeNull();
    expect(await archive(true)).toEqual({ ok: true, data: null });
    expect(await served()).toBe(true);
    const { entities: overview } = await getOrganizationOverview(services, { organizationId, filters: {} });
    expect(overview.map((e) => e.id)).not.toContain(credential.legalEntityId);
    expect((await listLegalEntities(services, { organizationId, archived: true })).map((e) => e.id)).toEqual([credential.legalEntityId]);

    expect(await archiveLegalEntity(services, { actor, organizationId, legalEntityId: credential.legalEntityId, archive: false, confirmed: false })).toEqual({ ok: true, data: null });
    expect(await served()).toBe(false);
    expect(await db.prisma.auditEvent.count({ where: { action: { in: ['entity.archive', 'entity.restore'] }, outcome: 'SUCCESS' } })).toBe(2);
  });
});
