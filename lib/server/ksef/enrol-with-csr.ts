import 'server-only';
import { createPrivateKey } from 'node:crypto';
import { pemBlock } from '@/lib/pem-files';
import { ZKsefCsrComplete, ZKsefCsrStart, type TKsefCsrComplete, type TKsefCsrStart } from '@/lib/schemas/ksef';
import { appendAuditEvent, type Actor } from '@/lib/server/audit/append-audit-event';
import { keyMatches, readPemCertificates } from '@/lib/server/certificates/x509';
import { now } from '@/lib/server/clock';
import { changeCredentialStatus } from '@/lib/server/credentials/change-credential-status';
import { checkCertificateValues } from '@/lib/server/credentials/certificate-checks';
import { CertificateProblem } from '@/lib/server/credentials/inspect-certificate';
import { refuseChange } from '@/lib/server/credentials/refuse-change';
import { openPendingSecrets, promotePending, stageSecrets, versionOwner } from '@/lib/server/credentials/secret-versions';
import { deleteSecrets, writeSecret } from '@/lib/server/crypto/sealed-secrets';
import { buildKsefCsr } from '@/lib/server/ksef/certificates';
import { fail, fieldErrorsOf, ok, type Result } from '@/lib/server/result';
import type { Services } from '@/lib/server/services';

// The first KSeF certificate: enrolling one through the API needs a qualified signature, which a vault
// does not hold, so the taxpayer enrols in KSeF's own application with a CSR made here. Strongroom
// makes the key (sealed as a pending version, never shown) and the CSR (public) for the subject KSeF
// names; the certificate KSeF issues is attached to that key, and the credential starts working.

/** A draft KSeF certificate credential of the organization, at the version the admin saw. */
async function draftOf({ prisma }: Services, organizationId: string, credentialId: string) {
  return prisma.credential.findFirst({ where: { id: credentialId, organizationId, deletedAt: null, profile: 'ksef-certificate' }, select: { id: true, organizationId: true, version: true, status: true, config: true } });
}

/** Makes the key and the CSR; the key waits sealed as the pending version. Returns the CSR (PEM) to hand to KSeF. */
export async function startCsrEnrolment(services: Services, { actor, organizationId, input }: { actor: Actor; organizationId: string; input: TKsefCsrStart }): Promise<Result<{ csr: string }>> {
  const parsed = ZKsefCsrStart.safeParse(input);
  const refuse = (failure: ReturnType<typeof fail>) => refuseChange(services.prisma, { actor, organizationId, action: 'ksef.csr', credentialId: parsed.data?.credentialId, failure: failure.error });
  if (!parsed.success) return refuse(fail('VALIDATION', 'Check the highlighted fields.', fieldErrorsOf(parsed.error)));
  const credential = await draftOf(services, organizationId, parsed.data.credentialId);
  if (!credential) return refuse(fail('NOT_FOUND', 'This KSeF certificate does not exist or was deleted.'));
  if (credential.status !== 'DRAFT') return refuse(fail('INVALID_STATE', 'This credential already holds a certificate: renew it through KSeF instead.'));
  const { subject } = parsed.data;
  const made = await buildKsefCsr(Object.fromEntries(Object.entries(subject).filter(([, value]) => value)) as typeof subject);
  const csr = pemBlock('CERTIFICATE REQUEST', made.csr);
  const staged = await services.prisma.$transaction(async (tx) => {
    const { count } = await tx.credential.updateMany({ where: { id: credential.id, version: parsed.data.version, status: { equals: 'DRAFT' } }, data: { version: { increment: 1 } } });
    if (count === 0) return false;
    await stageSecrets(tx, services.keyring, { credential, secrets: { privateKey: made.privateKey, csr }, attribution: { at: now(), setBy: actor.label ?? null } });
    await appendAuditEvent(tx, { actor, action: 'ksef.csr', target: { type: 'Credential', id: credential.id }, organizationId, outcome: 'SUCCESS', details: { subject: Object.keys(subject) } });
    return true;
  });
  if (!staged) return refuse(fail('CONFLICT', 'Someone changed this credential after you opened it. Reload and try again.'));
  return ok({ csr });
}

