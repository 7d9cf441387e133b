import 'server-only';
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { formatDateTime } from '@/lib/format';
import { pemBlock } from '@/lib/pem-files';
import { MAX_PKCS12_BYTES, openPkcs12, PKCS12_ITERATION_LIMITS } from '@/lib/server/certificates/open-pkcs12';
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
  /** Its private key: for the code that signs with it (signing/sign-digest.ts), never to show. */
  key: KeyObject;
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

/** More certificates than any chain to an e-invoicing CA has; each one more is work for the chain builder. */
export const MAX_CERTIFICATES = 10;

function parseCertificates(field: string, pem: string): Certificate[] {
  let certificates: Certificate[] = [];
  try {
    certificates = readPemCertificates(pem);
  } catch {
    // refused below
  }
  if (!certificates.length) throw new CertificateProblem(field, 'This is not a readable X.509 certificate');
  if (certificates.length > MAX_CERTIFICATES) throw new CertificateProblem(field, `At most ${MAX_CERTIFICATES} certificates: the certificate and its chain`);
  return certificates;
}

/** The largest RSA key taken: signing with one takes time on the thread that signs, and no e-invoicing CA issues more. */
export const MAX_RSA_BITS = 8192;

/** Refuses a key whose every use would be costly (an oversized RSA modulus) or of a kind no regime uses (DSA, DH). */
function checkKeyCost(key: KeyObject, field: string): KeyObject {
  const type = key.asymmetricKeyType ?? '';
  if (!['rsa', 'rsa-pss', 'ec', 'ed25519', 'ed448'].includes(type)) throw new CertificateProblem(field, `This is a ${type.toUpperCase() || 'kind of'} key, which no e-invoicing regime uses: give an RSA or EC key`);
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (bits > MAX_RSA_BITS) throw new CertificateProblem(field, `This RSA key has ${bits} bits; Strongroom takes keys of up to ${MAX_RSA_BITS} bits`, 'certificate_too_costly');
  return key;
}

function parsePrivateKey(field: string, key: string): KeyObject {
  if (/ENCRYPTED PRIVATE KEY/.test(key)) throw new CertificateProblem(field, 'This private key is encrypted: export it without a passphrase, or upload a PKCS#12 file with its password');
  let parsed: KeyObject;
  try {
    parsed = createPrivateKey(key);
  } catch {
    throw new CertificateProblem(field, 'This is not a readable private key');
  }
  return checkKeyCost(parsed, field);
}

function inspected(certificate: Certificate, chain: Certificate[], key: KeyObject, keyField: string): InspectedCertificate {
  if (!keyMatches(certificate, key)) throw new CertificateProblem(keyField, 'This private key does not belong to the certificate');
  return { certificate, certificatePem: toPem(certificate), chain, facts: certificateFacts(certificate), notAfter: certificate.notAfter, key };
}

/** Parses a PEM certificate (the first block; any further ones are its chain) and private key, and checks that they belong together. */
export function inspectPemPair(
  { certificate, privateKey }: { certificate: string; privateKey: string },
  fields = { certificate: 'certificate', privateKey: 'privateKey' },
): InspectedCertificate {
  const [leaf, ...chain] = parseCertificates(fields.certificate, certificate);
  return inspected(leaf!, chain, parsePrivateKey(fields.privateKey, privateKey), fields.privateKey);
}

const PKCS12_REFUSALS = {
  unreadable: ['pkcs12', 'This is not a readable PKCS#12 file'],
  password: ['password', 'Wrong password for this PKCS#12 file'],
  too_large: ['pkcs12', `This PKCS#12 file is over ${MAX_PKCS12_BYTES / 1024} KiB: a certificate with its key and chain takes a few KiB`],
  work: [
    'pkcs12',
    `This PKCS#12 file asks for more key-derivation work than Strongroom allows (over ${PKCS12_ITERATION_LIMITS.each.toLocaleString('en')} iterations for a step, or ${PKCS12_ITERATION_LIMITS.total.toLocaleString('en')} in all). Export it again with the usual counts, e.g. openssl pkcs12 -export -iter 10000 -maciter 10000.`,
  ],
  timeout: ['pkcs12', 'This PKCS#12 file took too long to open and was given up'],
  busy: ['pkcs12', 'Several PKCS#12 files are being opened right now: try again in a moment'],
} as const;

/** Opens a PKCS#12 file (base64) with its password, in a worker with bounded work (certificates/open-pkcs12.ts), and checks its certificate and key. */
export async function inspectPkcs12({ pkcs12, password }: { pkcs12: string; password: string }, fields = { pkcs12: 'pkcs12', password: 'pkcs12Password' }): Promise<InspectedCertificate> {
  const opened = await openPkcs12(Buffer.from(pkcs12, 'base64'), password);
  if (!opened.ok) {
    const [field, message] = PKCS12_REFUSALS[opened.reason];
    throw new CertificateProblem(field === 'password' ? fields.password : fields.pkcs12, message, opened.reason === 'work' || opened.reason === 'too_large' ? 'certificate_too_costly' : 'certificate_invalid');
  }
  const { certificates: ders, privateKey } = opened.contents;
  if (!ders.length) throw new CertificateProblem(fields.pkcs12, 'The PKCS#12 file holds no certificate');
  if (ders.length > MAX_CERTIFICATES) throw new CertificateProblem(fields.pkcs12, `At most ${MAX_CERTIFICATES} certificates: the certificate and its chain`);
  if (!privateKey) throw new CertificateProblem(fields.pkcs12, 'The PKCS#12 file holds a certificate without its private key');
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: Buffer.from(privateKey), format: 'der', type: 'pkcs8' });
  } catch {
    throw new CertificateProblem(fields.pkcs12, 'The private key in this PKCS#12 file is not readable');
  }
  checkKeyCost(key, fields.pkcs12);
  const certificates = ders.flatMap((der) => parseCertificates(fields.pkcs12, pemBlock('CERTIFICATE', Buffer.from(der).toString('base64'))));
  // The end-entity certificate is the one the key belongs to; the others are its CA certificates.
  const leaf = certificates.find((certificate) => keyMatches(certificate, key));
  if (!leaf) throw new CertificateProblem(fields.pkcs12, 'The private key in this PKCS#12 file does not belong to its certificate');
  return inspected(leaf, certificates.filter((c) => c !== leaf), key, fields.pkcs12);
}

/** Refuses a certificate outside its validity window now: expired, or not valid yet. */
export function checkValidityWindow(certificate: Certificate, field: string, at = now()): void {
  const day = (date: Date) => `${formatDateTime(date)} UTC`;
  if (certificate.notAfter.getTime() <= at.getTime()) throw new CertificateProblem(field, `This certificate expired on ${day(certificate.notAfter)}`, 'certificate_expired');
  if (certificate.notBefore.getTime() > at.getTime()) throw new CertificateProblem(field, `This certificate is not valid before ${day(certificate.notBefore)}`, 'certificate_not_yet_valid');
}
