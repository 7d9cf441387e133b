import 'server-only';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { webcrypto } from 'node:crypto';
import forge from 'node-forge';
import { pemBlock } from '@/lib/pem-files';
import { x509 } from '@/lib/server/certificates/x509';
import { nowMs } from '@/lib/server/clock';

export interface TestCertificate {
  certificate: string;
  privateKey: string;
  notAfter: Date;
}

/** A real key pair and self-signed certificate made by OpenSSL (secp256k1, as ZATCA uses). */
export function makeCertificate({ days = 365, subject = '/CN=Strongroom Test/O=Test' } = {}): TestCertificate {
  const dir = mkdtempSync(join(tmpdir(), 'strongroom-cert-'));
  const key = join(dir, 'key.pem');
  const cert = join(dir, 'cert.pem');
  execFileSync('openssl', ['ecparam', '-name', 'secp256k1', '-genkey', '-noout', '-out', join(dir, 'ec.pem')]);
  execFileSync('openssl', ['pkcs8', '-topk8', '-nocrypt', '-in', join(dir, 'ec.pem'), '-out', key]);
  execFileSync('openssl', ['req', '-x509', '-new', '-key', key, '-subj', subject, '-days', String(days), '-out', cert], { stdio: 'pipe' });
  const certificate = readFileSync(cert, 'utf8');
  const notAfter = new Date(execFileSync('openssl', ['x509', '-in', cert, '-noout', '-enddate'], { encoding: 'utf8' }).trim().replace('notAfter=', ''));
  return { certificate, privateKey: readFileSync(key, 'utf8'), notAfter };
}

/** The certificate and key packed as PKCS#12 (base64), protected by `password`. */
export const makePkcs12 = (pair: TestCertificate, password: string): string => packPkcs12(pair, password);

/** An RSA certificate that expired in 2020 (node-forge can date it in the past; OpenSSL 3.0 cannot). */
export function makeExpiredCertificate(): TestCertificate {
  const keys = forge.pki.rsa.generateKeyPair(2048);
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = '01';
  cert.validity.notBefore = new Date('2020-01-01T00:00:00Z');
  cert.validity.notAfter = new Date('2020-02-01T00:00:00Z');
  cert.setSubject([{ name: 'commonName', value: 'Expired Test' }]);
  cert.setIssuer([{ name: 'commonName', value: 'Expired Test' }]);
  cert.sign(keys.privateKey, forge.md.sha256.create());
  return {
    certificate: forge.pki.certificateToPem(cert),
    privateKey: forge.pki.privateKeyInfoToPem(forge.pki.wrapRsaPrivateKey(forge.pki.privateKeyToAsn1(keys.privateKey))),
    notAfter: cert.validity.notAfter,
  };
}

export interface IssuedCertificate {
  certificate: string;
  privateKey: string;
  keys: CryptoKeyPair;
  subject: string;
}

const RSA = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', publicExponent: new Uint8Array([1, 0, 1]), modulusLength: 2048 } as const;
const P256 = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

/**
 * A certificate made with @peculiar/x509: self-signed (a CA) when no issuer is given, else signed
 * by the issuer. RSA or P-256; key usage and validity as asked (dates in the past are fine). Its
 * default validity is read from the one clock, so a test that moves the clock gets certificates
 * valid at its time, not at the machine's.
 */
export async function issueCertificate({
  subject,
  issuer,
  ca = false,
  algorithm = 'EC',
  usages,
  notBefore = new Date(nowMs() - 86_400_000),
  notAfter = new Date(nowMs() + 365 * 86_400_000),
  ipAddresses = [],
}: {
  subject: string;
  /** For a server's certificate: the addresses it answers on (subject alternative names). */
  ipAddresses?: string[];
  issuer?: IssuedCertificate;
  ca?: boolean;
  algorithm?: 'RSA' | 'EC';
  usages?: number;
  notBefore?: Date;
  notAfter?: Date;
}): Promise<IssuedCertificate> {
  const alg = algorithm === 'RSA' ? RSA : P256;
  const keys = (await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify'])) as CryptoKeyPair;
  const signer = issuer ?? { keys, subject };
  const extensions: x509.Extension[] = [];
  if (ca) extensions.push(new x509.BasicConstraintsExtension(true, undefined, true), new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true));
  else if (usages !== undefined) extensions.push(new x509.KeyUsagesExtension(usages, true));
  if (ipAddresses.length) extensions.push(new x509.SubjectAlternativeNameExtension(ipAddresses.map((value) => ({ type: 'ip' as const, value }))));
  const certificate = await x509.X509CertificateGenerator.create({
    serialNumber: Buffer.from(webcrypto.getRandomValues(new Uint8Array(8))).toString('hex').replace(/^[89a-f]/, '1'),
    subject,
    issuer: signer.subject,
    notBefore,
    notAfter,
    publicKey: keys.publicKey,
    signingKey: signer.keys.privateKey,
    signingAlgorithm: issuer ? (issuer.keys.privateKey.algorithm.name === 'ECDSA' ? P256 : RSA) : alg,
    extensions,
  });
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey)).toString('base64');
  return { certificate: certificate.toString('pem'), privateKey: pemBlock('PRIVATE KEY', pkcs8), keys, subject };
}

/** A certificate and key (and CA certificates) packed as PKCS#12 (base64) by OpenSSL, protected by `password`. */
export function packPkcs12(pair: { certificate: string; privateKey: string }, password: string, caCertificates = ''): string {
  const dir = mkdtempSync(join(tmpdir(), 'strongroom-p12-'));
  writeFileSync(join(dir, 'cert.pem'), `${pair.certificate.trim()}\n${caCertificates}`);
  writeFileSync(join(dir, 'key.pem'), pair.privateKey);
  execFileSync('openssl', ['pkcs12', '-export', '-in', join(dir, 'cert.pem'), '-inkey', join(dir, 'key.pem'), '-passout', `pass:${password}`, '-out', join(dir, 'bundle.p12')]);
  return readFileSync(join(dir, 'bundle.p12')).toString('base64');
}