/** Attaches the certificate KSeF issued for the pending key; the credential becomes ACTIVE with it. */
export async function completeCsrEnrolment(services: Services, { actor, organizationId, input }: { actor: Actor; organizationId: string; input: TKsefCsrComplete }): Promise<Result<null>> {
  const { prisma, keyring } = services;
  const parsed = ZKsefCsrComplete.safeParse(input);
  const refuse = (failure: ReturnType<typeof fail>) => refuseChange(prisma, { actor, organizationId, action: 'ksef.enrol', credentialId: parsed.data?.credentialId, failure: failure.error });
  if (!parsed.success) return refuse(fail('VALIDATION', 'Check the highlighted fields.', fieldErrorsOf(parsed.error)));
  const credential = await draftOf(services, organizationId, parsed.data.credentialId);
  if (!credential || credential.status !== 'DRAFT') return refuse(fail('NOT_FOUND', 'This credential is not waiting for a KSeF certificate.'));
  const pending = await prisma.secretVersion.findFirst({ where: { credentialId: credential.id, state: 'PENDING' }, select: { id: true, organizationId: true } });
  if (!pending) return refuse(fail('INVALID_STATE', 'Make the key and the CSR first.'));
  const { privateKey } = await openPendingSecrets(prisma, keyring, pending, ['privateKey']);
  const config = credential.config as Record<string, string>;
  let certificate: string;
  let notAfter: Date;
  try {
    const checked = await checkCertificateValues('ksef-certificate', { stored: {}, config: { ...config, certificate: parsed.data.certificate }, secrets: { privateKey } });
    if (!checked) throw new CertificateProblem('certificate', 'This is not a readable X.509 certificate');
    certificate = checked.inspected.certificatePem;
    notAfter = checked.expiresAt;
  } catch (error) {
    if (!(error instanceof CertificateProblem)) throw error;
    // The key is ours: a certificate for another key is the wrong certificate, not the wrong key.
    const message = error.field === 'privateKey' ? 'This certificate was not issued for the key Strongroom made: upload the one KSeF issued for this CSR' : error.message;
    return refuse(fail('VALIDATION', 'Check the certificate.', { certificate: [message] }));
  }
  if (!keyMatches(readPemCertificates(certificate)[0]!, createPrivateKey(privateKey!))) return refuse(fail('VALIDATION', 'Check the certificate.', { certificate: ['This certificate was not issued for the key Strongroom made'] }));
  const done = await prisma.$transaction(async (tx) => {
    const at = now();
    const { count } = await tx.credential.updateMany({ where: { id: credential.id, version: parsed.data.version, status: { equals: 'DRAFT' } }, data: { version: { increment: 1 }, configuredAt: at } });
    if (count === 0) return false;
    // The CSR has done its work; the certificate joins the key, and the pending version becomes the current one.
    await deleteSecrets(tx, versionOwner(pending), ['csr']);
    const written = await writeSecret(tx, keyring, versionOwner(pending), 'certificate', certificate);
    const { csr: _csr, ...kept } = (await tx.secretVersion.findUniqueOrThrow({ where: { id: pending.id }, select: { fingerprints: true } })).fingerprints as Record<string, string>;
    const fingerprints = { ...kept, certificate: written.fingerprint };
    await tx.secretVersion.update({ where: { id: pending.id }, data: { fingerprints, expiresAt: notAfter } });
    const promoted = await promotePending(tx, keyring, { credential, at });
    await tx.credential.update({ where: { id: credential.id }, data: { config: { ...config, ...promoted!.publicValues }, expiresAt: notAfter } });
    await changeCredentialStatus(tx, { credential, to: 'ACTIVE', event: { actor, action: 'ksef.enrol', outcome: 'SUCCESS', details: { notAfter: notAfter.toISOString(), secretVersion: promoted!.number } } });
    return true;
  });
  return done ? ok(null) : refuse(fail('CONFLICT', 'Someone changed this credential after you opened it. Reload and try again.'));
}
