import 'server-only';
import { createPrivateKey } from 'node:crypto';
import { ZZatcaOtp, ZZatcaStep, type TZatcaStep } from '@/lib/schemas/zatca';
import { appendAuditEvent, type Actor } from '@/lib/server/audit/append-audit-event';
import { keyMatches, readPemCertificates } from '@/lib/server/certificates/x509';
import { now } from '@/lib/server/clock';
import { changeCredentialStatus } from '@/lib/server/credentials/change-credential-status';
import { credentialOwner } from '@/lib/server/credentials/credential-secrets';
import { refuseChange } from '@/lib/server/credentials/refuse-change';
import { installSecrets, stageSecrets } from '@/lib/server/credentials/secret-versions';
import { deleteSecrets, describeSecrets, readSecrets } from '@/lib/server/crypto/sealed-secrets';
import { defaultPolicy, type OutboundPolicy } from '@/lib/server/net/guarded-fetch';
import { fail, fieldErrorsOf, ok, type Result } from '@/lib/server/result';
import type { Services } from '@/lib/server/services';
import { resetTokenGrant } from '@/lib/server/tokens/token-grant';
import { buildEgsCsr, fatooraEnvironmentOf, generateEgsKey, type EgsCsrFields } from '@/lib/server/zatca/egs-csr';
import { binarySecurityTokenOf, certificateOfCsid, renewProductionCsid, requestComplianceCsid, requestProductionCsid, type FatooraResult } from '@/lib/server/zatca/fatoora-api';

// ZATCA onboarding inside the vault. Compliance: Strongroom generates the EGS key (sealed at once,
// never in any response), builds the CSR from the credential's settings, and sends it with the
// admin's Fatoora OTP; the compliance CSID (certificate + secret) is stored with the key. Production:
// the compliance CSID asks for the production CSID for the same key. Renewal: a new key and CSR,
// the OTP for "Renewing Existing CSID", PATCH /production/csids with the current CSID; the new CSID
// and key become the credential's pending version, to be tested and promoted like any other.

/** The sealed field that marks a unit between its compliance and its production CSID. */
const COMPLIANCE_REQUEST = 'complianceRequestId';

export type ZatcaStage = 'new' | 'compliance' | 'production';

/** Where an EGS unit is in its onboarding, from what it holds (no secret is opened). */
export async function zatcaStage({ prisma }: Pick<Services, 'prisma'>, credential: { id: string; organizationId: string }): Promise<ZatcaStage> {
  const held = await describeSecrets(prisma, credentialOwner(credential));
  if (held.has(COMPLIANCE_REQUEST)) return 'compliance';
  return held.has('csidSecret') && held.has('privateKey') ? 'production' : 'new';
}

type FieldErrors = Record<string, string[]>;

/**
 * The CSR fields from the credential's settings, checked as ZATCA would check them: every field
 * present, the VAT number the legal entity's own, the branch of a VAT group member its 10-digit TIN.
 */
export function egsCsrFields(config: Record<string, string | undefined>, entity: { taxId: string; country: string }): { ok: true; fields: EgsCsrFields } | { ok: false; fieldErrors: FieldErrors } {
  const errors: FieldErrors = {};
  const need = (name: keyof EgsCsrFields, label: string) => {
    const value = config[name]?.trim();
    if (!value) errors[name] = [`Set the ${label} in the credential’s settings first: the CSR needs it`];
    return value ?? '';
  };
  const fields: EgsCsrFields = {
    commonName: need('commonName', 'EGS unit name'),
    organizationUnit: need('organizationUnit', 'branch'),
    organizationName: need('organizationName', 'taxpayer name'),
    egsSerial: need('egsSerial', 'EGS serial number'),
    vatNumber: need('vatNumber', 'VAT number'),
    invoiceTypes: need('invoiceTypes', 'invoice types'),
    registeredAddress: need('registeredAddress', 'branch address'),
    businessCategory: need('businessCategory', 'industry'),
  };
  if (fields.vatNumber && !/^3\d{13}3$/.test(fields.vatNumber)) errors.vatNumber = ['ZATCA refuses this VAT number: 15 digits, starting and ending with 3'];
  else if (fields.vatNumber && entity.country === 'SA' && fields.vatNumber !== entity.taxId) {
    errors.vatNumber = [`ZATCA would refuse this CSR: the VAT number ${fields.vatNumber} is not the legal entity’s (${entity.taxId})`];
  }
  if (fields.vatNumber[10] === '1' && fields.organizationUnit && !/^\d{10}$/.test(fields.organizationUnit)) {
    errors.organizationUnit = ['This VAT number belongs to a VAT group (its 11th digit is 1): ZATCA wants the member’s 10-digit TIN as the branch'];
  }
  if (fields.egsSerial && !/^1-[^|]+\|2-[^|]+\|3-[^|]+$/.test(fields.egsSerial)) errors.egsSerial = ['ZATCA wants 1-<solution>|2-<model or version>|3-<serial>'];
  if (fields.invoiceTypes && !/^[01]{4}$/.test(fields.invoiceTypes)) errors.invoiceTypes = ['Four digits of 0 and 1, e.g. 1100'];
  return Object.keys(errors).length ? { ok: false, fieldErrors: errors } : { ok: true, fields };
}

