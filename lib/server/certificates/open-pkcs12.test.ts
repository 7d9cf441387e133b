import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { MAX_PKCS12_BYTES, openPkcs12, PKCS12_ITERATION_LIMITS } from '@/lib/server/certificates/open-pkcs12';
import { checkCertificateValues } from '@/lib/server/credentials/certificate-checks';
import { CertificateProblem } from '@/lib/server/credentials/inspect-certificate';
import { issueCertificate } from '@/lib/server/test-support/certificates';

/** A PKCS#12 file made by OpenSSL with `iterations` for its MAC, its certificates' and its key's encryption. */
function pkcs12With(pair: { certificate: string; privateKey: string }, iterations: number): Buffer {
  const dir = mkdtempSync(join(tmpdir(), 'strongroom-p12-work-'));
  writeFileSync(join(dir, 'cert.pem'), pair.certificate);
  writeFileSync(join(dir, 'key.pem'), pair.privateKey);
  execFileSync('openssl', ['pkcs12', '-export', '-in', join(dir, 'cert.pem'), '-inkey', join(dir, 'key.pem'), '-passout', 'pass:secret', '-iter', String(iterations), '-out', join(dir, 'bundle.p12')]);
  return readFileSync(join(dir, 'bundle.p12'));
}

describe('opening PKCS#12 files with bounded work, off the event loop', () => {
  let pair: { certificate: string; privateKey: string };
  beforeAll(async () => {
    pair = await issueCertificate({ subject: 'CN=Channel', algorithm: 'RSA' });
  });

  it('opens an ordinary file (2,048 iterations, as OpenSSL writes them)', async () => {
    const opened = await openPkcs12(pkcs12With(pair, 2048), 'secret');
    expect(opened).toMatchObject({ ok: true, contents: { certificates: [expect.any(Uint8Array)], privateKey: expect.any(Uint8Array) } });
  });

  it('refuses 400,000 iterations before deriving, with a message that says how to export it again', async () => {
    expect(await openPkcs12(pkcs12With(pair, 400_000), 'secret')).toEqual({ ok: false, reason: 'work' });
    const problem = await checkCertificateValues('certificate', { stored: {}, config: {}, secrets: { pkcs12: pkcs12With(pair, 400_000).toString('base64'), pkcs12Password: 'secret' } }).catch((error: unknown) => error);
    expect(problem).toBeInstanceOf(CertificateProblem);
    expect(problem).toMatchObject({ field: 'pkcs12', code: 'certificate_too_costly', message: expect.stringContaining('-iter 10000') });
  });

  it('refuses a file that declares millions of iterations (its counts rewritten), whatever its password', async () => {
    const file = pkcs12With(pair, 65_536);
    // 65,536 is encoded as INTEGER 01 00 00: three of them (MAC, certificates, key). Make them 8,388,607.
    const patched = Buffer.from(file.toString('hex').replaceAll('020301000' + '0', '02037fffff'), 'hex');
    expect(patched.equals(file)).toBe(false);
    expect(await openPkcs12(patched, 'secret')).toEqual({ ok: false, reason: 'work' });
    expect(await openPkcs12(patched, 'wrong')).toEqual({ ok: false, reason: 'work' });
  });

  it('keeps the event loop turning while a file opens', async () => {
    const file = pkcs12With(pair, PKCS12_ITERATION_LIMITS.each / 2);
    let settled = false;
    const opening = openPkcs12(file, 'secret').finally(() => (settled = true));
    let turns = 0;
    while (!settled && turns < 1_000_000) {
      await new Promise((resolve) => setImmediate(resolve));
      turns++;
    }
    expect(await opening).toMatchObject({ ok: true });
    // On the event loop, the derivation would have finished before the first turn.
    expect(turns).toBeGreaterThan(1);
  });

  it.each([
    ['over the size limit', Buffer.alloc(MAX_PKCS12_BYTES + 1, 0x30), 'too_large'],
    ['not DER at all', Buffer.from('not a pkcs12 file'), 'unreadable'],
    ['nested 20,000 deep', Buffer.from('3080'.repeat(20_000), 'hex'), 'unreadable'],
  ])('refuses a file %s without harm to the process', async (_case, file, reason) => {
    expect(await openPkcs12(file, 'secret')).toEqual({ ok: false, reason });
  });

  it('opens one file at a time and tells the ninth caller in a burst to come back, instead of queueing without end', async () => {
    const file = pkcs12With(pair, 2048);
    const results = await Promise.all(Array.from({ length: 12 }, () => openPkcs12(file, 'secret')));
    expect(results.filter((result) => result.ok)).toHaveLength(8);
    expect(results.filter((result) => !result.ok)).toEqual(Array.from({ length: 4 }, () => ({ ok: false, reason: 'busy' })));
    expect(await openPkcs12(file, 'secret')).toMatchObject({ ok: true });
  });

  it('keeps that bound for the whole process, across the copies of this module Next.js makes per bundle', async () => {
    const file = pkcs12With(pair, 2048);
    vi.resetModules();
    const another = (await import('@/lib/server/certificates/open-pkcs12')).openPkcs12;
    expect(another).not.toBe(openPkcs12); // a second copy, as a second bundle has
    const burst = [...Array.from({ length: 8 }, () => openPkcs12(file, 'secret')), another(file, 'secret')];
    const results = await Promise.all(burst);
    expect(results.slice(0, 8).every((result) => result.ok)).toBe(true);
    expect(results[8]).toEqual({ ok: false, reason: 'busy' });
  });
});

