import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCredential } from '@/lib/server/credentials/create-credential';
import { credentialOwner } from '@/lib/server/credentials/credential-secrets';
import { decrypt } from '@/lib/server/crypto/aes-gcm';
import { forgetDataKeys, unwrapDataKey } from '@/lib/server/crypto/data-keys';
import { makeKeyring } from '@/lib/server/crypto/keyring';
import { readSecrets, writeSecret } from '@/lib/server/crypto/sealed-secrets';
import type { Database } from '@/lib/server/db/open-database';
import { approveChangeRequest } from '@/lib/server/approvals/approve-change-request';
import { shredOrganization } from '@/lib/server/organization/shred-organization';
import { openTestDatabase, testDatabaseKinds } from '@/lib/server/test-support/test-database';

const keyring = makeKeyring(randomBytes(32));
const adminOf = (userId: string) => ({ type: 'USER' as const, id: userId, label: 'Ada Admin' });

describe.each(testDatabaseKinds())('crypto-shredding an organization on %s', (kind) => {
  let db: Database;
  beforeAll(async () => {
    db = await openTestDatabase(kind);
  });
  afterAll(async () => db.close());

  async function organizationWithSecrets(slug: string) {
    const organization = await db.prisma.organization.create({ data: { name: slug, slug } });
    const entity = await db.prisma.legalEntity.create({ data: { organizationId: organization.id, name: `${slug} GmbH`, country: 'DE', taxId: `DE${randomUUID().slice(0, 9)}` } });
    const user = await db.prisma.user.create({ data: { organizationId: organization.id, email: `${slug}@example.com`, name: 'Ada', role: 'ADMIN', passwordHash: 'x' } });
    await writeSecret(db.prisma, keyring, { organizationId: organization.id, ownerTable: 'User', ownerId: user.id }, 'totpSecret', `JBSWY3DPEHPK3PXP${slug.toUpperCase()}`);
    const made = await createCredential({ prisma: db.prisma, keyring }, { actor: { type: 'SYSTEM' }, organizationId: organization.id, input: { legalEntityId: entity.id, profile: 'api-key', environment: 'SANDBOX', label: 'ASP key', values: { baseUrl: 'https://api.example.com', headerName: 'X-API-Key', apiKey: `api-key-of-${slug}-1234567890` } } });
    if (!made.ok) throw new Error(made.error.message);
    return { organizationId: organization.id, userId: user.id, credentialId: made.data.id };
  }

  it('asks a lone administrator for the short name typed, then destroys every key and value of that organization only; people keep their second factor', async () => {
    const doomed = await organizationWithSecrets(`doomed-${randomUUID().slice(0, 6)}`);
    const other = await organizationWithSecrets(`other-${randomUUID().slice(0, 6)}`);
    const snapshot = async (organizationId: string) => ({
      keys: await db.prisma.dataKey.findMany({ where: { organizationId }, orderBy: { id: 'asc' } }),
      values: await db.prisma.sealedSecret.findMany({ where: { organizationId }, orderBy: { id: 'asc' } }),
      credentials: await db.prisma.credential.findMany({ where: { organizationId }, orderBy: { id: 'asc' } }),
    });
    const otherBefore = await snapshot(other.organizationId);
    const doomedBefore = await snapshot(doomed.organizationId);

    const wrong = await shredOrganization({ prisma: db.prisma, keyring }, { actor: adminOf(doomed.userId), organizationId: doomed.organizationId, input: { confirmation: 'yes' } });
    expect(wrong).toMatchObject({ ok: false, error: { code: 'VALIDATION', fieldErrors: { confirmation: [expect.stringMatching(/Type the organization’s short name, doomed-.*, exactly/)] } } });
    expect(await snapshot(doomed.organizationId)).toEqual(doomedBefore);

    const slug = (await db.prisma.organization.findUniqueOrThrow({ where: { id: doomed.organizationId } })).slug;
    const shredded = await shredOrganization({ prisma: db.prisma, keyring }, { actor: adminOf(doomed.userId), organizationId: doomed.organizationId, input: { confirmation: slug } });
    expect(shredded).toEqual({ ok: true, data: { destroyedKeys: 2, destroyedValues: 1, revokedCredentials: 1 } });

    // Nothing of what was sealed opens, not even from a copy of the rows taken before (a backup of
    // the values without the keys): the way the README's outside tool opens a value needs the data
    // key row, and it is gone.
    forgetDataKeys();
    const sealedCopy = doomedBefore.values.find((row) => row.ownerTable === 'Credential')!;
    expect(await db.prisma.dataKey.findUnique({ where: { id: sealedCopy.dataKeyId } })).toBeNull();
    expect(await db.prisma.dataKey.findMany({ where: { id: { in: doomedBefore.keys.map((k) => k.id) } } })).toEqual([]);
    // Only with the destroyed wrapped key (from a copy of DataKey made before) could it open: say so, and check it.
    const oldKey = doomedBefore.keys.find((k) => k.id === sealedCopy.dataKeyId)!;
    const dataKey = await unwrapDataKey(keyring, oldKey);
    const [, , nonce, body] = sealedCopy.sealed.split('.');
    const aad = `sr1|${doomed.organizationId}|${oldKey.id}|Credential|${doomed.credentialId}|apiKey`;
    expect(decrypt(dataKey, Buffer.from(nonce!, 'base64url'), Buffer.from(body!, 'base64url'), Buffer.from(aad)).toString()).toMatch(/^api-key-of-doomed-/);
    expect(await readSecrets(db.prisma, keyring, credentialOwner({ id: doomed.credentialId, organizationId: doomed.organizationId }), ['apiKey'])).toEqual({});
    expect(await db.prisma.credential.findUniqueOrThrow({ where: { id: doomed.credentialId }, select: { status: true } })).toEqual({ status: 'REVOKED' });

    // The second factor was sealed again under a new key, and still opens.
    const totp = await readSecrets(db.prisma, keyring, { organizationId: doomed.organizationId, ownerTable: 'User', ownerId: doomed.userId }, ['totpSecret']);
    expect(totp.totpSecret).toMatch(/^JBSWY3DPEHPK3PXPDOOMED-/);
    expect((await db.prisma.dataKey.findMany({ where: { organizationId: doomed.organizationId } })).every((k) => !doomedBefore.keys.some((old) => old.id === k.id))).toBe(true);

    // The other organization is exactly as it was.
    expect(await snapshot(other.organizationId)).toEqual(otherBefore);
    const audit = await db.prisma.auditEvent.findMany({ where: { action: 'organization.shred', organizationId: doomed.organizationId }, orderBy: { seq: 'asc' }, select: { outcome: true, details: true } });
    expect(audit).toEqual([
      { outcome: 'DENIED', details: { reason: 'confirmation did not match' } },
      { outcome: 'SUCCESS', details: { destroyedKeys: 2, destroyedValues: 1, revokedCredentials: 1, secondFactorsResealed: 1 } },
    ]);
  });

  it('under four-eyes approval, with a second administrator, is a request: nothing is destroyed until another administrator approves it', async () => {
    const doomed = await organizationWithSecrets(`foureyes-${randomUUID().slice(0, 6)}`);
    const { organizationId } = doomed;
    const second = await db.prisma.user.create({ data: { organizationId, email: `second-${organizationId}@example.com`, name: 'Bea', role: 'ADMIN', passwordHash: 'x' } });
    const services = { prisma: db.prisma, keyring };
    const slug = (await db.prisma.organization.findUniqueOrThrow({ where: { id: organizationId } })).slug;
    const keysBefore = await db.prisma.dataKey.findMany({ where: { organizationId }, orderBy: { id: 'asc' } });
    const valuesBefore = await db.prisma.sealedSecret.findMany({ where: { organizationId }, orderBy: { id: 'asc' } });

    const asked = await shredOrganization(services, { actor: adminOf(doomed.userId), organizationId, input: { confirmation: slug } });
    expect(asked).toMatchObject({ ok: true, data: { requested: true, approvers: 1 } });
    expect(await db.prisma.dataKey.findMany({ where: { organizationId }, orderBy: { id: 'asc' } })).toEqual(keysBefore);
    expect(await db.prisma.sealedSecret.findMany({ where: { organizationId }, orderBy: { id: 'asc' } })).toEqual(valuesBefore);
    // Asking twice while one waits is refused, saying so.
    expect(await shredOrganization(services, { actor: adminOf(doomed.userId), organizationId, input: { confirmation: slug } })).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });

    const request = await db.prisma.changeRequest.findFirstOrThrow({ where: { organizationId, kind: 'ORGANIZATION_SHRED', status: 'PENDING' } });
    expect(await approveChangeRequest(services, { actor: adminOf(doomed.userId), organizationId, input: { requestId: request.id } })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(await db.prisma.dataKey.count({ where: { organizationId } })).toBe(keysBefore.length);

    const approver = { type: 'USER' as const, id: second.id, label: 'Bea Admin' };
    expect(await approveChangeRequest(services, { actor: approver, organizationId, input: { requestId: request.id } })).toEqual({ ok: true, data: { credentialId: null } });
    forgetDataKeys();
    expect(await readSecrets(db.prisma, keyring, credentialOwner({ id: doomed.credentialId, organizationId }), ['apiKey'])).toEqual({});
    expect(await db.prisma.dataKey.findMany({ where: { id: { in: keysBefore.map((k) => k.id) } } })).toEqual([]);
    expect(await db.prisma.changeRequest.findUniqueOrThrow({ where: { id: request.id }, select: { status: true } })).toEqual({ status: 'APPLIED' });
    const [event] = await db.prisma.auditEvent.findMany({ where: { action: 'organization.shred', organizationId, outcome: 'SUCCESS' }, select: { actorId: true, details: true } });
    expect(event).toEqual({ actorId: second.id, details: { destroyedKeys: 2, destroyedValues: 1, revokedCredentials: 1, secondFactorsResealed: 1, changeRequest: request.id, requestedBy: 'Ada Admin' } });
  });
});
