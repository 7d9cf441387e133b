import 'server-only';
import { createPrivateKey, type KeyObject } from 'node:crypto';
import forge from 'node-forge';
import { pemBlock } from '@/lib/pem-files';
import { certificateFacts, keyMatches, readPemCertificates, toPem, type Certificate, type CertificateFacts } from '@/lib/server/certificates/x509';
import { now } from '@/lib/server/clock';

/** A certificate that parsed and whose key belongs to it. */
export interface InspectedCertificate {
  certificate: Certificate;
  /** The certificate in PEM, public: what a PKCS#12 file held, stored beside it so its facts show without opening secrets. */
  certificatePem: string;
  /** Further certificates given with it (a chain, or a PKCS#12 file's CA certificates). */
  chain: Certificate[];
  facts: CertificateFacts;
  notAfter: Date;
}

/** A certificate problem attributed to the form field that holds the culprit, with a code for test history. */
export class CertificateProblem extends Error {
  override name = 'CertificateProblem';
  constructor(
    readonly field: string,
    message: string,
    readonly code = 'certificate_invalid',
  ) {
    super(message);
  }
}

function parseCertificates(field: string, pem: string): Certificate[] {
  try {
    const certificates = readPemCertificates(pem);
    if (certificates.length) return certificates;
  } catch {
    // fall through
  }
  throw new CertificateProblem(field, 'This is not a readable X.509 certificate');
}

function parsePrivateKey(field: string, key: string): KeyObject {
  if (/ENCRYPTED PRIVATE KEY/.test(key)) throw new CertificateProblem(field, 'This private key is encrypted: export it without a passphrase, or upload a PKCS#12 file with its password');
  try {
    return createPrivateKey(key);
  } catch {
    throw new CertificateProblem(field, 'This is not a readable private key');
  }
}

function inspected(certificate: Certificate, chain: Certificate[], key: KeyObject, keyField: string): InspectedCertificate {
  if (!keyMatches(certificate, key)) throw new CertificateProblem(keyField, 'This private key does not belong to the certificate');
  return { certificate, certificatePem: toPem(certificate), chain, facts: certificateFacts(certificate), notAfter: certificate.notAfter };
}

/** Parses a PEM certificate (the first block; any further ones are its chain) and private key, and checks that they belong together. */
export function inspectPemPair(
  { certificate, privateKey }: { certificate: string; privateKey: string },
  fields = { certificate: 'certificate', privateKey: 'privateKey' },
): InspectedCertificate {
  const [leaf, ...chain] = parseCertificates(fields.certificate, certificate);
  return inspected(leaf!, chain, parsePrivateKey(fields.privateKey, privateKey), fields.privateKey);
}

/** Opens a PKCS#12 file (base64) with its password and checks its certificate and key. */
export function inspectPkcs12({ pkcs12, password }: { pkcs12: string; password: string }, fields = { pkcs12: 'pkcs12', password: 'pkcs12Password' }): InspectedCertificate {
  let p12: forge.pkcs12.Pkcs12Pfx;
  try {
    p12 = forge.pkcs12.pkcs12FromAsn1(forge.asn1.fromDer(forge.util.decode64(pkcs12)), password);
  } catch (error) {
    const message = error instanceof Error ? error.message : '';
    if (/MAC could not be verified|Invalid password|decrypt/i.test(message)) throw new CertificateProblem(fields.password, 'Wrong password for this PKCS#12 file');
    throw new CertificateProblem(fields.pkcs12, 'This is not a readable PKCS#12 file');
  }
  // forge decodes RSA itself; for other key types it leaves the ASN.1, which node:crypto reads.
  const derOf = (asn1: forge.asn1.Asn1) => Buffer.from(forge.asn1.toDer(asn1).getBytes(), 'binary');
  const pemOf = (bag: forge.pkcs12.Bag) => (bag.cert ? forge.pki.certificateToPem(bag.cert) : pemBlock('CERTIFICATE', derOf((bag as { asn1: forge.asn1.Asn1 }).asn1).toString('base64')));
  const certBags = p12.getBags({ bagType: forge.pki.oids.certBag! })[forge.pki.oids.certBag!] ?? [];
  const keyBag = p12.getBags({ bagType: forge.pki.oids.pkcs8ShroudedKeyBag! })[forge.pki.oids.pkcs8ShroudedKeyBag!]?.[0];
  if (!certBags.length) throw new CertificateProblem(fields.pkcs12, 'The PKCS#12 file holds no certificate');
  if (!keyBag) throw new CertificateProblem(fields.pkcs12, 'The PKCS#12 file holds a certificate without its private key');
  let key: KeyObject;
  try {
    key = keyBag.key
      ? createPrivateKey(forge.pki.privateKeyInfoToPem(forge.pki.wrapRsaPrivateKey(forge.pki.privateKeyToAsn1(keyBag.key))))
      : createPrivateKey({ key: derOf((keyBag as { asn1: forge.asn1.Asn1 }).asn1), format: 'der', type: 'pkcs8' });
  } catch {
    throw new CertificateProblem(fields.pkcs12, 'The private key in this PKCS#12 file is not readable');
  }
  const certificates = certBags.flatMap((bag) => parseCertificates(fields.pkcs12, pemOf(bag)));
  // The end-entity certificate is the one the key belongs to; the others are its CA certificates.
  const leaf = certificates.find((certificate) => keyMatches(certificate, key));
  if (!leaf) throw new CertificateProblem(fields.pkcs12, 'The private key in this PKCS#12 file does not belong to its certificate');
  return inspected(leaf, certificates.filter((c) => c !== leaf), key, fields.pkcs12);
}

/** Refuses a certificate outside its validity window now: expired, or not valid yet. */
export function checkValidityWindow(certificate: Certificate, field: string, at = now()): void {
  const day = (date: Date) => date.toISOString().slice(0, 16).replace('T', ' ') + ' UTC';
  if (certificate.notAfter.getTime() <= at.getTime()) throw new CertificateProblem(field, `This certificate expired on ${day(certificate.notAfter)}`, 'certificate_expired');
  if (certificate.notBefore.getTime() > at.getTime()) throw new CertificateProblem(field, `This certificate is not valid before ${day(certificate.notBefore)}`, 'certificate_not_yet_valid');
}
