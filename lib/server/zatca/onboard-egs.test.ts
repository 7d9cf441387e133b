import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runConnectionTest } from '@/lib/server/connection-tests/run-connection-test';
import { createCredential } from '@/lib/server/credentials/create-credential';
import { promotePendingVersion } from '@/lib/server/credentials/promote-pending-version';
import { testPendingVersion } from '@/lib/server/credentials/test-pending-version';
import { makeKeyring } from '@/lib/server/crypto/keyring';
import type { Database } from '@/lib/server/db/open-database';
import type { OutboundPolicy } from '@/lib/server/net/guarded-fetch';
import type { Services } from '@/lib/server/services';
import { startFakeZatca } from '@/lib/server/test-support/fake-zatca';
import { openTestDatabase, testDatabaseKinds } from '@/lib/server/test-support/test-database';
import { binarySecurityTokenOf } from '@/lib/server/zatca/fatoora-api';
import { runZatcaStep, zatcaStage } from '@/lib/server/zatca/onboard-egs';

const policy: OutboundPolicy = { allowLoopback: true, allowPrivate: false, timeoutMs: 2_000, maxBytes: 64 * 1024 };
const admin = { type: 'USER' as const, id: undefined, label: 'Finance Admin' };
const VAT = '399999999900003';
const CSR_SETTINGS = {
  vatNumber: VAT,
  egsSerial: '1-Strongroom|2-ERP 4.2|3-EGS-0001',
  commonName: 'EGS1-399999999900003',
  organizationUnit: 'Riyadh Branch',
  organizationName: 'Gulf Retail Co',
  invoiceTypes: '1100',
  registeredAddress: 'King Fahd Road 1, Riyadh',
  businessCategory: 'Retail',
};