/** The first certificate of a PEM text, or null when there is none that parses. */
function readableCertificate(pem: string) {
  try {
    return readPemCertificates(pem)[0] ?? null;
  } catch {
    return null;
  }
}

class Refused extends Error {
  constructor(readonly failure: ReturnType<typeof fail>) {
    super(failure.error.message);
  }
}

/**
 * One onboarding step for an EGS unit (a ZATCA CSID credential): `compliance` (OTP), `production`,
 * or `renew` (OTP). Refusals are audited and store nothing; a generated key that was not used is
 * forgotten with the request.
 */
export async function runZatcaStep(
  services: Services,
  { actor, organizationId, input, policy = defaultPolicy() }: { actor: Actor; organizationId: string; input: TZatcaStep; policy?: OutboundPolicy },
): Promise<Result<{ stage: ZatcaStage; message: string }>> {
  const { prisma, keyring } = services;
  const parsed = ZZatcaStep.safeParse(input);
  const action = `zatca.${parsed.data?.step ?? 'step'}`;
  const refuse = (failure: ReturnType<typeof fail>) => refuseChange(prisma, { actor, organizationId, action, credentialId: parsed.data?.credentialId, failure: failure.error });
  if (!parsed.success) return refuse(fail('VALIDATION', 'Check the highlighted fields.', fieldErrorsOf(parsed.error)));
  const { credentialId, version, step } = parsed.data;
  const credential = await prisma.credential.findFirst({
    where: { id: credentialId, organizationId, deletedAt: null, profile: 'zatca-csid' },
    select: { id: true, organizationId: true, version: true, status: true, config: true, legalEntity: { select: { taxId: true, country: true } } },
  });
  if (!credential) return refuse(fail('NOT_FOUND', 'This ZATCA CSID does not exist or was deleted.'));
  if (credential.status === 'REVOKED') return refuse(fail('INVALID_STATE', 'A revoked credential cannot be onboarded; create a new one.'));
  if (credential.version !== version) return refuse(fail('CONFLICT', 'Someone changed this credential after you opened it. Reload and try again; nothing was sent to ZATCA.'));
  const config = credential.config as Record<string, string>;
  const stage = await zatcaStage(services, credential);
  const expected: Record<typeof step, ZatcaStage> = { compliance: 'new', production: 'compliance', renew: 'production' };
  if (stage !== expected[step]) {
    const why = { new: 'it has no CSID yet: start with the compliance CSID', compliance: 'it has a compliance CSID: ask for the production CSID next', production: 'it already has a production CSID: renew it instead' };
    return refuse(fail('INVALID_STATE', `Not now: ${why[stage]}.`));
  }
  const apiBaseUrl = config.apiBaseUrl ?? '';
  const otpOf = () => {
    const otp = ZZatcaOtp.safeParse({ otp: parsed.data.otp ?? '' });
    if (!otp.success) throw new Refused(fail('VALIDATION', 'Enter the OTP from the Fatoora portal.', { otp: otp.error.issues.map((i) => i.message) }));
    return otp.data.otp;
  };
  const csrFor = (key: string) => {
    const fields = egsCsrFields(config, credential.legalEntity);
    if (!fields.ok) throw new Refused(fail('VALIDATION', 'ZATCA would refuse this certificate request; fix the settings named below.', fields.fieldErrors));
    return buildEgsCsr(createPrivateKey(key), fields.fields, fatooraEnvironmentOf(apiBaseUrl));
  };
  const issued = (result: FatooraResult) => {
    if (!result.ok) throw new Refused(fail(result.code === 'unavailable' || result.code === 'timeout' ? 'PROVIDER_UNREACHABLE' : 'INVALID_STATE', `${result.message} Nothing was stored.`));
    const certificate = certificateOfCsid(result.csid.binarySecurityToken);
    const parsedCertificate = readableCertificate(certificate);
    if (!parsedCertificate) throw new Refused(fail('INVALID_STATE', 'ZATCA answered with a certificate that cannot be read. Nothing was stored.'));
    return { csid: result.csid, certificate, parsedCertificate };
  };
  /** Check-and-set on the version the admin saw, in the transaction that stores the result. */
  const claim = async (tx: Parameters<Parameters<typeof prisma.$transaction>[0]>[0]) => {
    const { count } = await tx.credential.updateMany({ where: { id: credentialId, version, deletedAt: null, status: { not: 'REVOKED' } }, data: { version: { increment: 1 } } });
    if (count === 0) throw new Refused(fail('CONFLICT', 'The credential changed while ZATCA answered; the new CSID was not stored. Reload and try again.'));
  };
  const attribution = { at: now(), setBy: actor.label ?? null };

  try {
    if (step === 'compliance') {
      const otp = otpOf();
      const key = generateEgsKey();
      const result = issued(await requestComplianceCsid(apiBaseUrl, { otp, csrPem: csrFor(key) }, policy));
      await prisma.$transaction(async (tx) => {
        await claim(tx);
        await installSecrets(tx, keyring, { credential, secrets: { privateKey: key, csidSecret: result.csid.secret, [COMPLIANCE_REQUEST]: result.csid.requestId }, expiresAt: result.parsedCertificate.notAfter, attribution });
        await tx.credential.update({ where: { id: credentialId }, data: { config: { ...config, certificate: result.certificate }, expiresAt: result.parsedCertificate.notAfter, configuredAt: attribution.at } });
        await changeCredentialStatus(tx, { credential, to: 'ACTIVE', event: { actor, action, outcome: 'SUCCESS', details: { stage: 'compliance', requestId: result.csid.requestId } } });
      });
      return ok({ stage: 'compliance', message: 'ZATCA issued the compliance CSID; the key was made here and stays sealed. Run the compliance checks from the EGS unit, then ask for the production CSID.' });
    }
    if (step === 'production') {
      const held = await readSecrets(prisma, keyring, credentialOwner(credential), ['csidSecret', COMPLIANCE_REQUEST, 'privateKey']);
      if (!held.csidSecret || !held[COMPLIANCE_REQUEST] || !held.privateKey || !config.certificate) throw new Refused(fail('INVALID_STATE', 'The compliance CSID is incomplete; onboard the unit again.'));
      const compliance = { binarySecurityToken: binarySecurityTokenOf(config.certificate), secret: held.csidSecret, requestId: held[COMPLIANCE_REQUEST] };
      const result = issued(await requestProductionCsid(apiBaseUrl, compliance, policy));
      if (!keyMatches(result.parsedCertificate, createPrivateKey(held.privateKey))) throw new Refused(fail('INVALID_STATE', 'ZATCA’s production CSID is not for this unit’s key. Nothing was stored.'));
      await prisma.$transaction(async (tx) => {
        await claim(tx);
        // The unit leaves the compliance stage: its request id is not part of the production version.
        await deleteSecrets(tx, credentialOwner(credential), [COMPLIANCE_REQUEST]);
        await installSecrets(tx, keyring, { credential, secrets: { csidSecret: result.csid.secret }, expiresAt: result.parsedCertificate.notAfter, attribution, replacedPublic: { certificate: config.certificate! } });
        await tx.credential.update({ where: { id: credentialId }, data: { config: { ...config, certificate: result.certificate }, expiresAt: result.parsedCertificate.notAfter, configuredAt: attribution.at } });
        await resetTokenGrant(tx, credential);
        await changeCredentialStatus(tx, { credential, to: 'ACTIVE', event: { actor, action, outcome: 'SUCCESS', details: { stage: 'production', requestId: result.csid.requestId } } });
      });
      return ok({ stage: 'production', message: 'ZATCA issued the production CSID. The unit can report and clear invoices.' });
    }
    const otp = otpOf();
    const held = await readSecrets(prisma, keyring, credentialOwner(credential), ['csidSecret']);
    if (!held.csidSecret || !config.certificate) throw new Refused(fail('INVALID_STATE', 'This unit holds no production CSID to renew.'));
    const key = generateEgsKey();
    const result = issued(await renewProductionCsid(apiBaseUrl, { binarySecurityToken: binarySecurityTokenOf(config.certificate), secret: held.csidSecret }, { otp, csrPem: csrFor(key) }, policy));
    const staged = await prisma.$transaction(async (tx) => {
      await claim(tx);
      const version = await stageSecrets(tx, keyring, { credential, secrets: { privateKey: key, csidSecret: result.csid.secret, certificate: result.certificate }, expiresAt: result.parsedCertificate.notAfter, attribution });
      await appendAuditEvent(tx, { actor, action, target: { type: 'Credential', id: credentialId }, organizationId, outcome: 'SUCCESS', details: { stage: 'renewal', requestId: result.csid.requestId, secretVersion: version.number } });
      return version;
    });
    return ok({ stage: 'production', message: `ZATCA renewed the CSID; it is pending version ${staged.number}. Test it, then promote it: the current CSID stays in use until then.` });
  } catch (error) {
    if (error instanceof Refused) return refuse(error.failure);
    throw error;
  }
}
