import { randomBytes, randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { approveChangeRequest } from '@/lib/server/approvals/approve-change-request';
import { createLink } from '@/lib/server/auth/one-time-links';
import { hashPassword, NO_PASSWORD } from '@/lib/server/auth/password';
import { verifySignIn } from '@/lib/server/auth/verify-sign-in';
import { makeKeyring } from '@/lib/server/crypto/keyring';
import type { Database } from '@/lib/server/db/open-database';
import { readPendingEnrollment } from '@/lib/server/step-up/pending-enrollment';
import { startEnrollment } from '@/lib/server/step-up/start-enrollment';
import { changePassword } from '@/lib/server/users/change-password';
import { writeRoleChange } from '@/lib/server/users/change-role';
import { setUserActive } from '@/lib/server/users/set-user-active';
import { adminTwoFactor } from '@/lib/server/step-up/admin-two-factor';
import { changeTwoFactor } from '@/lib/server/step-up/change-two-factor';
import { hashRecoveryCode } from '@/lib/server/step-up/verify-second-factor';
import { issuePasswordReset } from '@/lib/server/users/issue-password-reset';
import { admitSsoUser } from '@/lib/server/sso/admit-sso-user';
import { preconfigureSso } from '@/lib/server/sso/preconfigure-sso';
import { backchannelLogout } from '@/lib/server/sso/backchannel-logout';
import { discoverProvider, loadSsoClient, saveSsoSettings, setBreakGlass, setSsoOnly } from '@/lib/server/sso/sso-connection';
import { json, listen, type TestServer } from '@/lib/server/test-support/test-servers';
import { openTestDatabase, testDatabaseKinds } from '@/lib/server/test-support/test-database';

// The provider runs on loopback; the outbound guard lets this process reach it.
process.env.OUTBOUND_ALLOW_LOOPBACK = 'true';

const keyring = makeKeyring(randomBytes(32));
const CLIENT_SECRET = `client-secret-${randomUUID()}`;
const request = { ip: '127.0.0.1', userAgent: 'vitest' };

/** A provider's discovery document and keys on loopback; `issuerNamed` lets it claim another issuer. */
async function startProvider() {
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
  const state = { issuerNamed: null as string | null, tokenEndpoint: null as string | null };
  let url = '';
  const server: TestServer = await listen((req, res) => {
    if (req.url === '/.well-known/openid-configuration') {
      return json(res, 200, { issuer: state.issuerNamed ?? url, authorization_endpoint: `${url}/auth`, token_endpoint: state.tokenEndpoint ?? `${url}/token`, jwks_uri: `${url}/jwks` });
    }
    if (req.url === '/jwks') return json(res, 200, { keys: [jwk] });
    json(res, 404, {});
  });
  url = server.url;
  return { ...server, privateKey, state };
}

describe.each(testDatabaseKinds())('single sign-on on %s', (kind) => {
  let db: Database;
  let provider: Awaited<ReturnType<typeof startProvider>>;
  let organizationId: string;
  let slug: string;
  let adminId: string;
  const services = () => ({ prisma: db.prisma, keyring });
  const admin = () => ({ type: 'USER' as const, id: adminId, label: 'admin' });

  beforeAll(async () => {
    db = await openTestDatabase(kind);
    provider = await startProvider();
    slug = `sso-${randomUUID().slice(0, 8)}`;
    organizationId = (await db.prisma.organization.create({ data: { name: 'Atlas', slug } })).id;
    adminId = (await db.prisma.user.create({ data: { organizationId, email: `admin@${slug}.example`, name: 'Ada', role: 'ADMIN', passwordHash: await hashPassword('admin-password-1'), totpEnabledAt: new Date(0) } })).id;
  });
  afterAll(async () => {
    await provider.close();
    await db.close();
  });

  const settings = (over: Record<string, string> = {}) => ({ issuer: provider.url, clientId: 'strongroom', clientSecret: CLIENT_SECRET, jitDomains: 'jit.example', groupsClaim: 'groups', groupRoles: 'ops = OPERATOR', ...over });

  it('refuses a provider whose discovery document names another issuer, or that does not answer; saves one that does, the secret sealed', async () => {
    provider.state.issuerNamed = 'https://login.evil.example';
    expect(await saveSsoSettings(services(), { actor: admin(), organizationId, input: settings() })).toMatchObject({ ok: false, error: { fieldErrors: { issuer: [expect.stringContaining('names another issuer')] } } });
    provider.state.issuerNamed = null;
    expect(await saveSsoSettings(services(), { actor: admin(), organizationId, input: settings({ issuer: `${provider.url}/nowhere` }) })).toMatchObject({ ok: false, error: { fieldErrors: { issuer: [expect.stringContaining('answered 404')] } } });
    expect(await saveSsoSettings(services(), { actor: admin(), organizationId, input: settings({ groupRoles: 'it = ADMIN' }) })).toMatchObject({ ok: false, error: { fieldErrors: { groupRoles: [expect.stringContaining('never makes an administrator')] } } });
    expect(await db.prisma.ssoConnection.findUnique({ where: { organizationId } })).toBeNull();

    expect(await saveSsoSettings(services(), { actor: admin(), organizationId, input: settings() })).toEqual({ ok: true, data: null });
    const sealed = await db.prisma.sealedSecret.findMany({ where: { ownerTable: 'SsoConnection', ownerId: organizationId } });
    expect(sealed.map((s) => s.field)).toEqual(['clientSecret']);
    expect(JSON.stringify(sealed)).not.toContain(CLIENT_SECRET);
    // A blank secret keeps the stored one.
    expect(await saveSsoSettings(services(), { actor: admin(), organizationId, input: settings({ clientSecret: '', jitDomains: 'jit.example\nother.example' }) })).toEqual({ ok: true, data: null });
    const client = await loadSsoClient(services(), { slug });
    expect(client).toMatchObject({ clientId: 'strongroom', clientSecret: CLIENT_SECRET, policy: { issuer: provider.url, jitDomains: ['jit.example', 'other.example'], groupRoles: [{ group: 'ops', role: 'OPERATOR' }] } });
    const audit = await db.prisma.auditEvent.findMany({ where: { organizationId, action: 'sso.configure' }, orderBy: { seq: 'asc' }, select: { outcome: true, details: true } });
    expect(audit.map((a) => a.outcome)).toEqual(['DENIED', 'DENIED', 'DENIED', 'SUCCESS', 'SUCCESS']);
    expect(JSON.stringify(audit)).not.toContain(CLIENT_SECRET);
  });

  it('refuses a discovery document that points the server’s own calls at an address the outbound guard refuses', async () => {
    for (const [endpoint, why] of [
      ['http://10.1.2.3/token', /10\.1\.2\.3 is .*private/],
      ['https://169.254.169.254/latest/meta-data', /169\.254\.169\.254 is /],
      ['https://[::ffff:a9fe:a9fe]/token', /refused/],
      ['http://token.example/token', /Only https URLs/],
    ] as const) {
      provider.state.tokenEndpoint = endpoint;
      await expect(discoverProvider(provider.url)).rejects.toThrow(why);
      await expect(discoverProvider(provider.url)).rejects.toThrow(/token_endpoint is refused/);
    }
    provider.state.tokenEndpoint = null;
    expect(await discoverProvider(provider.url)).toMatchObject({ issuer: provider.url, tokenEndpoint: `${provider.url}/token`, jwksUri: `${provider.url}/jwks` });
  });

  it('under four-eyes approval, with a second administrator, changing single sign-on is a request another administrator approves', async () => {
    const other = `sso4-${randomUUID().slice(0, 8)}`;
    const orgId = (await db.prisma.organization.create({ data: { name: 'Four eyes', slug: other } })).id;
    const [first, second] = await Promise.all(
      ['first', 'second'].map((name) => db.prisma.user.create({ data: { organizationId: orgId, email: `${name}@${other}.example`, name, role: 'ADMIN', passwordHash: 'x' } })),
    );
    const actor = (id: string) => ({ type: 'USER' as const, id, label: id === first!.id ? 'first' : 'second' });
    expect(await saveSsoSettings(services(), { actor: actor(first!.id), organizationId: orgId, input: settings() })).toMatchObject({ ok: true, data: { requested: true, approvers: 1 } });
    expect(await db.prisma.ssoConnection.findUnique({ where: { organizationId: orgId } })).toBeNull();
    expect(await loadSsoClient(services(), { slug: other })).toBeNull();
    const request = await db.prisma.changeRequest.findFirstOrThrow({ where: { organizationId: orgId, kind: 'SSO_CONNECTION', status: 'PENDING' } });
    expect(JSON.stringify(request)).not.toContain(CLIENT_SECRET);
    expect(await approveChangeRequest(services(), { actor: actor(first!.id), organizationId: orgId, input: { requestId: request.id } })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(await approveChangeRequest(services(), { actor: actor(second!.id), organizationId: orgId, input: { requestId: request.id } })).toEqual({ ok: true, data: { credentialId: null } });
    expect(await loadSsoClient(services(), { slug: other })).toMatchObject({ clientId: 'strongroom', clientSecret: CLIENT_SECRET, policy: { issuer: provider.url } });
    const [event] = await db.prisma.auditEvent.findMany({ where: { organizationId: orgId, action: 'sso.configure', outcome: 'SUCCESS' }, select: { actorId: true, details: true } });
    expect(event).toMatchObject({ actorId: second!.id, details: { changeRequest: request.id, requestedBy: 'first', issuer: provider.url } });
  });

  it('lets in a matched account, an invited address with its role and a listed domain as a viewer; refuses the rest and audits each', async () => {
    const client = (await loadSsoClient(services(), { slug }))!;
    const claims = (email: string, extra: Record<string, unknown> = {}) => ({ iss: provider.url, sub: `sub-${email}`, email, email_verified: true, name: email, ...extra });
    const viewer = await db.prisma.user.create({ data: { organizationId, email: `viewer@${slug}.example`, name: 'Vi', role: 'VIEWER', passwordHash: 'x' } });
    const matched = await admitSsoUser(db.prisma, { policy: client.policy, claims: claims(viewer.email, { groups: ['ops'], sid: 'sid-1' }), request });
    expect(matched).toMatchObject({ ok: true, user: { id: viewer.id, role: 'OPERATOR' }, subject: `sub-${viewer.email}`, sid: 'sid-1' });
    expect(await db.prisma.user.findUniqueOrThrow({ where: { id: viewer.id }, select: { role: true, ssoSubject: true } })).toEqual({ role: 'OPERATOR', ssoSubject: `sub-${viewer.email}` });
    // Someone new given the same address at the provider is not the same person.
    expect(await admitSsoUser(db.prisma, { policy: client.policy, claims: claims(viewer.email, { sub: 'someone-else' }), request })).toEqual({ ok: false, reason: 'subject_changed' });

    await createLink(db.prisma, { purpose: 'INVITE', organizationId, email: 'invited@far.example', role: 'AUDITOR', createdById: adminId });
    expect(await admitSsoUser(db.prisma, { policy: client.policy, claims: claims('invited@far.example'), request })).toMatchObject({ ok: true, user: { role: 'AUDITOR' } });
    expect(await db.prisma.oneTimeLink.count({ where: { email: 'invited@far.example', usedAt: null } })).toBe(0);

    expect(await admitSsoUser(db.prisma, { policy: client.policy, claims: claims('new@jit.example'), request })).toMatchObject({ ok: true, user: { role: 'VIEWER' } });
    const jit = await db.prisma.user.findUniqueOrThrow({ where: { email: 'new@jit.example' } });
    // No password opens an account made through the provider.
    expect(await verifySignIn(db.prisma, { email: 'new@jit.example', password: '!sso', ip: '127.0.0.9', userAgent: null })).toEqual({ ok: false, reason: 'invalid' });

    await db.prisma.user.update({ where: { id: jit.id }, data: { disabledAt: new Date() } });
    expect(await admitSsoUser(db.prisma, { policy: client.policy, claims: claims('new@jit.example'), request })).toEqual({ ok: false, reason: 'disabled' });
    expect(await admitSsoUser(db.prisma, { policy: client.policy, claims: claims('eve@evil.example'), request })).toEqual({ ok: false, reason: 'no_account' });
    expect(await admitSsoUser(db.prisma, { policy: client.policy, claims: claims('x@jit.example', { email_verified: false }), request })).toEqual({ ok: false, reason: 'unverified_email' });
    expect(await db.prisma.user.count({ where: { email: { in: ['eve@evil.example', 'x@jit.example'] } } })).toBe(0);

    const events = await db.prisma.auditEvent.findMany({ where: { organizationId, action: 'auth.sign_in' }, orderBy: { seq: 'asc' }, select: { outcome: true, details: true } });
    expect(events.map((e) => [e.outcome, (e.details as { reason?: string }).reason ?? null])).toEqual([
      ['SUCCESS', null],
      ['DENIED', 'subject_changed'],
      ['SUCCESS', null],
      ['SUCCESS', null],
      ['DENIED', 'wrong_password'],
      ['DENIED', 'disabled'],
      ['DENIED', 'no_account'],
      ['DENIED', 'unverified_email'],
    ]);
  });

  it('refuses an address of another organization as if it had no account (that organization sees the attempt), and an invitation from someone no longer an administrator', async () => {
    const client = (await loadSsoClient(services(), { slug }))!;
    const claims = (email: string) => ({ iss: provider.url, sub: `sub-${email}`, email, email_verified: true, name: email });
    const elsewhere = (await db.prisma.organization.create({ data: { name: 'Elsewhere', slug: `else-${randomUUID().slice(0, 8)}` } })).id;
    const stranger = await db.prisma.user.create({ data: { organizationId: elsewhere, email: `cfo@${slug}-else.example`, name: 'Cy', role: 'ADMIN', passwordHash: 'x' } });
    expect(await admitSsoUser(db.prisma, { policy: client.policy, claims: claims(stranger.email), request })).toEqual({ ok: false, reason: 'no_account' });
    const here = await db.prisma.auditEvent.findFirstOrThrow({ where: { organizationId, action: 'auth.sign_in' }, orderBy: { seq: 'desc' } });
    expect(here).toMatchObject({ outcome: 'DENIED', targetId: null, details: { reason: 'no_account' } });
    const there = await db.prisma.auditEvent.findFirstOrThrow({ where: { organizationId: elsewhere, action: 'auth.sign_in' }, orderBy: { seq: 'desc' } });
    expect(there).toMatchObject({ outcome: 'DENIED', targetId: stranger.id, details: { reason: 'other_organization', issuer: provider.url } });

    const former = await db.prisma.user.create({ data: { organizationId, email: `former@${slug}.example`, name: 'Fo', role: 'ADMIN', passwordHash: 'x' } });
    await createLink(db.prisma, { purpose: 'INVITE', organizationId, email: 'late@far.example', role: 'ADMIN', createdById: former.id });
    await db.prisma.user.update({ where: { id: former.id }, data: { role: 'VIEWER' } });
    expect(await admitSsoUser(db.prisma, { policy: client.policy, claims: claims('late@far.example'), request })).toEqual({ ok: false, reason: 'no_account' });
    expect(await db.prisma.user.count({ where: { email: 'late@far.example' } })).toBe(0);
    expect(await db.prisma.oneTimeLink.findFirstOrThrow({ where: { email: 'late@far.example' } })).toMatchObject({ usedAt: null, cancelledAt: expect.any(Date) });
  });

  it('an account of the provider sets up two-factor within minutes of a provider sign-in instead of a password, and never gets a password', async () => {
    const joined = await db.prisma.user.create({ data: { organizationId, email: `joined@${slug}.example`, name: 'Jo', role: 'ADMIN', passwordHash: NO_PASSWORD, ssoSubject: 'sub-jo' } });
    const actor = { type: 'USER' as const, id: joined.id, label: joined.email, ip: '127.0.0.1' };
    const session = async (ssoSubject: string | null, minutesAgo: number) =>
      (await db.prisma.session.create({ data: { id: randomUUID(), userId: joined.id, ssoSubject, createdAt: new Date(Date.now() - minutesAgo * 60_000), expiresAt: new Date(Date.now() + 3_600_000) } })).id;
    const start = (sessionId: string) => startEnrollment(services(), { user: { ...joined, sessionId }, password: '', actor });
    const refused = { ok: false, error: { fieldErrors: { password: [expect.stringMatching(/sign in through the provider again/)] } } };
    expect(await start(await session('sub-jo', 11))).toMatchObject(refused);
    expect(await start(await session(null, 1))).toMatchObject(refused);
    expect(await readPendingEnrollment(services(), { user: joined })).toBeNull();
    expect(await start(await session('sub-jo', 2))).toEqual({ ok: true, data: null });
    expect(await readPendingEnrollment(services(), { user: joined })).not.toBeNull();
    // A fresh provider sign-in does not let anyone set a password on such an account.
    const fresh = await session('sub-jo', 0);
    expect(await changePassword(services(), { user: { ...joined, sessionId: fresh }, currentPassword: '', password: 'a-brand-new-password', actor })).toMatchObject({ ok: false });
    // Nor an administrator's reset link, while the provider is set up.
    expect(await issuePasswordReset(services(), { actor: admin(), organizationId, userId: joined.id, baseUrl: 'http://localhost', mailer: null })).toMatchObject({
      ok: false,
      error: { message: expect.stringMatching(/signs in through your identity provider/) },
    });
    expect((await db.prisma.user.findUniqueOrThrow({ where: { id: joined.id } })).passwordHash).toBe(NO_PASSWORD);
    const reasons = await db.prisma.auditEvent.findMany({ where: { actorId: joined.id, outcome: 'DENIED' }, orderBy: { seq: 'asc' }, select: { details: true } });
    expect(reasons.map((event) => (event.details as { reason: string }).reason)).toEqual(['provider_sign_in_not_recent', 'provider_sign_in_not_recent', 'no_password']);
  });

  it('a scripted install gets single sign-on from SSO_* at start, once; afterwards the page decides', async () => {
    const fresh = `env-${randomUUID().slice(0, 8)}`;
    const config = { SSO_ORGANIZATION: fresh, SSO_ISSUER: provider.url, SSO_CLIENT_ID: 'scripted', SSO_CLIENT_SECRET: 'scripted-secret-0123456789', SSO_JIT_DOMAINS: 'scripted.example' };
    expect(await preconfigureSso(services(), {})).toBeNull();
    expect(await preconfigureSso(services(), config)).toBe('no_organization');
    const { id } = await db.prisma.organization.create({ data: { name: 'Scripted', slug: fresh } });
    const closed = await listen(() => undefined);
    await closed.close();
    expect(await preconfigureSso(services(), { ...config, SSO_ISSUER: closed.url })).toBe('unreachable');
    expect(await db.prisma.ssoConnection.count({ where: { organizationId: id } })).toBe(0);

    expect(await preconfigureSso(services(), config)).toBe('applied');
    expect(await db.prisma.ssoConnection.findUniqueOrThrow({ where: { organizationId: id } })).toMatchObject({ issuer: provider.url, clientId: 'scripted', jitDomains: ['scripted.example'] });
    expect((await loadSsoClient(services(), { slug: fresh }))!.clientSecret).toBe('scripted-secret-0123456789');
    expect(await db.prisma.auditEvent.findFirstOrThrow({ where: { organizationId: id, action: 'sso.configure' } })).toMatchObject({ actorType: 'SYSTEM', actorLabel: 'environment (SSO_*)' });
    // Changed on the page later: a restart with the same SSO_* keeps the page's choice.
    await db.prisma.ssoConnection.update({ where: { organizationId: id }, data: { clientId: 'changed-on-the-page' } });
    expect(await preconfigureSso(services(), config)).toBe('kept');
    expect((await db.prisma.ssoConnection.findUniqueOrThrow({ where: { organizationId: id } })).clientId).toBe('changed-on-the-page');
  });

  describe('back-channel logout', () => {
    const logoutToken = (claims: Record<string, unknown>, { key = provider.privateKey, age = 0 }: { key?: CryptoKey; age?: number } = {}) =>
      new SignJWT({ events: { 'http://schemas.openid.net/event/backchannel-logout': {} }, ...claims })
        .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
        .setIssuer(provider.url)
        .setAudience('strongroom')
        .setIssuedAt(Math.floor(Date.now() / 1000) - age)
        .setJti(randomUUID())
        .sign(key);

    it('ends the sessions of the provider session it names, with their step-up grants, and no other', async () => {
      const user = await db.prisma.user.create({ data: { organizationId, email: `bc-${randomUUID()}@${slug}.example`, name: 'B', role: 'VIEWER', passwordHash: 'x' } });
      const expiresAt = new Date(Date.now() + 3_600_000);
      await db.prisma.session.createMany({
        data: [
          { id: `s1-${user.id}`, userId: user.id, expiresAt, ssoSubject: 'sub-b', ssoSid: 'sid-b1' },
          { id: `s2-${user.id}`, userId: user.id, expiresAt, ssoSubject: 'sub-b', ssoSid: 'sid-b2' },
        ],
      });
      await db.prisma.stepUpGrant.create({ data: { userId: user.id, sessionId: `s1-${user.id}`, purpose: 'credentials', expiresAt } });

      expect(await backchannelLogout(services(), { slug, logoutToken: await logoutToken({ sid: 'sid-b1' }) })).toEqual({ ok: true, data: { ended: 1 } });
      const sessions = await db.prisma.session.findMany({ where: { userId: user.id }, orderBy: { id: 'asc' }, select: { id: true, endedAt: true } });
      expect(sessions.map((s) => [s.id.slice(0, 2), s.endedAt !== null])).toEqual([
        ['s1', true],
        ['s2', false],
      ]);
      expect(await db.prisma.stepUpGrant.count({ where: { sessionId: `s1-${user.id}` } })).toBe(0);
      // By subject: every session of it. An unknown session is answered, ending nothing.
      expect(await backchannelLogout(services(), { slug, logoutToken: await logoutToken({ sub: 'sub-b' }) })).toEqual({ ok: true, data: { ended: 1 } });
      expect(await backchannelLogout(services(), { slug, logoutToken: await logoutToken({ sid: 'never-seen' }) })).toEqual({ ok: true, data: { ended: 0 } });
    });

    it('refuses a token without the event, with a nonce, naming nobody, for another audience, too old, signed by another key, or not a token', async () => {
      const other = await generateKeyPair('RS256');
      const refused = [
        await new SignJWT({ sid: 'x' }).setProtectedHeader({ alg: 'RS256', kid: 'k1' }).setIssuer(provider.url).setAudience('strongroom').setIssuedAt().setJti('j').sign(provider.privateKey),
        await logoutToken({ sid: 'x', nonce: 'n' }),
        await logoutToken({}),
        await new SignJWT({ sid: 'x', events: { 'http://schemas.openid.net/event/backchannel-logout': {} } }).setProtectedHeader({ alg: 'RS256', kid: 'k1' }).setIssuer(provider.url).setAudience('someone-else').setIssuedAt().setJti('j').sign(provider.privateKey),
        await logoutToken({ sid: 'x' }, { age: 600 }),
        await logoutToken({ sid: 'x' }, { key: other.privateKey }),
        'not-a-jwt',
        undefined,
      ];
      for (const token of refused) {
        const result = await backchannelLogout(services(), { slug, logoutToken: token });
        expect(result, String(token)).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
      }
      const denied = await db.prisma.auditEvent.findMany({ where: { organizationId, action: 'auth.backchannel_logout', outcome: 'DENIED' }, orderBy: { seq: 'asc' }, select: { details: true } });
      expect(denied.map((d) => (d.details as { reason: string }).reason)).toEqual([
        'The logout token has no back-channel logout event.',
        'A logout token carries no nonce.',
        'The logout token names neither a subject nor a session.',
        expect.stringContaining('aud'),
        expect.stringMatching(/expired|iat/),
        'The logout token is not signed by one of the provider’s keys.',
        expect.stringContaining('could not be verified'),
        'The request has no logout_token.',
      ]);
      expect(await backchannelLogout(services(), { slug: 'no-such-organization', logoutToken: refused[1] })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    });
  });

  it('SSO only needs a break-glass administrator; then refuses the right password to everyone else, and the last break-glass cannot be unmarked', async () => {
    expect(await setSsoOnly(services(), { actor: admin(), organizationId, input: { ssoOnly: true } })).toMatchObject({ ok: false, error: { code: 'INVALID_STATE' } });
    expect(await setBreakGlass(services(), { actor: admin(), organizationId, input: { userId: adminId, breakGlass: true } })).toEqual({ ok: true, data: null });
    expect(await setSsoOnly(services(), { actor: admin(), organizationId, input: { ssoOnly: true } })).toEqual({ ok: true, data: null });
    expect(await setBreakGlass(services(), { actor: admin(), organizationId, input: { userId: adminId, breakGlass: false } })).toMatchObject({ ok: false, error: { code: 'INVALID_STATE', message: expect.stringContaining('last break-glass') } });

    const operator = await db.prisma.user.create({ data: { organizationId, email: `op@${slug}.example`, name: 'Op', role: 'OPERATOR', passwordHash: await hashPassword('operator-password-1') } });
    expect(await verifySignIn(db.prisma, { email: operator.email, password: 'operator-password-1', ip: '127.0.0.2', userAgent: null })).toEqual({ ok: false, reason: 'sso_only' });
    // A wrong password is refused as before, saying nothing about single sign-on.
    expect(await verifySignIn(db.prisma, { email: operator.email, password: 'wrong-password-1', ip: '127.0.0.2', userAgent: null })).toEqual({ ok: false, reason: 'invalid' });
    expect(await verifySignIn(db.prisma, { email: `admin@${slug}.example`, password: 'admin-password-1', ip: '127.0.0.2', userAgent: null })).toMatchObject({ ok: true });

    expect(await setSsoOnly(services(), { actor: admin(), organizationId, input: { ssoOnly: false } })).toEqual({ ok: true, data: null });
    expect(await verifySignIn(db.prisma, { email: operator.email, password: 'operator-password-1', ip: '127.0.0.2', userAgent: null })).toMatchObject({ ok: true });
  });

  it('while SSO only, the last break-glass administrator cannot be deactivated, demoted or lose two-factor, by anyone', async () => {
    const keeper = await db.prisma.user.create({ data: { organizationId, email: `keeper@${slug}.example`, name: 'Kee', role: 'ADMIN', passwordHash: 'x', totpEnabledAt: new Date(0) } });
    const byKeeper = { type: 'USER' as const, id: keeper.id, label: keeper.email };
    expect(await setSsoOnly(services(), { actor: admin(), organizationId, input: { ssoOnly: true } })).toEqual({ ok: true, data: null });
    const lastBreakGlass = { ok: false, error: { message: expect.stringContaining('last break-glass administrator while sign-in is SSO only') } };
    expect(await setUserActive(services(), { actor: byKeeper, organizationId, userId: adminId, active: false })).toMatchObject(lastBreakGlass);
    expect(await db.prisma.$transaction((tx) => writeRoleChange(tx, { actor: byKeeper, organizationId, userId: adminId, role: 'OPERATOR' }))).toMatchObject({ message: expect.stringContaining('last break-glass') });
    expect(await adminTwoFactor(services(), { actor: byKeeper, organizationId, userId: adminId, act: 'reset' })).toMatchObject(lastBreakGlass);
    await db.prisma.recoveryCode.create({ data: { userId: adminId, codeHash: hashRecoveryCode('abcdefghij') } });
    const self = { id: adminId, organizationId, email: `admin@${slug}.example` };
    expect(await changeTwoFactor(services(), { user: self, password: 'admin-password-1', code: 'abcdefghij', actor: admin(), then: 'remove' })).toMatchObject(lastBreakGlass);
    expect(await db.prisma.recoveryCode.count({ where: { userId: adminId, usedAt: null } })).toBe(1); // not spent on a refusal
    expect(await db.prisma.user.findUniqueOrThrow({ where: { id: adminId } })).toMatchObject({ role: 'ADMIN', disabledAt: null, breakGlass: true, totpEnabledAt: new Date(0) });

    // With a second break-glass administrator, each of these is allowed again.
    expect(await setBreakGlass(services(), { actor: admin(), organizationId, input: { userId: keeper.id, breakGlass: true } })).toEqual({ ok: true, data: null });
    expect(await setUserActive(services(), { actor: byKeeper, organizationId, userId: adminId, active: false })).toEqual({ ok: true, data: null });
    await db.prisma.user.update({ where: { id: adminId }, data: { disabledAt: null } });
    expect(await setSsoOnly(services(), { actor: admin(), organizationId, input: { ssoOnly: false } })).toEqual({ ok: true, data: null });
  });
});
