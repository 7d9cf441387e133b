import { randomBytes, X509Certificate } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { x509 } from '@/lib/server/certificates/x509';
import { setClock } from '@/lib/server/clock';
import { runConnectionTest } from '@/lib/server/connection-tests/run-connection-test';
import { createCredential } from '@/lib/server/credentials/create-credential';
import { promotePendingVersion } from '@/lib/server/credentials/promote-pending-version';
import { testPendingVersion } from '@/lib/server/credentials/test-pending-version';
import { renewKsefCertificate } from '@/lib/server/ksef/renew-certificate';
import { completeCsrEnrolment, startCsrEnrolment } from '@/lib/server/ksef/enrol-with-csr';
import { makeKeyring } from '@/lib/server/crypto/keyring';
import type { Database } from '@/lib/server/db/open-database';
import type { OutboundPolicy } from '@/lib/server/net/guarded-fetch';
import type { Services } from '@/lib/server/services';
import { issueCertificate } from '@/lib/server/test-support/certificates';
import { startFakeKsef } from '@/lib/server/test-support/fake-ksef';
import { openTestDatabase, testDatabaseKinds } from '@/lib/server/test-support/test-database';
import { getAccessToken } from '@/lib/server/tokens/get-access-token';
import { getTokenState } from '@/lib/server/tokens/get-token-state';
import { flightsSettled } from '@/lib/server/tokens/single-flight';
import { signAuthTokenRequest } from '@/lib/server/ksef/xades';
import { invalidateAccessToken } from '@/lib/server/tokens/token-grant';

const policy: OutboundPolicy = { allowLoopback: true, allowPrivate: false, timeoutMs: 2_000, maxBytes: 64 * 1024 };
const system = { type: 'SYSTEM' as const };
const NIP = '5265877635';
const OTHER_NIP = '7010002137';
const SIGN_IN = ['POST /auth/challenge', 'GET /security/public-key-certificates', 'POST /auth/ksef-token'];

