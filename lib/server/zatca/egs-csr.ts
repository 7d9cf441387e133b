import 'server-only';
import { createPublicKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { CertificationRequest, CertificationRequestInfo, Attributes } from '@peculiar/asn1-csr';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import { AlgorithmIdentifier, Attribute, Extension, Extensions, GeneralName, GeneralNames, id_ce_subjectAltName, Name, SubjectPublicKeyInfo } from '@peculiar/asn1-x509';
import { pemBlock } from '@/lib/pem-files';
import { x509 } from '@/lib/server/certificates/x509';

// The CSR of an EGS unit as ZATCA specifies it (E-Invoicing Detailed Technical Guidelines and the
// Fatoora onboarding guide): an ECDSA key on secp256k1, signed with SHA-256; subject C=SA, OU, O, CN;
// a subjectAltName directoryName with SN=1-<solution>|2-<model>|3-<serial>, UID=<VAT number>,
// title=<invoice types>, registeredAddress, businessCategory; and the certificate template name
// extension saying which Fatoora environment it is for.

export const OID = {
  surname: '2.5.4.4',
  uid: '0.9.2342.19200300.100.1.1',
  title: '2.5.4.12',
  registeredAddress: '2.5.4.26',
  businessCategory: '2.5.4.15',
  templateName: '1.3.6.1.4.1.311.20.2',
  extensionRequest: '1.2.840.113549.1.9.14',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
} as const;

/** The certificate template a CSR names, by Fatoora environment. */
export const TEMPLATE_NAMES = { 'developer-portal': 'TSTZATCA-Code-Signing', simulation: 'PREZATCA-Code-Signing', core: 'ZATCA-Code-Signing' } as const;
export type FatooraEnvironment = keyof typeof TEMPLATE_NAMES;

/** The Fatoora environment of an API base URL: its last path segment (…/e-invoicing/core is production). */
export function fatooraEnvironmentOf(apiBaseUrl: string): FatooraEnvironment {
  const last = new URL(apiBaseUrl).pathname.replace(/\/+$/, '').split('/').at(-1);
  return last === 'core' ? 'core' : last === 'simulation' ? 'simulation' : 'developer-portal';
}

export interface EgsCsrFields {
  commonName: string;
  organizationUnit: string;
  organizationName: string;
  /** `1-<solution>|2-<model>|3-<serial>` */
  egsSerial: string;
  vatNumber: string;
  /** Four flags: standard (B2B), simplified (B2C), then reserved, e.g. 1100. */
  invoiceTypes: string;
  registeredAddress: string;
  businessCategory: string;
}

/** A new EGS private key (secp256k1), as PKCS#8 PEM: created here and sealed at once by the caller. */
export function generateEgsKey(): string {
  return generateKeyPairSync('ec', { namedCurve: 'secp256k1' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
}

/** DER of a short PrintableString (tag 0x13): the template name's encoding. */
const printableString = (value: string) => {
  const bytes = Buffer.from(value, 'latin1');
  return new Uint8Array(Buffer.concat([Buffer.from([0x13, bytes.length]), bytes])).buffer;
};

/** The CSR (PEM) for the fields, signed with the key. */
export function buildEgsCsr(key: KeyObject, fields: EgsCsrFields, environment: FatooraEnvironment): string {
  const name = (json: x509.JsonName) => AsnConvert.parse(new x509.Name(json).toArrayBuffer(), Name);
  const subject = name([{ C: ['SA'] }, { OU: [fields.organizationUnit] }, { O: [fields.organizationName] }, { CN: [fields.commonName] }]);
  const directory = name([
    { [OID.surname]: [fields.egsSerial] },
    { [OID.uid]: [fields.vatNumber] },
    { [OID.title]: [fields.invoiceTypes] },
    { [OID.registeredAddress]: [fields.registeredAddress] },
    { [OID.businessCategory]: [fields.businessCategory] },
  ]);
  const extensions = new Extensions([
    new Extension({
      extnID: OID.templateName,
      critical: false,
      extnValue: new OctetString(printableString(TEMPLATE_NAMES[environment])),
    }),
    new Extension({ extnID: id_ce_subjectAltName, critical: false, extnValue: new OctetString(AsnConvert.serialize(new GeneralNames([new GeneralName({ directoryName: directory })]))) }),
  ]);
  const spki = createPublicKey(key).export({ type: 'spki', format: 'der' });
  const info = new CertificationRequestInfo({
    version: 0,
    subject,
    subjectPKInfo: AsnConvert.parse(spki, SubjectPublicKeyInfo),
    attributes: new Attributes([new Attribute({ type: OID.extensionRequest, values: [AsnConvert.serialize(extensions)] })]),
  });
  const signature = sign('sha256', Buffer.from(AsnConvert.serialize(info)), key);
  const request = new CertificationRequest({ certificationRequestInfo: info, signatureAlgorithm: new AlgorithmIdentifier({ algorithm: OID.ecdsaWithSha256 }), signature: new Uint8Array(signature).buffer });
  return pemBlock('CERTIFICATE REQUEST', Buffer.from(AsnConvert.serialize(request)).toString('base64'));
}
