import 'server-only';
import { createPublicKey, generateKeyPairSync, randomBytes, sign, verify, type KeyObject } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { CertificationRequest } from '@peculiar/asn1-csr';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import { AlgorithmIdentifier, Certificate, Extension, Extensions, GeneralNames, id_ce_subjectAltName, Name, SubjectPublicKeyInfo, TBSCertificate, Validity, Version } from '@peculiar/asn1-x509';
import { x509 } from '@/lib/server/certificates/x509';
import { nowMs } from '@/lib/server/clock';
import { OID, TEMPLATE_NAMES, type FatooraEnvironment } from '@/lib/server/zatca/egs-csr';
import { json, startFaultServer } from '@/lib/server/test-support/test-servers';

/**
 * A local stand-in for ZATCA's Fatoora onboarding API that refuses what ZATCA refuses: an OTP that
 * is unknown, used, past its hour or meant for the other purpose; a CSR whose signature does not
 * verify, whose key is not secp256k1, whose subject or alternative-name fields are missing or
 * malformed, or whose template name is for another environment; a production CSID asked for with
 * another compliance CSID, or before the compliance checks passed; a renewal not authenticated by a
 * current production CSID. CSIDs are certificates issued by a local CA for the CSR's key.
 */
export async function startFakeZatca({ environment = 'simulation' as FatooraEnvironment, days = { compliance: 365, production: 5 * 365 } } = {}) {
  const ca = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const caName = AsnConvert.parse(new x509.Name('CN=Fake ZATCA Issuing CA, O=Strongroom Test, C=SA').toArrayBuffer(), Name);
  const otps = new Map<string, { purpose: 'onboarding' | 'renewal'; until: number }>();
  type CheckedCsr = { spki: Buffer; subject: Name; san: Extension };
  const compliance = new Map<string, { token: string; secret: string; csr: CheckedCsr; checksPassed: boolean }>();
  const production = new Map<string, string>(); // binarySecurityToken → secret
  const calls: string[] = [];
  const refusals: string[] = [];
  let requests = 1_234_567;

  const basic = (req: IncomingMessage) => {
    const decoded = Buffer.from(/^Basic (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '', 'base64').toString();
    const at = decoded.lastIndexOf(':');
    return at < 0 ? null : { token: decoded.slice(0, at), secret: decoded.slice(at + 1) };
  };
  const takeOtp = (req: IncomingMessage, purpose: 'onboarding' | 'renewal') => {
    const otp = String(req.headers.otp ?? '');
    const entry = otps.get(otp);
    if (!entry || entry.purpose !== purpose || entry.until <= nowMs()) return false;
    otps.delete(otp);
    return true;
  };
  const refuse = (res: Parameters<Parameters<typeof startFaultServer>[0]>[2], reason: string, status = 400) => {
    refusals.push(reason);
    json(res, status, { errors: [{ code: 'Invalid-Request', message: 'refused' }] });
  };

  /** The CSR's public key (SPKI DER) and its alternative names, or the reason ZATCA would refuse it. */
  function checkCsr(base64Pem: unknown): CheckedCsr | string {
    if (typeof base64Pem !== 'string') return 'no csr';
    const pem = Buffer.from(base64Pem, 'base64').toString('utf8');
    const der = Buffer.from(pem.replace(/-----[A-Z ]+-----|\s+/g, ''), 'base64');
    let request: CertificationRequest;
    try {
      request = AsnConvert.parse(der, CertificationRequest);
    } catch {
      return 'unreadable csr';
    }
    const info = request.certificationRequestInfo;
    const spki = Buffer.from(AsnConvert.serialize(info.subjectPKInfo));
    let key: KeyObject;
    try {
      key = createPublicKey({ key: spki, format: 'der', type: 'spki' });
    } catch {
      return 'unreadable key';
    }
    if (key.asymmetricKeyDetails?.namedCurve !== 'secp256k1') return 'key not on secp256k1';
    if (request.signatureAlgorithm.algorithm !== OID.ecdsaWithSha256) return 'not ecdsa-with-SHA256';
    if (!verify('sha256', Buffer.from(AsnConvert.serialize(info)), key, Buffer.from(request.signature))) return 'signature does not verify';
    const subject = new x509.Name(AsnConvert.serialize(info.subject));
    for (const field of ['C', 'OU', 'O', 'CN']) if (!subject.getField(field)[0]) return `subject without ${field}`;
    if (subject.getField('C')[0] !== 'SA') return 'country is not SA';
    const requested = info.attributes.find((a) => a.type === OID.extensionRequest);
    if (!requested) return 'no extensions';
    const extensions = AsnConvert.parse(requested.values[0]!, Extensions);
    const template = extensions.find((e) => e.extnID === OID.templateName);
    const templateName = template ? Buffer.from(template.extnValue.buffer).subarray(2).toString('latin1') : '';
    if (templateName !== TEMPLATE_NAMES[environment]) return `template ${templateName} is not for ${environment}`;
    const san = extensions.find((e) => e.extnID === id_ce_subjectAltName);
    if (!san) return 'no subjectAltName';
    const directory = AsnConvert.parse(san.extnValue.buffer, GeneralNames)[0]?.directoryName;
    if (!directory) return 'no directoryName';
    const names = new x509.Name(AsnConvert.serialize(directory));
    const one = (oid: string) => names.getField(oid)[0] ?? '';
    if (!/^1-[^|]+\|2-[^|]+\|3-[^|]+$/.test(one(OID.surname))) return 'SN is not 1-…|2-…|3-…';
    if (!/^3\d{13}3$/.test(one(OID.uid))) return 'UID is not a VAT number';
    if (!/^[01]{4}$/.test(one(OID.title))) return 'title is not four flags';
    if (!one(OID.registeredAddress) || !one(OID.businessCategory)) return 'address or category missing';
    return { spki, subject: info.subject, san };
  }

  function issue(csr: CheckedCsr, lifetimeDays: number) {
    const now = nowMs();
    const tbs = new TBSCertificate({
      version: Version.v3,
      serialNumber: new Uint8Array(randomBytes(8)).buffer,
      signature: new AlgorithmIdentifier({ algorithm: OID.ecdsaWithSha256 }),
      issuer: caName,
      validity: new Validity({ notBefore: new Date(now - 60_000), notAfter: new Date(now + lifetimeDays * 86_400_000) }),
      subject: csr.subject,
      subjectPublicKeyInfo: AsnConvert.parse(csr.spki, SubjectPublicKeyInfo),
      extensions: new Extensions([new Extension({ extnID: csr.san.extnID, critical: false, extnValue: new OctetString(csr.san.extnValue.buffer) })]),
    });
    const signature = sign('sha256', Buffer.from(AsnConvert.serialize(tbs)), ca.privateKey);
    const certificate = new Certificate({ tbsCertificate: tbs, signatureAlgorithm: new AlgorithmIdentifier({ algorithm: OID.ecdsaWithSha256 }), signatureValue: new Uint8Array(signature).buffer });
    const base64Der = Buffer.from(AsnConvert.serialize(certificate)).toString('base64');
    return { binarySecurityToken: Buffer.from(base64Der, 'ascii').toString('base64'), secret: randomBytes(24).toString('base64'), requestID: String(requests++) };
  }

  const server = await startFaultServer((req, body, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname.replace(/^.*\/e-invoicing\/[^/]+/, '');
    calls.push(`${req.method} ${path}`);
    if (req.headers['accept-version'] !== 'V2') return refuse(res, 'no Accept-Version V2');
    const request = (() => {
      try {
        return JSON.parse(body) as Record<string, unknown>;
      } catch {
        return {};
      }
    })();
    if (req.method === 'POST' && path === '/compliance') {
      if (!takeOtp(req, 'onboarding')) return refuse(res, 'OTP');
      const csr = checkCsr(request.csr);
      if (typeof csr === 'string') return refuse(res, csr);
      const csid = issue(csr, days.compliance);
      compliance.set(csid.requestID, { token: csid.binarySecurityToken, secret: csid.secret, csr, checksPassed: false });
      return json(res, 200, { ...csid, dispositionMessage: 'ISSUED' });
    }
    if (req.method === 'POST' && path === '/production/csids') {
      const auth = basic(req);
      const entry = compliance.get(String(request.compliance_request_id ?? ''));
      if (!auth || !entry || entry.token !== auth.token || entry.secret !== auth.secret) return refuse(res, 'compliance CSID', 401);
      if (!entry.checksPassed) return refuse(res, 'compliance checks not passed');
      // The production CSID is for the key and names of the compliance CSR.
      const csid = issue(entry.csr, days.production);
      production.set(csid.binarySecurityToken, csid.secret);
      return json(res, 200, { ...csid, tokenType: 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509v3', dispositionMessage: 'ISSUED' });
    }
    if (req.method === 'PATCH' && path === '/production/csids') {
      const auth = basic(req);
      if (!auth || production.get(auth.token) !== auth.secret) return refuse(res, 'production CSID', 401);
      if (!takeOtp(req, 'renewal')) return refuse(res, 'OTP');
      const csr = checkCsr(request.csr);
      if (typeof csr === 'string') return refuse(res, csr);
      const csid = issue(csr, days.production);
      production.set(csid.binarySecurityToken, csid.secret);
      return json(res, 200, { ...csid, dispositionMessage: 'ISSUED' });
    }
    json(res, 404, {});
  });

  return {
    url: `${server.url}/e-invoicing/${environment}`,
    close: server.close,
    calls,
    refusals,
    /** An OTP as the Fatoora portal shows it: for onboarding or for "Renewing Existing CSID", valid one hour. */
    issueOtp(purpose: 'onboarding' | 'renewal' = 'onboarding') {
      const otp = String(100_000 + Math.floor(Math.random() * 900_000));
      otps.set(otp, { purpose, until: nowMs() + 3_600_000 });
      return otp;
    },
    /** The EGS unit passed its compliance checks (it submits sample invoices signed with the compliance CSID; Strongroom does not). */
    passComplianceChecks() {
      for (const entry of compliance.values()) entry.checksPassed = true;
    },
    isProductionCsid: (binarySecurityToken: string) => production.has(binarySecurityToken),
  };
}