describe('other uploaded certificate material is bounded too', () => {
  const problem = (secrets: Record<string, string>, config: Record<string, string> = {}) =>
    checkCertificateValues('certificate', { stored: {}, config, secrets }).then(
      () => null,
      (error: unknown) => (error instanceof CertificateProblem ? { field: error.field, message: error.message } : error),
    );

  it('refuses an RSA key over 8192 bits and a DSA key, before any use of them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'strongroom-keys-'));
    execFileSync('openssl', ['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:8200', '-out', join(dir, 'big.pem')], { stdio: 'pipe' });
    execFileSync('openssl', ['req', '-x509', '-new', '-key', join(dir, 'big.pem'), '-subj', '/CN=Big', '-days', '30', '-out', join(dir, 'big.crt')], { stdio: 'pipe' });
    expect(await problem({ privateKey: readFileSync(join(dir, 'big.pem'), 'utf8') }, { certificate: readFileSync(join(dir, 'big.crt'), 'utf8') })).toEqual({
      field: 'privateKey',
      message: 'This RSA key has 8200 bits; Strongroom takes keys of up to 8192 bits',
    });
    execFileSync('openssl', ['genpkey', '-genparam', '-algorithm', 'DSA', '-pkeyopt', 'dsa_paramgen_bits:1024', '-out', join(dir, 'dsa-params.pem')], { stdio: 'pipe' });
    execFileSync('openssl', ['genpkey', '-paramfile', join(dir, 'dsa-params.pem'), '-out', join(dir, 'dsa.pem')], { stdio: 'pipe' });
    execFileSync('openssl', ['req', '-x509', '-new', '-key', join(dir, 'dsa.pem'), '-subj', '/CN=DSA', '-days', '30', '-out', join(dir, 'dsa.crt')], { stdio: 'pipe' });
    expect(await problem({ privateKey: readFileSync(join(dir, 'dsa.pem'), 'utf8') }, { certificate: readFileSync(join(dir, 'dsa.crt'), 'utf8') })).toMatchObject({ field: 'privateKey', message: expect.stringMatching(/DSA key, which no e-invoicing regime uses/) });
    // Making an 8,200-bit RSA key takes openssl anywhere from seconds to minutes (a prime search): the
    // time is the fixture's, not the check's.
  }, 300_000);

  it('refuses a certificate field or a CA field with more than ten certificates', async () => {
    const pair = await issueCertificate({ subject: 'CN=Leaf' });
    const many = Array.from({ length: 11 }, () => pair.certificate.trim()).join('\n');
    expect(await problem({ privateKey: pair.privateKey }, { certificate: many })).toEqual({ field: 'certificate', message: 'At most 10 certificates: the certificate and its chain' });
    expect(await problem({ privateKey: pair.privateKey }, { certificate: pair.certificate, caCertificates: many })).toEqual({ field: 'caCertificates', message: 'At most 10 CA certificates' });
  });
});
