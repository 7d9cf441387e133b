import 'server-only';
// @peculiar/x509 resolves its parsers through tsyringe, which needs the Reflect metadata API.
import 'reflect-metadata';
import { createHash, createPublicKey, webcrypto, type KeyObject } from 'node:crypto';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as Crypto);

export type Certificate = x509.X509Certificate;

/** What people see of a certificate: never its key. */
export interface CertificateFacts {
  subject: string;
  issuer: string;
  serialNumber: string;
  notBefore: string;
  notAfter: string;
  /** SHA-256 of the DER certificate, hex in pairs (as browsers and `openssl x509 -fingerprint` show it). */
  sha256: string;
}

const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** Every certificate in a PEM text (a certificate, or a chain); throws on one that does not parse. */
export function readPemCertificates(pem: string): Certificate[] {
  return (pem.match(PEM_BLOCK) ?? []).map((block) => new x509.X509Certificate(block));
}

export const readDerCertificate = (der: Uint8Array<ArrayBuffer>): Certificate => new x509.X509Certificate(der);

export const toPem = (certificate: Certificate): string => certificate.toString('pem');

export function certificateFacts(certificate: Certificate): CertificateFacts {
  return {
    subject: certificate.subject,
    issuer: certificate.issuer,
    serialNumber: certificate.serialNumber,
    notBefore: certificate.notBefore.toISOString(),
    notAfter: certificate.notAfter.toISOString(),
    sha256: sha256Of(certificate),
  };
}

export const sha256Of = (certificate: Certificate): string =>
  createHash('sha256')
    .update(new Uint8Array(certificate.rawData))
    .digest('hex')
    .toUpperCase()
    .replace(/(..)(?!$)/g, '$1:');

/** Whether the private key is the one whose public half the certificate carries (any key type node reads). */
export function keyMatches(certificate: Certificate, key: KeyObject): boolean {
  const fromKey = createPublicKey(key).export({ type: 'spki', format: 'der' });
  return Buffer.from(certificate.publicKey.rawData).equals(fromKey);
}

/** The subject and the subject alternative names as text (ZATCA puts the VAT number in a directoryName there). */
export function namesInCertificate(certificate: Certificate): string {
  const san = certificate.getExtension(x509.SubjectAlternativeNameExtension);
  return [certificate.subject, ...(san ? san.names.items.map((name) => name.value) : [])].join('\n');
}

/** An attribute of a distinguished name (`CN`, `O`, `2.5.4.97` …), first value, or undefined. */
export function nameAttribute(name: x509.Name | string, attribute: string): string | undefined {
  const parsed = typeof name === 'string' ? new x509.Name(name) : name;
  return parsed.getField(attribute)[0];
}

/**
 * The chain from `leaf` through `intermediates` to `anchor`, each signature checked; null when it
 * does not end at the anchor (a chain to another CA, a broken signature).
 */
export async function chainTo(leaf: Certificate, intermediates: Certificate[], anchor: Certificate): Promise<Certificate[] | null> {
  const builder = new x509.X509ChainBuilder({ certificates: [...intermediates, anchor] });
  try {
    const chain = await builder.build(leaf);
    const top = chain.at(-1);
    if (!top || sha256Of(top) !== sha256Of(anchor)) return null;
    for (let i = 0; i + 1 < chain.length; i++) {
      if (!(await chain[i]!.verify({ publicKey: chain[i + 1]!, signatureOnly: true }))) return null;
    }
    return chain;
  } catch {
    return null;
  }
}

export { x509 };
