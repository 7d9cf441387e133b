import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '@/lib/server/audit/append-audit-event';
import { verifyAllAuditChains } from '@/lib/server/audit/verify-audit-chain';
import { createCredential } from '@/lib/server/credentials/create-credential';
import { deleteCredential } from '@/lib/server/credentials/delete-credential';
import { getCredentialStatus } from '@/lib/server/credentials/get-credential-status';
import { openCredentialForUse } from '@/lib/server/credentials/open-credential-for-use';
import { purgeDeletedCredentials } from '@/lib/server/credentials/purge-deleted-credentials';
import { revokeCredential } from '@/lib/server/credentials/revoke-credential';
import { issueCertificate, makeCertificate, makeExpiredCertificate, makePkcs12 } from '@/lib/server/test-support/certificates';
import { updateCredential } from '@/lib/server/credentials/update-credential';
import type { Services } from '@/lib/server/services';
import { forgetDataKeys } from '@/lib/server/crypto/data-keys';
import { KeyProviderError } from '@/lib/server/crypto/key-encryption-key';
import { makeKeyring } from '@/lib/server/crypto/keyring';
import { getOrganizationOverview } from '@/lib/server/dashboard/get-organization-overview';
import type { Database } from '@/lib/server/db/open-database';
import { openTestDatabase, testDatabaseKinds } from '@/lib/server/test-support/test-database';
import { seedDemo } from '@/lib/server/seed/seed-demo';

const admin: Actor = { type: 'USER', label: 'admin@demo.example', ip: '127.0.0.1' };