describe.each(testDatabaseKinds())('ZATCA onboarding in the vault on %s', (kind) => {
  let db: Database;
  let services: Services;
  let organizationId: string;
  let legalEntityId: string;
  let zatca: Awaited<ReturnType<typeof startFakeZatca>>;
  beforeAll(async () => {
    db = await openTestDatabase(kind);
    services = { prisma: db.prisma, keyring: makeKeyring(randomBytes(32)) };
    organizationId = (await db.prisma.organization.create({ data: { name: 'ZATCA test', slug: `zatca-${randomBytes(4).toString('hex')}` } })).id;
    legalEntityId = (await db.prisma.legalEntity.create({ data: { organizationId, name: 'Gulf Retail Co', taxId: VAT, country: 'SA' } })).id;
  });
  afterEach(async () => zatca?.close());
  afterAll(async () => db.close());

  const unit = async (settings: Record<string, string> = {}) => {
    const created = await createCredential(services, {
      actor: admin,
      organizationId,
      input: { legalEntityId, profile: 'zatca-csid', environment: 'SANDBOX', label: `EGS ${randomBytes(3).toString('hex')}`, values: { apiBaseUrl: zatca.url, ...CSR_SETTINGS, ...settings } },
    });
    if (!created.ok) throw new Error(JSON.stringify(created.error));
    return created.data.id;
  };
  const row = (id: string) => db.prisma.credential.findUniqueOrThrow({ where: { id } });
  const step = async (id: string, name: 'compliance' | 'production' | 'renew', otp?: string) =>
    runZatcaStep(services, { actor: admin, organizationId, input: { credentialId: id, version: (await row(id)).version, step: name, ...(otp ? { otp } : {}) }, policy });
  const sealedFields = async (id: string) => (await db.prisma.sealedSecret.findMany({ where: { ownerId: id }, select: { field: true } })).map((s) => s.field).sort();

  it('generates the key, gets the compliance then the production CSID, and never lets the key out', async () => {
    zatca = await startFakeZatca({ environment: 'simulation' });
    const id = await unit();
    expect(await row(id)).toMatchObject({ status: 'DRAFT' });

    // A wrong OTP: ZATCA refuses, nothing is stored, the refusal is audited.
    const wrong = await step(id, 'compliance', '000000');
    expect(wrong).toMatchObject({ ok: false, error: { message: expect.stringContaining('Nothing was stored') } });
    expect(await sealedFields(id)).toEqual([]);
    expect(zatca.refusals).toEqual(['OTP']);

    const compliance = await step(id, 'compliance', zatca.issueOtp());
    expect(compliance).toMatchObject({ ok: true, data: { stage: 'compliance' } });
    expect(zatca.refusals).toEqual(['OTP']); // the CSR passed every check of the fake ZATCA
    expect(await sealedFields(id)).toEqual(['complianceRequestId', 'csidSecret', 'privateKey']);
    const afterCompliance = await row(id);
    expect(afterCompliance).toMatchObject({ status: 'ACTIVE' });
    const complianceCertificate = (afterCompliance.config as Record<string, string>).certificate!;

    // Production before the EGS passed its compliance checks: ZATCA refuses.
    expect(await step(id, 'production')).toMatchObject({ ok: false });
    zatca.passComplianceChecks();
    expect(await step(id, 'production')).toMatchObject({ ok: true, data: { stage: 'production' } });
    const afterProduction = await row(id);
    const productionCertificate = (afterProduction.config as Record<string, string>).certificate!;
    expect(productionCertificate).not.toBe(complianceCertificate);
    expect(zatca.isProductionCsid(binarySecurityTokenOf(productionCertificate))).toBe(true);
    expect(await zatcaStage(services, afterProduction)).toBe('production');
    expect(afterProduction.expiresAt!.getTime()).toBeGreaterThan(Date.now() + 4 * 365 * 86_400_000);
    // The local checks agree: the key matches the certificate, which names the VAT number.
    expect(await runConnectionTest(services, { organizationId, credentialId: id, trigger: 'USER', actor: admin, policy })).toMatchObject({ ok: true, data: { outcome: 'SUCCESS' } });

    // No private key in any answer, event or clear column.
    const events = await db.prisma.auditEvent.findMany({ where: { targetId: id } });
    const everything = JSON.stringify([compliance, events, afterProduction], (_, value: unknown) => (typeof value === 'bigint' ? String(value) : value));
    expect(everything).not.toContain('PRIVATE KEY');
  });

  it('renews with the current CSID and a renewal OTP into a pending version that is tested, then promoted', async () => {
    zatca = await startFakeZatca({ environment: 'simulation' });
    const id = await unit();
    await step(id, 'compliance', zatca.issueOtp());
    zatca.passComplianceChecks();
    await step(id, 'production');
    const before = await row(id);
    const keyBefore = await db.prisma.sealedSecret.findFirstOrThrow({ where: { ownerId: id, field: 'privateKey' } });

    // An onboarding OTP is not a renewal OTP.
    expect(await step(id, 'renew', zatca.issueOtp('onboarding'))).toMatchObject({ ok: false });
    const renewed = await step(id, 'renew', zatca.issueOtp('renewal'));
    expect(renewed).toMatchObject({ ok: true, data: { message: expect.stringContaining('pending version') } });
    // The current CSID stays in use until promotion.
    expect((await row(id)).config).toEqual(before.config);
    expect(await db.prisma.secretVersion.findFirst({ where: { credentialId: id, state: 'PENDING' } })).toMatchObject({ fingerprints: { privateKey: expect.any(String), csidSecret: expect.any(String), certificate: expect.any(String) } });

    expect(await testPendingVersion(services, { organizationId, credentialId: id, actor: admin, policy })).toMatchObject({ ok: true, data: { outcome: 'SUCCESS' } });
    expect(await promotePendingVersion(services, { actor: admin, organizationId, input: { credentialId: id, version: (await row(id)).version } })).toMatchObject({ ok: true });
    const after = await row(id);
    const certificate = (after.config as Record<string, string>).certificate!;
    expect(certificate).not.toBe((before.config as Record<string, string>).certificate);
    expect(zatca.isProductionCsid(binarySecurityTokenOf(certificate))).toBe(true);
    const keyAfter = await db.prisma.sealedSecret.findFirstOrThrow({ where: { ownerId: id, field: 'privateKey' } });
    expect(keyAfter.fingerprint).not.toBe(keyBefore.fingerprint);
    expect(await runConnectionTest(services, { organizationId, credentialId: id, trigger: 'USER', actor: admin, policy })).toMatchObject({ ok: true, data: { outcome: 'SUCCESS' } });
  });

  it('refuses CSR fields ZATCA would reject before calling it, and a template for another environment is refused by ZATCA', async () => {
    zatca = await startFakeZatca({ environment: 'simulation' });
    const otherVat = await unit({ vatNumber: '311111111100003' });
    expect(await step(otherVat, 'compliance', zatca.issueOtp())).toMatchObject({
      ok: false,
      error: { fieldErrors: { vatNumber: [expect.stringContaining('is not the legal entity’s (399999999900003)')] } },
    });
    const group = await unit({ vatNumber: VAT.slice(0, 10) + '1' + VAT.slice(11), organizationUnit: 'Jeddah' });
    expect(await step(group, 'compliance', zatca.issueOtp())).toMatchObject({ ok: false, error: { fieldErrors: { organizationUnit: [expect.stringContaining('10-digit TIN')] } } });
    const missing = await unit({ businessCategory: '' });
    expect(await step(missing, 'compliance', zatca.issueOtp())).toMatchObject({ ok: false, error: { fieldErrors: { businessCategory: [expect.any(String)] } } });
    expect(await step(missing, 'compliance', 'abc')).toMatchObject({ ok: false, error: { fieldErrors: { otp: [expect.any(String)] } } });
    expect(zatca.calls).toEqual([]);

    const production = await unit({ apiBaseUrl: zatca.url.replace(/simulation$/, 'core') });
    expect(await step(production, 'compliance', zatca.issueOtp())).toMatchObject({ ok: false });
    expect(zatca.refusals).toEqual(['template ZATCA-Code-Signing is not for simulation']);
    expect(await sealedFields(production)).toEqual([]);
  });
});