describe.each(testDatabaseKinds())('KSeF token sources on %s', (kind) => {
  let db: Database;
  let services: Services;
  let organizationId: string;
  let legalEntityId: string;
  let ksef: Awaited<ReturnType<typeof startFakeKsef>>;
  // A fixed day before KSeF tokens end; time moves only when a test says so.
  const start = Date.parse('2026-12-03T09:00:00Z');
  let clock = start;
  let restoreClock = () => {};
  const at = (seconds: number) => void (clock = start + seconds * 1000);

  beforeAll(async () => {
    db = await openTestDatabase(kind);
    services = { prisma: db.prisma, keyring: makeKeyring(randomBytes(32)) };
    const organization = await db.prisma.organization.create({ data: { name: 'KSeF test', slug: `ksef-${randomBytes(4).toString('hex')}` } });
    organizationId = organization.id;
    legalEntityId = (await db.prisma.legalEntity.create({ data: { organizationId, name: 'Polska sp. z o.o.', taxId: NIP, country: 'PL' } })).id;
  });
  afterEach(async () => {
    await flightsSettled();
    restoreClock();
    await ksef?.close();
  });
  afterAll(async () => db.close());
  const begin = async (options: Parameters<typeof startFakeKsef>[0] = {}) => {
    clock = start;
    restoreClock = setClock(() => clock);
    ksef = await startFakeKsef(options);
  };

  const create = (profile: 'ksef-token' | 'ksef-certificate' | 'ksef-offline-certificate', values: Record<string, string>) =>
    createCredential(services, { actor: system, organizationId, input: { legalEntityId, profile, environment: 'SANDBOX', label: `${profile} ${randomBytes(4).toString('hex')}`, values } });
  const created = async (...args: Parameters<typeof create>) => {
    const result = await create(...args);
    if (!result.ok) throw new Error(JSON.stringify(result.error));
    return result.data.id;
  };
  const token = (credentialId: string) => getAccessToken(services, { credentialId, actor: system, policy });

  it('signs in with a KSeF token: challenge, the token encrypted with the token-encryption key, status until done, one redeem', async () => {
    await begin({ pendingPolls: 2 });
    const id = await created('ksef-token', { apiBaseUrl: ksef.url, nip: NIP, ksefToken: ksef.issueToken(NIP) });
    const results = await Promise.all(Array.from({ length: 20 }, () => token(id)));
    expect(results.every((r) => r.ok)).toBe(true);
    expect(new Set(results.map((r) => (r.ok ? r.data.accessToken : '')))).toHaveProperty('size', 1);
    // One sign-in for twenty callers; the operation's status polled until it left 100.
    expect(ksef.calls.filter((c) => !c.startsWith('GET /auth/'))).toEqual([...SIGN_IN, 'POST /auth/token/redeem']);
    expect(ksef.calls.filter((c) => c.startsWith('GET /auth/'))).toHaveLength(3);
    expect(ksef.accessTokens.has(results[0]!.ok ? results[0]!.data.accessToken : '')).toBe(true);
    // The token's hard end date, whatever the user typed.
    const stored = await db.prisma.credential.findUniqueOrThrow({ where: { id } });
    expect(stored.expiresAt?.toISOString()).toBe('2026-12-31T23:00:00.000Z');
  });

  it('refreshes with the refresh token before expiry, and signs in again once the refresh token lapsed', async () => {
    await begin({ accessSeconds: 900 });
    const id = await created('ksef-token', { apiBaseUrl: ksef.url, nip: NIP, ksefToken: ksef.issueToken(NIP) });
    const first = await token(id);
    expect(first.ok).toBe(true);
    const signIns = () => ksef.calls.filter((c) => c === 'POST /auth/ksef-token').length;
    // Past the refresh point but still valid: the token is served and one refresh runs behind it.
    at(800);
    expect(await token(id)).toMatchObject({ ok: true, data: { accessToken: first.ok ? first.data.accessToken : '' } });
    await flightsSettled();
    expect(ksef.calls.filter((c) => c === 'POST /auth/token/refresh')).toHaveLength(1);
    const refreshed = await token(id);
    expect(refreshed.ok && first.ok && refreshed.data.accessToken !== first.data.accessToken).toBe(true);
    expect(signIns()).toBe(1);
    // The refresh token lapses (KSeF: at most 7 days): the refused refresh falls back to a new sign-in.
    ksef.expireRefreshTokens();
    await invalidateAccessToken(services, id);
    expect(await token(id)).toMatchObject({ ok: true });
    expect(signIns()).toBe(2);
  });

  it('waits out a 429 with its Retry-After, serving nothing it does not have; a token for another NIP is refused for good', async () => {
    await begin();
    const id = await created('ksef-token', { apiBaseUrl: ksef.url, nip: NIP, ksefToken: ksef.issueToken(NIP) });
    ksef.faults.push({ path: '/auth/challenge', status: 429, retryAfter: '120' });
    expect(await token(id)).toMatchObject({ ok: false, error: { code: 'RATE_LIMITED' } });
    const state = await getTokenState(services, { organizationId, credentialId: id });
    expect(state?.nextAttemptAt && state.nextAttemptAt.getTime() - clock).toBeGreaterThanOrEqual(120_000);
    expect(await token(id)).toMatchObject({ ok: false, error: { code: 'RATE_LIMITED' } });
    expect(ksef.calls.filter((c) => c === 'POST /auth/challenge')).toHaveLength(1);
    at(121);
    expect(await token(id)).toMatchObject({ ok: true });

    // A token KSeF knows for another context: KSeF ends the operation with 450 and the credential needs a person.
    const foreign = ksef.issueToken(OTHER_NIP).replace(`|nip-${OTHER_NIP}|`, '|');
    const wrong = await created('ksef-token', { apiBaseUrl: ksef.url, nip: NIP, ksefToken: foreign });
    const refused = await token(wrong);
    expect(refused).toMatchObject({ ok: false, error: { code: 'INVALID_STATE' } });
    const row = await db.prisma.credential.findUniqueOrThrow({ where: { id: wrong } });
    expect(row.status).toBe('NEEDS_ATTENTION');
    expect(row.lastError).toContain('status 450');
    expect(JSON.stringify(refused)).not.toContain(foreign);
  });

  it('refuses at input a token issued for another NIP, and any KSeF token once they are withdrawn', async () => {
    await begin();
    const stored = () => db.prisma.credential.count({ where: { organizationId } });
    const before = await stored();
    const other = await create('ksef-token', { apiBaseUrl: ksef.url, nip: NIP, ksefToken: ksef.issueToken(OTHER_NIP) });
    expect(other).toMatchObject({ ok: false, error: { fieldErrors: { 'values.ksefToken': [expect.stringContaining(`issued for NIP ${OTHER_NIP}`)] } } });
    clock = Date.parse('2027-01-01T00:00:00Z');
    const late = await create('ksef-token', { apiBaseUrl: ksef.url, nip: NIP, ksefToken: ksef.issueToken(NIP) });
    expect(late).toMatchObject({ ok: false, error: { fieldErrors: { 'values.ksefToken': [expect.stringContaining('KSeF certificate')] } } });
    expect(await stored()).toBe(before);
  });

  it('signs in with a KSeF certificate through a XAdES-signed AuthTokenRequest that xml-crypto verifies', async () => {
    await begin();
    const certificate = await issueCertificate({ subject: `CN=Polska sp. z o.o., 2.5.4.97=VATPL-${NIP}, C=PL`, algorithm: 'RSA', usages: x509.KeyUsageFlags.digitalSignature });
    ksef.registerCertificate(certificate.certificate, NIP);
    const id = await created('ksef-certificate', { apiBaseUrl: ksef.url, nip: NIP, certificate: certificate.certificate, privateKey: certificate.privateKey });
    const result = await token(id);
    expect(result).toMatchObject({ ok: true });
    expect(ksef.calls.filter((c) => !c.startsWith('GET /auth/'))).toEqual(['POST /auth/challenge', 'POST /auth/xades-signature', 'POST /auth/token/redeem']);
    expect(await runConnectionTest(services, { organizationId, credentialId: id, trigger: 'USER', actor: system, policy })).toMatchObject({ ok: true, data: { outcome: 'SUCCESS' } });

    // The signature covers the document: the same request with another NIP is refused (460).
    const challenge = (await (await fetch(`${ksef.url}/auth/challenge`, { method: 'POST' })).json()) as { challenge: string };
    const signed = signAuthTokenRequest({ challenge: challenge.challenge, nip: NIP, certificate: certificate.certificate, privateKey: certificate.privateKey });
    const operation = (await (await fetch(`${ksef.url}/auth/xades-signature`, { method: 'POST', body: signed.replace(`<Nip>${NIP}</Nip>`, `<Nip>${OTHER_NIP}</Nip>`) })).json()) as {
      referenceNumber: string;
      authenticationToken: { token: string };
    };
    const status = async () => ((await (await fetch(`${ksef.url}/auth/${operation.referenceNumber}`, { headers: { authorization: `Bearer ${operation.authenticationToken.token}` } })).json()) as { status: { code: number } }).status.code;
    expect([await status(), await status()]).toEqual([100, 460]);

    // A certificate KSeF does not know for this NIP is refused (470), and the test says so.
    const stranger = await issueCertificate({ subject: 'CN=Stranger', algorithm: 'RSA', usages: x509.KeyUsageFlags.digitalSignature });
    const unknown = await created('ksef-certificate', { apiBaseUrl: ksef.url, nip: NIP, certificate: stranger.certificate, privateKey: stranger.privateKey });
    expect(await runConnectionTest(services, { organizationId, credentialId: unknown, trigger: 'USER', actor: system, policy })).toMatchObject({
      ok: true,
      data: { outcome: 'FAILURE', errorCode: 'ksef_status_470' },
    });
  });

  it('renews a KSeF certificate through KSeF: a new key and CSR in the enrolment data’s name, the result a pending version that signs in', async () => {
    await begin();
    const current = await issueCertificate({ subject: `CN=Polska sp. z o.o., O=Polska sp. z o.o., 2.5.4.97=VATPL-${NIP}, C=PL`, algorithm: 'RSA', usages: x509.KeyUsageFlags.digitalSignature });
    ksef.registerCertificate(current.certificate, NIP);
    const id = await created('ksef-certificate', { apiBaseUrl: ksef.url, nip: NIP, certificate: current.certificate, privateKey: current.privateKey });
    const version = (await db.prisma.credential.findUniqueOrThrow({ where: { id } })).version;
    const renewed = await renewKsefCertificate(services, { actor: system, organizationId, input: { credentialId: id, version }, policy });
    expect(renewed).toMatchObject({ ok: true, data: { message: expect.stringContaining('pending version') } });
    expect(ksef.calls.filter((c) => c.includes('/certificates/'))).toEqual([
      'GET /certificates/enrollments/data',
      'POST /certificates/enrollments',
      expect.stringMatching(/^GET \/certificates\/enrollments\//),
      expect.stringMatching(/^GET \/certificates\/enrollments\//),
      'POST /certificates/retrieve',
    ]);
    const issued = new X509Certificate(ksef.issued[0]!);
    const attributes = (subject: string) => subject.split('\n').sort();
    expect(attributes(issued.subject)).toEqual(attributes(new X509Certificate(current.certificate).subject));
    // The current certificate is still the one in use; the pending one signs in when tested.
    expect((await db.prisma.credential.findUniqueOrThrow({ where: { id } })).config).toMatchObject({ certificate: current.certificate });
    expect(await testPendingVersion(services, { organizationId, credentialId: id, actor: system, policy })).toMatchObject({ ok: true, data: { outcome: 'SUCCESS' } });
    const promoted = await promotePendingVersion(services, { actor: system, organizationId, input: { credentialId: id, version: (await db.prisma.credential.findUniqueOrThrow({ where: { id } })).version } });
    expect(promoted).toMatchObject({ ok: true });
    const after = await db.prisma.credential.findUniqueOrThrow({ where: { id } });
    expect(new X509Certificate((after.config as Record<string, string>).certificate!).fingerprint256).toBe(issued.fingerprint256);
    expect(after.expiresAt?.toISOString()).toBe(new Date(issued.validTo).toISOString());
    expect(await token(id)).toMatchObject({ ok: true });
    // The key was made here: it is in no answer and no clear column.
    expect(JSON.stringify([renewed, after])).not.toContain('PRIVATE KEY');
  });

  it('does not enrol on a session signed in with a KSeF token (KSeF wants a signature)', async () => {
    await begin();
    const current = await issueCertificate({ subject: 'CN=Unregistered', algorithm: 'RSA', usages: x509.KeyUsageFlags.digitalSignature });
    const id = await created('ksef-certificate', { apiBaseUrl: ksef.url, nip: NIP, certificate: current.certificate, privateKey: current.privateKey });
    const version = (await db.prisma.credential.findUniqueOrThrow({ where: { id } })).version;
    expect(await renewKsefCertificate(services, { actor: system, organizationId, input: { credentialId: id, version }, policy })).toMatchObject({
      ok: false,
      error: { message: expect.stringMatching(/status 470.*Nothing was stored/) },
    });
    expect(await db.prisma.secretVersion.count({ where: { credentialId: id, state: 'PENDING' } })).toBe(0);
  });

  it('enrols the first certificate with a CSR made here: the key waits sealed, the issued certificate is attached to it', async () => {
    await begin();
    const id = await created('ksef-certificate', { apiBaseUrl: ksef.url, nip: NIP });
    expect(await db.prisma.credential.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: 'DRAFT' });
    const version = () => db.prisma.credential.findUniqueOrThrow({ where: { id } }).then((c) => c.version);
    const subject = { commonName: 'Polska sp. z o.o.', organizationName: 'Polska sp. z o.o.', organizationIdentifier: `VATPL-${NIP}`, countryName: 'PL' };
    const started = await startCsrEnrolment(services, { actor: system, organizationId, input: { credentialId: id, version: await version(), subject } });
    expect(started).toMatchObject({ ok: true, data: { csr: expect.stringContaining('BEGIN CERTIFICATE REQUEST') } });
    const csr = new x509.Pkcs10CertificateRequest(started.ok ? started.data.csr : '');
    expect(await csr.verify()).toBe(true);
    expect(csr.subject).toContain(`2.5.4.97=VATPL-${NIP}`);

    // What KSeF's application would issue for that CSR (here: our test CA), and a certificate for another key.
    const ca = await issueCertificate({ subject: 'CN=KSeF test CA', ca: true });
    const issue = async (publicKey: CryptoKey) =>
      (
        await x509.X509CertificateGenerator.create({
          serialNumber: '0a1b2c',
          subject: csr.subject,
          issuer: ca.subject,
          notBefore: new Date(start - 60_000),
          notAfter: new Date(start + 730 * 86_400_000),
          publicKey,
          signingKey: ca.keys.privateKey,
          signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
          extensions: [new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true)],
        })
      ).toString('pem');
    const stranger = await issueCertificate({ subject: 'CN=Other key', usages: x509.KeyUsageFlags.digitalSignature });
    const wrong = await completeCsrEnrolment(services, { actor: system, organizationId, input: { credentialId: id, version: await version(), certificate: await issue(stranger.keys.publicKey) } });
    expect(wrong).toMatchObject({ ok: false, error: { fieldErrors: { certificate: [expect.stringContaining('not issued for the key Strongroom made')] } } });
    expect(await db.prisma.credential.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: 'DRAFT' });

    const certificate = await issue(await csr.publicKey.export());
    expect(await completeCsrEnrolment(services, { actor: system, organizationId, input: { credentialId: id, version: await version(), certificate } })).toMatchObject({ ok: true });
    const enrolled = await db.prisma.credential.findUniqueOrThrow({ where: { id } });
    expect(enrolled).toMatchObject({ status: 'ACTIVE', expiresAt: new Date(new X509Certificate(certificate).validTo) });
    expect((enrolled.config as Record<string, string>).certificate).toContain('BEGIN CERTIFICATE');
    expect((await db.prisma.sealedSecret.findMany({ where: { ownerId: id }, select: { field: true } })).map((s) => s.field)).toEqual(['privateKey']);
    // Registered with KSeF, it signs in.
    ksef.registerCertificate(certificate, NIP);
    expect(await token(id)).toMatchObject({ ok: true });
  });

  it('keeps the two KSeF certificate types apart', async () => {
    await begin();
    const offline = await issueCertificate({ subject: 'CN=Offline', algorithm: 'RSA', usages: x509.KeyUsageFlags.nonRepudiation });
    const auth = await issueCertificate({ subject: 'CN=Auth', algorithm: 'RSA', usages: x509.KeyUsageFlags.digitalSignature });
    expect(await create('ksef-certificate', { apiBaseUrl: ksef.url, nip: NIP, certificate: offline.certificate, privateKey: offline.privateKey })).toMatchObject({
      ok: false,
      error: { fieldErrors: { 'values.certificate': [expect.stringContaining('offline certificate (type 2)')] } },
    });
    expect(await create('ksef-offline-certificate', { nip: NIP, certificate: auth.certificate, privateKey: auth.privateKey })).toMatchObject({
      ok: false,
      error: { fieldErrors: { 'values.certificate': [expect.stringContaining('not a KSeF offline certificate')] } },
    });
    expect(await create('ksef-offline-certificate', { nip: NIP, certificate: offline.certificate, privateKey: offline.privateKey })).toMatchObject({ ok: true });
  });
});
