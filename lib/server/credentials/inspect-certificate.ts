import 'server-only';
import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import forge from 'node-forge';

export interface CertificateFacts {
  subject: string;
  notAfter: Date;
}

/** A certificate problem attributed to the form field that holds the culprit. */
export class CertificateProblem extends Error {
  override name = 'CertificateProblem';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

function parseCertificate(field: string, certificate: string | Buffer): X509Certificate {
  try {
    return new X509Certificate(certificate);
  } catch {
    throw new CertificateProblem(field, 'This is not a readable X.509 certificate');
  }
}

function parsePrivateKey(field: string, key: string | Buffer, format: 'pem' | 'der'): KeyObject {
  try {
    return format === 'pem' ? createPrivateKey(key) : createPrivateKey({ key: key as Buffer, format: 'der', type: 'pkcs8' });
  } catch {
    throw new CertificateProblem(field, 'This is not a readable, unencrypted private key');
  }
}

function checkPair(certificate: X509Certificate, key: KeyObject, keyField: string): CertificateFacts {
  if (!certificate.checkPrivateKey(key)) {
    throw new CertificateProblem(keyField, 'This private key does not belong to the certificate');
  }
  return { subject: certificate.subject.replace(/\n/g, ', '), notAfter: new Date(certificate.validTo) };
}

/** Parses a PEM certificate and private key and checks that they belong together. */
export function inspectPemPair(
  { certificate, privateKey }: { certificate: string; privateKey: string },
  fields = { certificate: 'certificate', privateKey: 'privateKey' },
): CertificateFacts {
  return checkPair(parseCertificate(fields.certificate, certificate), parsePrivateKey(fields.privateKey, privateKey, 'pem'), fields.privateKey);
}

/** Opens a PKCS#12 file (base64) with its password and checks its certificate and key. */
export function inspectPkcs12({ pkcs12, password }: { pkcs12: string; password: string }): CertificateFacts {
  let p12: forge.pkcs12.Pkcs12Pfx;
  try {
    const der = forge.util.decode64(pkcs12);
    p12 = forge.pkcs12.pkcs12FromAsn1(forge.asn1.fromDer(der), password);
  } catch (error) {
    const message = error instanceof Error ? error.message : '';
    if (/MAC could not be verified|Invalid password|decrypt/i.test(message)) {
      throw new CertificateProblem('pkcs12Password', 'Wrong password for this PKCS#12 file');
    }
    throw new CertificateProblem('pkcs12', 'This is not a readable PKCS#12 file');
  }
  // forge decodes RSA itself; for other key types it leaves the ASN.1, which node:crypto reads.
  const derOf = (asn1: forge.asn1.Asn1) => Buffer.from(forge.asn1.toDer(asn1).getBytes(), 'binary');
  const bagOf = (type: string) => p12.getBags({ bagType: type })[type]?.[0];
  const certBag = bagOf(forge.pki.oids.certBag!);
  const keyBag = bagOf(forge.pki.oids.pkcs8ShroudedKeyBag!);
  if (!certBag || !keyBag) throw new CertificateProblem('pkcs12', 'The PKCS#12 file must hold a certificate and its private key');
  const certificate = parseCertificate(
    'pkcs12',
    certBag.cert ? forge.pki.certificateToPem(certBag.cert) : derOf((certBag as { asn1: forge.asn1.Asn1 }).asn1),
  );
  const key = keyBag.key
    ? parsePrivateKey('pkcs12', forge.pki.privateKeyInfoToPem(forge.pki.wrapRsaPrivateKey(forge.pki.privateKeyToAsn1(keyBag.key))), 'pem')
    : parsePrivateKey('pkcs12', derOf((keyBag as { asn1: forge.asn1.Asn1 }).asn1), 'der');
  return checkPair(certificate, key, 'pkcs12');
}
