import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { certificateFacts, readPemCertificates } from '@/lib/server/certificates/x509';
import { setClock } from '@/lib/server/clock';
import { checkCertificateValues } from '@/lib/server/credentials/certificate-checks';
import { CertificateProblem } from '@/lib/server/credentials/inspect-certificate';
import { issueCertificate, packPkcs12 } from '@/lib/server/test-support/certificates';

/** The problem a check throws, as { field, code, message }, or null when it passes. */
async function problemOf(run: Promise<unknown>) {
  try {
    await run;
    return null;
  } catch (error) {
    if (error instanceof CertificateProblem) return { field: error.field, code: error.code, message: error.message };
    throw error;
  }
}

describe('certificate checks', () => {
  let restore = () => {};
  afterEach(() => restore());

  it('shows the facts an auditor compares: subject, issuer, serial, validity, SHA-256 as OpenSSL and node:crypto see them', async () => {
    const ca = await issueCertificate({ subject: 'CN=Test Root CA, O=Strongroom Test', ca: true });
    const leaf = await issueCertificate({ subject: 'CN=channel.example.it, O=Esempio S.p.A., C=IT', issuer: ca, algorithm: 'RSA' });
    const facts = certificateFacts(readPemCertificates(leaf.certificate)[0]!);
    const node = new X509Certificate(leaf.certificate);
    expect(facts.sha256).toBe(node.fingerprint256);
    expect(facts.serialNumber.toUpperCase()).toBe(node.serialNumber.toUpperCase());
    expect(facts).toMatchObject({ subject: 'CN=channel.example.it, O=Esempio S.p.A., C=IT', issuer: 'CN=Test Root CA, O=Strongroom Test', notAfter: new Date(node.validTo).toISOString() });
  });

  it('SDI: the channel certificate chains to the configured SdI CA, from PEM or PKCS#12; anything else is refused by name', async () => {
    const sdiCa = await issueCertificate({ subject: 'CN=SdI Test CA', ca: true, algorithm: 'RSA' });
    const otherCa = await issueCertificate({ subject: 'CN=Some Other CA', ca: true, algorithm: 'RSA' });
    const channel = await issueCertificate({ subject: 'CN=SDI-00001', issuer: sdiCa, algorithm: 'RSA' });
    const stranger = await issueCertificate({ subject: 'CN=SDI-00002', issuer: otherCa, algorithm: 'RSA' });
    const check = (config: Record<string, string>, secrets: Record<string, string>) => checkCertificateValues('sdi-channel-certificate', { stored: {}, config, secrets });

    const pem = await check({ certificate: channel.certificate, caCertificates: sdiCa.certificate }, { privateKey: channel.privateKey });
    expect(pem?.expiresAt.toISOString()).toBe(new Date(new X509Certificate(channel.certificate).validTo).toISOString());
    const fromFile = await check({ caCertificates: sdiCa.certificate }, { pkcs12: packPkcs12(channel, 'keystore-pass', sdiCa.certificate), pkcs12Password: 'keystore-pass' });
    // The certificate read from the file is kept beside it, in clear: it is public.
    expect(fromFile?.certificatePem).toContain('BEGIN CERTIFICATE');
    expect(new X509Certificate(fromFile!.certificatePem!).fingerprint256).toBe(new X509Certificate(channel.certificate).fingerprint256);

    expect(await problemOf(check({ certificate: stranger.certificate, caCertificates: sdiCa.certificate }, { privateKey: stranger.privateKey }))).toMatchObject({
      field: 'certificate',
      code: 'certificate_chain',
      message: 'This certificate does not chain to the configured CA “SdI Test CA” (it was issued by “Some Other CA”)',
    });
    expect(await problemOf(check({ certificate: channel.certificate, caCertificates: sdiCa.certificate }, { privateKey: stranger.privateKey }))).toMatchObject({
      field: 'privateKey',
      message: 'This private key does not belong to the certificate',
    });
    expect(await problemOf(check({ certificate: channel.certificate, caCertificates: sdiCa.certificate }, {}))).toMatchObject({ field: 'privateKey', message: expect.stringContaining('certificate without its key') });
    expect(await problemOf(check({ caCertificates: sdiCa.certificate }, { pkcs12: packPkcs12(channel, 'right'), pkcs12Password: 'wrong' }))).toMatchObject({
      field: 'pkcs12Password',
      message: 'Wrong password for this PKCS#12 file',
    });
    expect(await problemOf(check({ caCertificates: 'not a certificate' }, { pkcs12: packPkcs12(channel, 'right'), pkcs12Password: 'right' }))).toMatchObject({ field: 'caCertificates' });
  });

  it('PKCS#12: a file holding a certificate without its key is refused', async () => {
    const lonely = await issueCertificate({ subject: 'CN=No Key', algorithm: 'RSA' });
    const dir = mkdtempSync(join(tmpdir(), 'strongroom-nokey-'));
    writeFileSync(join(dir, 'cert.pem'), lonely.certificate);
    execFileSync('openssl', ['pkcs12', '-export', '-nokeys', '-in', join(dir, 'cert.pem'), '-passout', 'pass:pw', '-out', join(dir, 'bundle.p12')]);
    const pkcs12 = execFileSync('base64', ['-w0', join(dir, 'bundle.p12')], { encoding: 'utf8' });
    expect(await problemOf(checkCertificateValues('certificate', { stored: {}, config: {}, secrets: { pkcs12, pkcs12Password: 'pw' } }))).toMatchObject({
      field: 'pkcs12',
      message: 'The PKCS#12 file holds a certificate without its private key',
    });
  });

  it('Peppol: a certificate chaining to the G2 CA is dead after 1 April 2026 whatever its notAfter; before, it expires that day; G3 is named', async () => {
    const g2 = await issueCertificate({ subject: 'CN=PEPPOL ACCESS POINT TEST CA - G2, O=OpenPEPPOL AISBL', ca: true, algorithm: 'RSA' });
    const g3 = await issueCertificate({ subject: 'CN=PEPPOL ACCESS POINT TEST CA - G3, O=OpenPEPPOL AISBL', ca: true, algorithm: 'RSA' });
    const notAfter = new Date('2027-06-01T00:00:00Z');
    const oldAp = await issueCertificate({ subject: 'CN=POP000123, O=Example AP', issuer: g2, algorithm: 'RSA', notBefore: new Date('2025-06-01T00:00:00Z'), notAfter });
    const newAp = await issueCertificate({ subject: 'CN=POP000123, O=Example AP', issuer: g3, algorithm: 'RSA', notBefore: new Date('2026-02-25T00:00:00Z'), notAfter });
    const check = (ap: { certificate: string; privateKey: string }, ca: string) =>
      checkCertificateValues('peppol-ap-certificate', { stored: {}, config: { certificate: ap.certificate, caCertificates: ca, seatId: 'POP000123' }, secrets: { privateKey: ap.privateKey } });

    restore = setClock(() => Date.parse('2026-03-10T12:00:00Z'));
    expect(await check(oldAp, g2.certificate)).toMatchObject({ generation: 'G2', expiresAt: new Date('2026-04-01T00:00:00Z') });
    restore();
    restore = setClock(() => Date.parse('2026-12-03T12:00:00Z'));
    expect(await problemOf(check(oldAp, g2.certificate))).toMatchObject({ code: 'certificate_revoked', message: expect.stringContaining('revoked on 1 April 2026') });
    expect(await check(newAp, g3.certificate)).toMatchObject({ generation: 'G3', expiresAt: notAfter });
    expect(await problemOf(check(newAp, g2.certificate))).toMatchObject({ code: 'certificate_chain' });
  });
});
