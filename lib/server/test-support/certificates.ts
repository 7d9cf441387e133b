import 'server-only';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import forge from 'node-forge';

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
export function makePkcs12(pair: TestCertificate, password: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'strongroom-p12-'));
  writeFileSync(join(dir, 'cert.pem'), pair.certificate);
  writeFileSync(join(dir, 'key.pem'), pair.privateKey);
  execFileSync('openssl', ['pkcs12', '-export', '-in', join(dir, 'cert.pem'), '-inkey', join(dir, 'key.pem'), '-passout', `pass:${password}`, '-out', join(dir, 'bundle.p12')]);
  return readFileSync(join(dir, 'bundle.p12')).toString('base64');
}

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
