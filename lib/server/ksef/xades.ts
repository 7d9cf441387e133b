import 'server-only';
import { createHash, createPrivateKey, sign } from 'node:crypto';
import { readPemCertificates } from '@/lib/server/certificates/x509';
import { now } from '@/lib/server/clock';

// The AuthTokenRequest of KSeF's certificate sign-in, signed as an enveloped XAdES-BES signature
// (ksef-docs auth/podpis-xades.md: enveloped, exclusive canonicalization, SHA-256). Every signed
// piece is written here already in its exclusive-canonical form (no whitespace, namespaces
// declared where used, attributes in order), so what is digested is exactly what is sent.

const DS = 'http://www.w3.org/2000/09/xmldsig#';
const XADES = 'http://uri.etsi.org/01903/v1.3.2#';
const EXC_C14N = 'http://www.w3.org/2001/10/xml-exc-c14n#';
const SHA256 = 'http://www.w3.org/2001/04/xmlenc#sha256';
export const KSEF_AUTH_NAMESPACE = 'http://ksef.mf.gov.pl/auth/token/2.0';

const escapeText = (value: string) => value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\r/g, '&#xD;');
const digest = (text: string | Buffer) => createHash('sha256').update(text).digest('base64');

/** The signed AuthTokenRequest for a challenge, in context NIP, signed with a KSeF certificate and its key. */
export function signAuthTokenRequest({ challenge, nip, certificate, privateKey }: { challenge: string; nip: string; certificate: string; privateKey: string }): string {
  const [leaf] = readPemCertificates(certificate);
  if (!leaf) throw new Error('No certificate to sign with');
  const key = createPrivateKey(privateKey);
  const ec = key.asymmetricKeyType === 'ec';
  const body =
    `<Challenge>${escapeText(challenge)}</Challenge><ContextIdentifier><Nip>${escapeText(nip)}</Nip></ContextIdentifier>` +
    `<SubjectIdentifierType>certificateSubject</SubjectIdentifierType>`;
  const document = `<AuthTokenRequest xmlns="${KSEF_AUTH_NAMESPACE}">${body}</AuthTokenRequest>`;

  const dsEl = (name: string, attributes: string, content: string) => `<ds:${name} xmlns:ds="${DS}"${attributes}>${content}</ds:${name}>`;
  const signedProperties =
    `<xades:SignedProperties xmlns:xades="${XADES}" Id="SignedProperties"><xades:SignedSignatureProperties>` +
    `<xades:SigningTime>${now().toISOString()}</xades:SigningTime><xades:SigningCertificate><xades:Cert><xades:CertDigest>` +
    dsEl('DigestMethod', ` Algorithm="${SHA256}"`, '') +
    dsEl('DigestValue', '', digest(Buffer.from(leaf.rawData))) +
    `</xades:CertDigest><xades:IssuerSerial>` +
    dsEl('X509IssuerName', '', escapeText(leaf.issuer)) +
    dsEl('X509SerialNumber', '', BigInt(`0x${leaf.serialNumber}`).toString()) +
    `</xades:IssuerSerial></xades:Cert></xades:SigningCertificate></xades:SignedSignatureProperties></xades:SignedProperties>`;

  const transform = (algorithm: string) => `<ds:Transform Algorithm="${algorithm}"></ds:Transform>`;
  const signedInfo =
    `<ds:SignedInfo xmlns:ds="${DS}"><ds:CanonicalizationMethod Algorithm="${EXC_C14N}"></ds:CanonicalizationMethod>` +
    `<ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#${ec ? 'ecdsa' : 'rsa'}-sha256"></ds:SignatureMethod>` +
    `<ds:Reference URI="">${`<ds:Transforms>${transform(`${DS}enveloped-signature`)}${transform(EXC_C14N)}</ds:Transforms>`}` +
    `<ds:DigestMethod Algorithm="${SHA256}"></ds:DigestMethod><ds:DigestValue>${digest(document)}</ds:DigestValue></ds:Reference>` +
    `<ds:Reference Type="http://uri.etsi.org/01903#SignedProperties" URI="#SignedProperties"><ds:Transforms>${transform(EXC_C14N)}</ds:Transforms>` +
    `<ds:DigestMethod Algorithm="${SHA256}"></ds:DigestMethod><ds:DigestValue>${digest(signedProperties)}</ds:DigestValue></ds:Reference></ds:SignedInfo>`;
  // XML-DSig wants ECDSA signatures as r‖s, not DER.
  const signatureValue = sign('sha256', Buffer.from(signedInfo), ec ? { key, dsaEncoding: 'ieee-p1363' } : key).toString('base64');
  const der = Buffer.from(leaf.rawData).toString('base64');
  const signature =
    `<ds:Signature xmlns:ds="${DS}" Id="Signature">${signedInfo}<ds:SignatureValue>${signatureValue}</ds:SignatureValue>` +
    `<ds:KeyInfo><ds:X509Data><ds:X509Certificate>${der}</ds:X509Certificate></ds:X509Data></ds:KeyInfo>` +
    `<ds:Object><xades:QualifyingProperties xmlns:xades="${XADES}" Target="#Signature">${signedProperties}</xades:QualifyingProperties></ds:Object></ds:Signature>`;
  return `<?xml version="1.0" encoding="utf-8"?><AuthTokenRequest xmlns="${KSEF_AUTH_NAMESPACE}">${body}${signature}</AuthTokenRequest>`;
}