describe.each(testDatabaseKinds())('credential store on %s', (kind) => {
  let db: Database;
  let services: Services;
  let organizationId: string;
  let legalEntityId: string;
  beforeAll(async () => {
    db = await openTestDatabase(kind);
    services = { prisma: db.prisma, keyring: makeKeyring(randomBytes(32)) };
    await seedDemo(db.prisma, { demoPassword: 'unused-in-these-tests' });
    const entity = await db.prisma.legalEntity.findFirstOrThrow({ where: { country: 'AE' } });
    organizationId = entity.organizationId;
    legalEntityId = entity.id;
    admin.id = (await db.prisma.user.findFirstOrThrow({ where: { email: 'admin@demo.example' } })).id;
  });
  afterAll(async () => db.close());

  const canary = () => `canary-${randomBytes(12).toString('hex')}`;
  const oauth = (label: string, clientSecret = canary()) => ({
    legalEntityId,
    profile: 'oauth2-client-credentials' as const,
    environment: 'SANDBOX' as const,
    label,
    values: { tokenUrl: 'https://auth.example.com/token', clientId: 'erp-client', clientSecret, clientAuth: 'client_secret_post', scope: 'invoices' },
  });
  const create = async (input: ReturnType<typeof oauth>) => {
    const result = await createCredential(services, { actor: admin, organizationId, input });
    if (!result.ok) throw new Error(JSON.stringify(result.error));
    return result.data;
  };
  const open = (credentialId: string, fields: string[]) =>
    openCredentialForUse(services, { actor: { type: 'SYSTEM' }, credentialId, fields, purpose: 'test' });
  const everything = async () =>
    JSON.stringify(
      await Promise.all([db.prisma.credential.findMany(), db.prisma.sealedSecret.findMany(), db.prisma.auditEvent.findMany(), db.prisma.dataKey.findMany()]),
      (_, v) => (typeof v === 'bigint' ? String(v) : v),
    );

  it('stores secrets sealed: they open for use, and appear nowhere in the database in clear', async () => {
    const secret = canary();
    const { id } = await create(oauth('round trip', secret));
    const opened = await open(id, ['clientSecret']);
    expect(opened).toMatchObject({ ok: true, data: { secrets: { clientSecret: secret }, config: { clientId: 'erp-client' } } });
    expect(await everything()).not.toContain(secret);
    const sealed = await db.prisma.sealedSecret.findFirstOrThrow({ where: { ownerId: id } });
    expect(sealed.sealed).toMatch(/^sr1\.[0-9a-f-]{36}\.[\w-]{16}\.[\w-]+$/);
  });

  it('returns a status DTO with fingerprints and no secret', async () => {
    const secret = canary();
    const { id } = await create(oauth('status dto', secret));
    const status = await getCredentialStatus(services, { organizationId, credentialId: id });
    const serialized = JSON.stringify(status);
    expect(serialized).not.toContain(secret);
    expect(serialized).not.toContain('sr1.');
    const field = status!.fields.find((f) => f.name === 'clientSecret');
    expect(field).toMatchObject({ secret: true, set: true, value: null, fingerprint: expect.stringMatching(/^[0-9a-f]{8}$/) });
    expect(status!.fields.find((f) => f.name === 'clientId')).toMatchObject({ secret: false, value: 'erp-client' });
    expect(status).toMatchObject({ status: 'ACTIVE', version: 1, health: 'NEVER_TESTED', configuredBy: 'Amira Admin' });
  });

  it('gives equal secrets equal fingerprints, which are not a slice of the secret', async () => {
    const secret = canary();
    const a = await create(oauth('fp a', secret));
    const b = await create(oauth('fp b', secret));
    const fingerprint = async (id: string) =>
      (await getCredentialStatus(services, { organizationId, credentialId: id }))!.fields.find((f) => f.name === 'clientSecret')!.fingerprint!;
    expect(await fingerprint(a.id)).toBe(await fingerprint(b.id));
    expect(secret).not.toContain(await fingerprint(a.id));
  });

  it('a partial update keeps the secrets it omits and bumps the version', async () => {
    const secret = canary();
    const { id } = await create(oauth('partial', secret));
    const before = await getCredentialStatus(services, { organizationId, credentialId: id });
    const updated = await updateCredential(services, {
      actor: admin,
      organizationId,
      input: { credentialId: id, version: 1, label: 'partial (renamed)', values: { tokenUrl: 'https://auth.example.com/v2/token', clientId: 'erp-client-2', clientAuth: 'client_secret_basic' } },
    });
    expect(updated).toEqual({ ok: true, data: { id, version: 2 } });
    const opened = await open(id, ['clientSecret']);
    expect(opened).toMatchObject({ ok: true, data: { secrets: { clientSecret: secret }, config: { clientId: 'erp-client-2' } } });
    const after = await getCredentialStatus(services, { organizationId, credentialId: id });
    expect(after!.fields.find((f) => f.name === 'clientSecret')!.fingerprint).toBe(before!.fields.find((f) => f.name === 'clientSecret')!.fingerprint);
    const event = await db.prisma.auditEvent.findFirstOrThrow({ where: { action: 'credential.update', targetId: id, outcome: 'SUCCESS' } });
    expect(event.details).toMatchObject({ replacedSecrets: [], fromVersion: 1 });
  });

  it('reports a check-and-set conflict and writes nothing', async () => {
    const { id } = await create(oauth('cas'));
    const change = (version: number, clientSecret: string) =>
      updateCredential(services, { actor: admin, organizationId, input: { credentialId: id, version, label: 'cas', values: { ...oauth('cas').values, clientSecret } } });
    const first = canary();
    expect(await change(1, first)).toMatchObject({ ok: true });
    const stale = await change(1, canary());
    expect(stale).toMatchObject({ ok: false, error: { code: 'CONFLICT', message: expect.stringMatching(/Reload/) } });
    expect(await open(id, ['clientSecret'])).toMatchObject({ ok: true, data: { secrets: { clientSecret: first }, version: 2 } });
    expect(await db.prisma.auditEvent.count({ where: { action: 'credential.update', targetId: id, outcome: 'DENIED' } })).toBe(1);
  });

  it('opens only the fields asked for, and audits the use by field name', async () => {
    const secret = canary();
    const { id } = await create(oauth('open fields', secret));
    const opened = await open(id, ['scope']);
    expect(opened).toMatchObject({ ok: true, data: { secrets: {} } });
    await open(id, ['clientSecret']);
    const events = await db.prisma.auditEvent.findMany({ where: { action: 'credential.open', targetId: id }, orderBy: { seq: 'asc' } });
    expect(events.map((e) => e.details)).toEqual([
      { fields: ['scope'], purpose: 'test' },
      { fields: ['clientSecret'], purpose: 'test' },
    ]);
  });

  describe('refuses bad values with field errors, storing nothing', () => {
    it.each([
      ['an http URL to another host', { tokenUrl: 'http://auth.example.com/token' }, 'values.tokenUrl'],
      ['a missing secret', { clientSecret: '' }, 'values.clientSecret'],
      ['an oversized secret', { clientSecret: 'x'.repeat(5000) }, 'values.clientSecret'],
      ['a field the profile does not have', { surprise: 'value' }, '_form'],
      ['an unknown client authentication', { clientAuth: 'private_key_jwt' }, 'values.clientAuth'],
    ])('%s', async (_, override, field) => {
      const before = await db.prisma.credential.count();
      const input = oauth(`bad ${field}`);
      const result = await createCredential(services, { actor: admin, organizationId, input: { ...input, values: { ...input.values, ...override } } });
      expect(result).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
      expect(Object.keys((result as { error: { fieldErrors: object } }).error.fieldErrors)).toContain(field);
      expect(await db.prisma.credential.count()).toBe(before);
    });

    it('another organization’s legal entity, or none: refused and audited, nothing stored; the database refuses it too', async () => {
      const other = await db.prisma.organization.create({ data: { name: 'Elsewhere Co', slug: `elsewhere-${randomBytes(3).toString('hex')}` } });
      const theirs = await db.prisma.legalEntity.create({ data: { organizationId: other.id, name: 'Their entity', taxId: 'E1', country: 'AE' } });
      for (const entityId of [theirs.id, '00000000-0000-4000-8000-000000000000']) {
        const result = await createCredential(services, { actor: admin, organizationId, input: { ...oauth(`not ours ${entityId}`), legalEntityId: entityId } });
        expect(result).toMatchObject({ ok: false, error: { code: 'NOT_FOUND', message: 'That legal entity does not exist in your organization.' } });
      }
      const refusals = await db.prisma.auditEvent.findMany({ where: { action: 'credential.create', outcome: 'DENIED' }, orderBy: { seq: 'desc' }, take: 2 });
      expect(refusals.map((event) => (event.details as { reason?: string }).reason)).toEqual(['NOT_FOUND', 'NOT_FOUND']);
      expect(await db.prisma.credential.count({ where: { label: { startsWith: 'not ours' } } })).toBe(0);
      expect(await db.prisma.sealedSecret.count({ where: { ownerTable: 'Credential', ownerId: { notIn: (await db.prisma.credential.findMany({ select: { id: true } })).map((c) => c.id) } } })).toBe(0);
      // Whatever code writes it: a credential of this organization under their entity does not fit the key.
      await expect(
        db.prisma.credential.create({ data: { organizationId, legalEntityId: theirs.id, profile: 'api-key', environment: 'SANDBOX', label: 'forced', status: 'DRAFT' } }),
      ).rejects.toMatchObject({ code: 'P2003' });
    });

    it('an unknown profile', async () => {
      const result = await createCredential(services, { actor: admin, organizationId, input: { ...oauth('unknown'), profile: 'carrier-pigeon' as never } });
      expect(result).toMatchObject({ ok: false, error: { code: 'VALIDATION', fieldErrors: { profile: [expect.any(String)] } } });
    });

    it('an invalid PEM, a key that is not the certificate’s, a wrong PKCS#12 password', async () => {
      const pair = makeCertificate();
      const other = makeCertificate();
      const zatca = (values: Record<string, string>) =>
        createCredential(services, {
          actor: admin,
          organizationId,
          input: {
            legalEntityId,
            profile: 'zatca-csid',
            environment: 'PRODUCTION',
            label: `zatca ${randomBytes(3).toString('hex')}`,
            values: { apiBaseUrl: 'https://gw-fatoora.zatca.gov.sa/e-invoicing/simulation', vatNumber: '310122393500003', egsSerial: '1-SR|2-T|3-1', csidSecret: canary(), ...values },
          },
        });
      expect(await zatca({ certificate: 'not a certificate', privateKey: pair.privateKey })).toMatchObject({
        error: { fieldErrors: { 'values.certificate': [expect.stringMatching(/PEM/)] } },
      });
      const broken = pair.certificate.replace(/\n[A-Za-z0-9+/]{10}/, '\nAAAAAAAAAA');
      expect(await zatca({ certificate: broken, privateKey: pair.privateKey })).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
      expect(await zatca({ certificate: pair.certificate, privateKey: other.privateKey })).toMatchObject({
        error: { fieldErrors: { 'values.privateKey': ['This private key does not belong to the certificate'] } },
      });
      const p12 = makePkcs12(pair, 'right-password');
      const cert = (values: Record<string, string>) =>
        createCredential(services, { actor: admin, organizationId, input: { legalEntityId, profile: 'certificate', environment: 'SANDBOX', label: `p12 ${randomBytes(3).toString('hex')}`, values } });
      expect(await cert({ pkcs12: p12, pkcs12Password: 'wrong-password' })).toMatchObject({
        error: { fieldErrors: { 'values.pkcs12Password': ['Wrong password for this PKCS#12 file'] } },
      });
      const good = await cert({ pkcs12: p12, pkcs12Password: 'right-password' });
      expect(good).toMatchObject({ ok: true });
      const stored = await db.prisma.credential.findUniqueOrThrow({ where: { id: (good as { data: { id: string } }).data.id } });
      expect(stored.expiresAt?.toISOString().slice(0, 10)).toBe(pair.notAfter.toISOString().slice(0, 10));
    });

    it('refuses an expired or not yet valid certificate, naming the date; a valid one takes its expiry from the certificate', async () => {
      const expired = makeExpiredCertificate();
      const values = (pair: { certificate: string; privateKey: string }) => ({ certificate: pair.certificate, privateKey: pair.privateKey });
      const input = (label: string, pair: { certificate: string; privateKey: string }) => ({ legalEntityId, profile: 'certificate' as const, environment: 'SANDBOX' as const, label, values: values(pair) });
      expect(await createCredential(services, { actor: admin, organizationId, input: input('expired cert', expired) })).toMatchObject({
        ok: false,
        error: { fieldErrors: { 'values.certificate': ['This certificate expired on 1 Feb 2020, 00:00 UTC'] } },
      });
      const future = await issueCertificate({ subject: 'CN=Future', notBefore: new Date(Date.now() + 30 * 86_400_000) });
      expect(await createCredential(services, { actor: admin, organizationId, input: input('future cert', future) })).toMatchObject({
        ok: false,
        error: { fieldErrors: { 'values.certificate': [expect.stringMatching(/^This certificate is not valid before \d{1,2} [A-Z][a-z]{2} \d{4}/)] } },
      });
      expect(await db.prisma.credential.count({ where: { label: { in: ['expired cert', 'future cert'] } } })).toBe(0);
    });
  });

  it('a corrupted sealed value puts only that credential in NEEDS_ATTENTION, audited', async () => {
    const broken = await create(oauth('corrupted'));
    const healthy = await create(oauth('healthy neighbour'));
    const row = await db.prisma.sealedSecret.findFirstOrThrow({ where: { ownerId: broken.id } });
    const flipped = row.sealed.slice(0, -2) + (row.sealed.endsWith('A') ? 'BA' : 'AA');
    await db.prisma.sealedSecret.update({ where: { id: row.id }, data: { sealed: flipped } });

    expect(await open(broken.id, ['clientSecret'])).toMatchObject({ ok: false, error: { code: 'INTEGRITY' } });
    expect(await db.prisma.credential.findUniqueOrThrow({ where: { id: broken.id } })).toMatchObject({
      status: 'NEEDS_ATTENTION',
      lastError: expect.stringMatching(/^Integrity: the stored clientSecret cannot be opened/),
    });
    expect(await db.prisma.auditEvent.count({ where: { action: 'credential.integrity_failure', targetId: broken.id } })).toBe(1);
    expect(await open(healthy.id, ['clientSecret'])).toMatchObject({ ok: true });
    const { entities: overview } = await getOrganizationOverview(db, { organizationId, filters: { health: 'FAILING' } });
    expect(overview.flatMap((e) => e.credentials.map((c) => c.label))).toContain('corrupted');
  });

  it('a sealed value copied into another credential does not open there', async () => {
    const source = await create(oauth('copy source'));
    const target = await create(oauth('copy target'));
    const from = await db.prisma.sealedSecret.findFirstOrThrow({ where: { ownerId: source.id } });
    await db.prisma.sealedSecret.updateMany({ where: { ownerId: target.id, field: 'clientSecret' }, data: { sealed: from.sealed } });
    expect(await open(target.id, ['clientSecret'])).toMatchObject({ ok: false, error: { code: 'INTEGRITY' } });
  });

  it('a sealed value copied into another organization does not open there', async () => {
    const source = await create(oauth('cross-org source'));
    const from = await db.prisma.sealedSecret.findFirstOrThrow({ where: { ownerId: source.id } });
    const other = await db.prisma.organization.create({ data: { name: 'Other Co', slug: `other-${randomBytes(3).toString('hex')}` } });
    const entity = await db.prisma.legalEntity.create({ data: { organizationId: other.id, name: 'Other entity', taxId: 'X1', country: 'AE' } });
    const created = await createCredential(services, { actor: admin, organizationId: other.id, input: { ...oauth('cross-org target'), legalEntityId: entity.id } });
    const targetId = (created as { data: { id: string } }).data.id;
    await db.prisma.sealedSecret.updateMany({ where: { ownerId: targetId, field: 'clientSecret' }, data: { sealed: from.sealed } });
    expect(await open(targetId, ['clientSecret'])).toMatchObject({ ok: false, error: { code: 'INTEGRITY' } });
  });

  it('without its key-encryption key nothing opens, with a clear reason, and nothing is marked damaged', async () => {
    const { id } = await create(oauth('wrong kek'));
    forgetDataKeys();
    const stranger: Services = { prisma: db.prisma, keyring: makeKeyring(randomBytes(32)) };
    const opened = openCredentialForUse(stranger, { actor: { type: 'SYSTEM' }, credentialId: id, fields: ['clientSecret'], purpose: 'test' });
    await expect(opened).rejects.toThrow(KeyProviderError);
    await expect(opened).rejects.toThrow(/is wrapped under key [0-9a-f]{16}, which is not configured \(add it to STRONGROOM_KEK_PREVIOUS\)/);
    // A missing key is the operator's to fix; the credential itself is fine.
    expect(await db.prisma.credential.findUniqueOrThrow({ where: { id }, select: { status: true, lastError: true } })).toEqual({ status: 'ACTIVE', lastError: null });
    forgetDataKeys();
  });

  it('revoking destroys the sealed secrets for good', async () => {
    const { id } = await create(oauth('revoke me'));
    expect(await revokeCredential(services, { actor: admin, organizationId, input: { credentialId: id, version: 1 } })).toEqual({ ok: true, data: { destroyedSecrets: 1 } });
    expect(await db.prisma.sealedSecret.count({ where: { ownerId: id } })).toBe(0);
    expect(await open(id, ['clientSecret'])).toMatchObject({ ok: false, error: { code: 'INVALID_STATE' } });
    expect(await revokeCredential(services, { actor: admin, organizationId, input: { credentialId: id, version: 2 } })).toMatchObject({ ok: false, error: { code: 'INVALID_STATE' } });
    const update = await updateCredential(services, { actor: admin, organizationId, input: { credentialId: id, version: 2, label: 'x', values: oauth('x').values } });
    expect(update).toMatchObject({ ok: false, error: { code: 'INVALID_STATE' } });
  });

  it('deleting hides a credential, keeps its secrets for the recovery window, and restores it', async () => {
    const secret = canary();
    const { id } = await create(oauth('delete me', secret));
    expect(await deleteCredential(services, { actor: admin, organizationId, input: { credentialId: id, version: 1 } })).toMatchObject({ ok: true });
    const labels = async () => (await getOrganizationOverview(db, { organizationId, filters: {} })).entities.flatMap((e) => e.credentials.map((c) => c.label));
    expect(await labels()).not.toContain('delete me');
    expect(await open(id, ['clientSecret'])).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(await deleteCredential(services, { actor: admin, organizationId, input: { credentialId: id, version: 2 }, restore: true })).toMatchObject({ ok: true });
    expect(await labels()).toContain('delete me');
    expect(await open(id, ['clientSecret'])).toMatchObject({ ok: true, data: { secrets: { clientSecret: secret } } });
  });

  it('purges credentials deleted longer ago than the recovery window, secrets included', async () => {
    const { id } = await create(oauth('purge me'));
    await deleteCredential(services, { actor: admin, organizationId, input: { credentialId: id, version: 1 } });
    expect(await purgeDeletedCredentials(db.prisma)).toBe(0);
    expect(await purgeDeletedCredentials(db.prisma, new Date(Date.now() + 31 * 86_400_000))).toBe(1);
    expect(await db.prisma.credential.count({ where: { id } })).toBe(0);
    expect(await db.prisma.sealedSecret.count({ where: { ownerId: id } })).toBe(0);
  });

  it('every change above left intact audit chains', async () => {
    const reports = await verifyAllAuditChains(db.prisma, new Map());
    expect(reports.length).toBeGreaterThan(1);
    expect(reports.filter((report) => !report.ok)).toEqual([]);
  });
});
