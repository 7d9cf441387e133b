import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ZSignRequest, type TSignRequest } from '@/lib/schemas/signing';
import { x509 } from '@/lib/server/certificates/x509';
import { nowMs, setClock } from '@/lib/server/clock';
import { createCredential } from '@/lib/server/credentials/create-credential';
import { updateCredential } from '@/lib/server/credentials/update-credential';
import { makeKeyring } from '@/lib/server/crypto/keyring';
import type { Database } from '@/lib/server/db/open-database';
import { seedDemo } from '@/lib/server/seed/seed-demo';
import type { Services } from '@/lib/server/services';
import { forgetOpened, OPENED_MEMORY_MS } from '@/lib/server/credentials/opened-memory';
import { MAX_RSA_SIGNING_BITS, signDigest } from '@/lib/server/signing/sign-digest';
import { issueCertificate, makeCertificate, packPkcs12 } from '@/lib/server/test-support/certificates';
import { openTestDatabase, testDatabaseKinds } from '@/lib/server/test-support/test-database';

const NIP = '5265877635';
const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest();
const actor = { type: 'SERVICE_ACCOUNT' as const, id: 'signer', label: 'signer' };

/** Verifies with the OpenSSL command line: the message, the signature and the public key of the certificate. */
function opensslVerifies({ certificate, message, signature, digest = 'sha256', options = [] }: { certificate: string; message: Buffer | string; signature: Buffer; digest?: string; options?: string[] }): boolean {
  const dir = mkdtempSync(join(tmpdir(), 'strongroom-sign-'));
  writeFileSync(join(dir, 'cert.pem'), certificate);
  writeFileSync(join(dir, 'message'), message);
  writeFileSync(join(dir, 'signature'), signature);
  execFileSync('openssl', ['x509', '-in', join(dir, 'cert.pem'), '-pubkey', '-noout', '-out', join(dir, 'key.pem')]);
  try {
    execFileSync('openssl', ['dgst', `-${digest}`, ...options.flatMap((o) => ['-sigopt', o]), '-verify', join(dir, 'key.pem'), '-signature', join(dir, 'signature'), join(dir, 'message')], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
}

/** A P-384 key and self-signed certificate made by OpenSSL (issueCertificate makes RSA and P-256 only). */
function p384Certificate(): { certificate: string; privateKey: string } {
  const dir = mkdtempSync(join(tmpdir(), 'strongroom-p384-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:secp384r1', '-nodes', '-keyout', join(dir, 'key.pem'), '-subj', '/CN=P-384 signer', '-days', '30', '-out', join(dir, 'cert.pem')], { stdio: 'pipe' });
  return { certificate: readFileSync(join(dir, 'cert.pem'), 'utf8'), privateKey: readFileSync(join(dir, 'key.pem'), 'utf8') };
}

/** An RSA key just over the signing limit (4,160 bits: quicker to make than 8,192), self-signed by OpenSSL. */
const largeRsaCertificate = (() => {
  let made: { certificate: string; privateKey: string } | undefined;
  return () => {
    if (made) return made;
    const dir = mkdtempSync(join(tmpdir(), 'strongroom-rsa-'));
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:4160', '-nodes', '-keyout', join(dir, 'key.pem'), '-subj', '/CN=Large RSA signer', '-days', '30', '-out', join(dir, 'cert.pem')], { stdio: 'pipe' });
    return (made = { certificate: readFileSync(join(dir, 'cert.pem'), 'utf8'), privateKey: readFileSync(join(dir, 'key.pem'), 'utf8') });
  };
})();

describe('the signing request', () => {
  it('takes a digest of exactly the algorithm’s size in canonical base64, and one of the named algorithms', () => {
    const ok = (body: unknown) => ZSignRequest.safeParse(body).success;
    expect(ok({ digest: sha256('x').toString('base64'), algorithm: 'ES256' })).toBe(true);
    expect(ok({ digest: createHash('sha384').update('x').digest('base64'), algorithm: 'ES384' })).toBe(true);
    expect(ok({ digest: sha256('x').toString('base64'), algorithm: 'ES384' })).toBe(false); // 32 bytes for a 48-byte algorithm
    expect(ok({ digest: sha256('x').subarray(0, 31).toString('base64'), algorithm: 'RS256' })).toBe(false);
    expect(ok({ digest: sha256('x').toString('base64url'), algorithm: 'ES256' })).toBe(sha256('x').toString('base64url') === sha256('x').toString('base64').replace(/=+$/, ''));
    expect(ok({ digest: `${sha256('x').toString('base64')}\n`, algorithm: 'ES256' })).toBe(false);
    expect(ok({ digest: sha256('x').toString('hex'), algorithm: 'ES256' })).toBe(false);
    expect(ok({ digest: sha256('x').toString('base64'), algorithm: 'none' })).toBe(false);
    expect(ok({ digest: sha256('x').toString('base64'), algorithm: 'ES256', key: 'other' })).toBe(false);
    expect(ok({ algorithm: 'ES256' })).toBe(false);
  });
});

describe.each(testDatabaseKinds())('signing digests on %s', (kind) => {
  let db: Database;
  let services: Services;
  let organizationId: string;
  const entities: Record<string, string> = {};
  beforeAll(async () => {
    db = await openTestDatabase(kind);
    services = { prisma: db.prisma, keyring: makeKeyring(randomBytes(32)) };
    await seedDemo(db.prisma, { demoPassword: 'unused-here-123' });
    for (const entity of await db.prisma.legalEntity.findMany()) entities[entity.country] ??= entity.id;
    organizationId = (await db.prisma.legalEntity.findFirstOrThrow()).organizationId;
    forgetOpened();
  });
  afterAll(async () => {
    await db.close();
  });

  const create = async (profile: string, values: Record<string, string>, country = 'AE') => {
    const result = await createCredential(services, {
      actor: { type: 'SYSTEM' },
      organizationId,
      input: { legalEntityId: entities[country]!, profile: profile as never, environment: 'SANDBOX', label: `${profile} ${randomBytes(3).toString('hex')}`, values },
    });
    if (!result.ok) throw new Error(JSON.stringify(result.error));
    return { id: result.data.id, profile, version: result.data.version };
  };
  const sign = (credential: { id: string; profile: string; version: number }, request: TSignRequest) => signDigest(services, { actor, credential, request });
  const opens = (credentialId: string) => db.prisma.auditEvent.count({ where: { action: 'credential.open', targetId: credentialId, details: { path: ['purpose'], equals: 'sign' } } });

  it('stamps a ZATCA invoice hash with the EGS unit’s secp256k1 key, as OpenSSL verifies it (DER and r‖s)', async () => {
    const pair = makeCertificate({ subject: '/CN=EGS1/O=Strongroom Test/C=SA' });
    const egs = await create('zatca-csid', { apiBaseUrl: 'https://gw-fatoora.zatca.gov.sa/e-invoicing/simulation', vatNumber: '399999999900003', egsSerial: '1-SR|2-T|3-1', certificate: pair.certificate, privateKey: pair.privateKey, csidSecret: 'csid-secret-0123456789' }, 'SA');
    // ZATCA's stamp is ECDSA with SHA-256 over the invoice hash: the caller sends SHA-256 of the hash's 32 bytes.
    const invoiceHash = sha256('<Invoice>…canonical XML…</Invoice>');
    const signed = await sign(egs, { algorithm: 'ES256K', digest: sha256(invoiceHash).toString('base64') });
    if (!signed.ok) throw new Error(signed.error.message);
    expect(signed.data).toMatchObject({ algorithm: 'ES256K', version: 1 });
    expect(opensslVerifies({ certificate: signed.data.certificatePem, message: invoiceHash, signature: signed.data.signature })).toBe(true);
    expect(opensslVerifies({ certificate: signed.data.certificatePem, message: sha256('another invoice'), signature: signed.data.signature })).toBe(false);
    // r‖s is the DER's two integers, each 32 bytes.
    const der = signed.data.signature;
    const asn1 = execFileSync('openssl', ['asn1parse', '-inform', 'DER'], { input: der, encoding: 'utf8' });
    const [r, s] = [...asn1.matchAll(/INTEGER\s+:([0-9A-F]+)/g)].map((m) => m[1]!.padStart(64, '0'));
    expect(signed.data.p1363?.toString('hex').toUpperCase()).toBe(`${r}${s}`);
    expect(signed.data.certificatePem).toContain('BEGIN CERTIFICATE');
    expect(JSON.stringify(signed.data)).not.toContain(pair.privateKey.split('\n')[1]);

    // The profile allows ES256K only.
    expect(await sign(egs, { algorithm: 'ES256', digest: sha256('x').toString('base64') })).toMatchObject({ ok: false, error: { code: 'VALIDATION', message: expect.stringContaining('ES256K') } });
  });

  it('signs a KSeF offline QR code (KOD II) with RSA-PSS and with ECDSA P-256, as OpenSSL verifies them', async () => {
    const link = `qr-test.ksef.mf.gov.pl/certificate/Nip/${NIP}/${NIP}/01F20A5D352AE590/UtQp9Gpc51y-u3xApZjIjgkpZ01js-J8KflSPW8WzIE`;
    const usages = x509.KeyUsageFlags.nonRepudiation;
    const rsa = await issueCertificate({ subject: 'CN=Offline RSA', algorithm: 'RSA', usages });
    const ec = await issueCertificate({ subject: 'CN=Offline EC', algorithm: 'EC', usages });
    const rsaCredential = await create('ksef-offline-certificate', { nip: NIP, certificate: rsa.certificate, privateKey: rsa.privateKey });
    const ecCredential = await create('ksef-offline-certificate', { nip: NIP, certificate: ec.certificate, privateKey: ec.privateKey });

    const pss = await sign(rsaCredential, { algorithm: 'PS256', digest: sha256(link).toString('base64') });
    if (!pss.ok) throw new Error(pss.error.message);
    expect(pss.data.p1363).toBeNull();
    expect(opensslVerifies({ certificate: rsa.certificate, message: link, signature: pss.data.signature, options: ['rsa_padding_mode:pss', 'rsa_pss_saltlen:32', 'rsa_mgf1_md:sha256'] })).toBe(true);
    expect(opensslVerifies({ certificate: rsa.certificate, message: link, signature: pss.data.signature })).toBe(false); // not PKCS#1 v1.5
    // PSS is randomised: two signatures of one digest differ, and both verify.
    const again = await sign(rsaCredential, { algorithm: 'PS256', digest: sha256(link).toString('base64') });
    expect(again.ok && again.data.signature.equals(pss.data.signature)).toBe(false);

    const ecdsa = await sign(ecCredential, { algorithm: 'ES256', digest: sha256(link).toString('base64') });
    if (!ecdsa.ok) throw new Error(ecdsa.error.message);
    expect(opensslVerifies({ certificate: ec.certificate, message: link, signature: ecdsa.data.signature })).toBe(true);
    expect(ecdsa.data.p1363).toHaveLength(64);

    // The other's algorithm: the key is of another kind, said plainly.
    expect(await sign(ecCredential, { algorithm: 'PS256', digest: sha256(link).toString('base64') })).toMatchObject({ ok: false, error: { code: 'VALIDATION', message: 'PS256 needs an RSA key; this credential\'s key is EC (P-256).' } });
    expect(await sign(rsaCredential, { algorithm: 'ES256', digest: sha256(link).toString('base64') })).toMatchObject({ ok: false, error: { code: 'VALIDATION', message: expect.stringContaining('needs an EC key on P-256') } });
  });

  it('signs RS256 with a key from a PKCS#12 file, and ES384 with a P-384 key', async () => {
    const rsa = await issueCertificate({ subject: 'CN=Channel', algorithm: 'RSA' });
    const fromPkcs12 = await create('certificate', { pkcs12: packPkcs12(rsa, 'p12-password'), pkcs12Password: 'p12-password' });
    const message = 'SOAP SignedInfo, canonicalised';
    const signed = await sign(fromPkcs12, { algorithm: 'RS256', digest: sha256(message).toString('base64') });
    if (!signed.ok) throw new Error(signed.error.message);
    expect(opensslVerifies({ certificate: signed.data.certificatePem, message, signature: signed.data.signature })).toBe(true);

    const p384 = p384Certificate();
    const wide = await create('certificate', p384);
    const digest = createHash('sha384').update(message).digest();
    const es384 = await sign(wide, { algorithm: 'ES384', digest: digest.toString('base64') });
    if (!es384.ok) throw new Error(es384.error.message);
    expect(opensslVerifies({ certificate: p384.certificate, message, signature: es384.data.signature, digest: 'sha384' })).toBe(true);
    expect(es384.data.p1363).toHaveLength(96);
  });

  it('opens a key once per version and keeps it for a bounded time; a new secret version signs with the new key at once', async () => {
    const first = await issueCertificate({ subject: 'CN=Rotating', algorithm: 'EC' });
    const credential = await create('certificate', { certificate: first.certificate, privateKey: first.privateKey });
    const digest = sha256('invoice').toString('base64');
    for (let i = 0; i < 3; i++) expect((await sign(credential, { algorithm: 'ES256', digest })).ok).toBe(true);
    expect(await opens(credential.id)).toBe(1);

    const second = await issueCertificate({ subject: 'CN=Rotated', algorithm: 'EC' });
    const updated = await updateCredential(services, { actor: { type: 'SYSTEM' }, organizationId, input: { credentialId: credential.id, version: 1, label: 'rotated', values: { certificate: second.certificate, privateKey: second.privateKey } } });
    if (!updated.ok) throw new Error(updated.error.message);
    const afterChange = await sign({ ...credential, version: updated.data.version }, { algorithm: 'ES256', digest });
    if (!afterChange.ok) throw new Error(afterChange.error.message);
    expect(afterChange.data.version).toBe(2);
    expect(opensslVerifies({ certificate: second.certificate, message: 'invoice', signature: afterChange.data.signature })).toBe(true);
    expect(opensslVerifies({ certificate: first.certificate, message: 'invoice', signature: afterChange.data.signature })).toBe(false);
    expect(await opens(credential.id)).toBe(2);

    const later = nowMs() + OPENED_MEMORY_MS + 1;
    const restore = setClock(() => later);
    try {
      expect((await sign({ ...credential, version: 2 }, { algorithm: 'ES256', digest })).ok).toBe(true);
      expect(await opens(credential.id)).toBe(3);
    } finally {
      restore();
    }
  });

  it('refuses kinds that do not sign, and a unit with no key yet, opening nothing', async () => {
    const ksefAuthentication = await issueCertificate({ subject: 'CN=Auth', algorithm: 'EC', usages: x509.KeyUsageFlags.digitalSignature });
    const authentication = await create('ksef-certificate', { apiBaseUrl: 'https://api-test.ksef.mf.gov.pl/v2', nip: NIP, certificate: ksefAuthentication.certificate, privateKey: ksefAuthentication.privateKey });
    expect(await sign(authentication, { algorithm: 'ES256', digest: sha256('x').toString('base64') })).toMatchObject({ ok: false, error: { code: 'INVALID_STATE', message: expect.stringContaining('ask for an access token instead') } });
    const webhook = await create('webhook-secret', { signingSecret: 'a-signing-secret-0123456789' });
    expect(await sign(webhook, { algorithm: 'ES256', digest: sha256('x').toString('base64') })).toMatchObject({ ok: false, error: { code: 'INVALID_STATE' } });
    expect((await opens(authentication.id)) + (await opens(webhook.id))).toBe(0);

    // An RSA key larger than the API signs with: refused before any RSA operation, with the reason.
    const large = await create('certificate', largeRsaCertificate());
    const refused = await sign(large, { algorithm: 'PS256', digest: sha256('x').toString('base64') });
    expect(refused).toMatchObject({ ok: false, error: { code: 'VALIDATION', message: expect.stringContaining(`RSA key has 4160 bits; the signing API signs with RSA keys of up to ${MAX_RSA_SIGNING_BITS} bits`) } });

    const unit = await create('zatca-csid', { apiBaseUrl: 'https://gw-fatoora.zatca.gov.sa/e-invoicing/simulation', vatNumber: '399999999900003', egsSerial: '1-SR|2-T|3-2', commonName: 'EGS2', organizationName: 'Strongroom Test' }, 'SA');
    expect(await sign(unit, { algorithm: 'ES256K', digest: sha256('x').toString('base64') })).toMatchObject({ ok: false, error: { code: 'INVALID_STATE' } });
  });
});
