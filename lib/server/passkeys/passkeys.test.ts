import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Actor } from '@/lib/server/audit/append-audit-event';
import { makeKeyring } from '@/lib/server/crypto/keyring';
import type { Database } from '@/lib/server/db/open-database';
import { relyingParty } from '@/lib/server/passkeys/challenges';
import { grantStepUpWithPasskey, passkeyStepUpOptions } from '@/lib/server/passkeys/passkey-step-up';
import { passkeyRegistrationOptions, registerPasskey, removePasskey, setPasskeysForAdmins } from '@/lib/server/passkeys/passkeys';
import { seedDemo } from '@/lib/server/seed/seed-demo';
import type { Services } from '@/lib/server/services';
import { adminTwoFactor } from '@/lib/server/step-up/admin-two-factor';
import { changeTwoFactor } from '@/lib/server/step-up/change-two-factor';
import { grantStepUp, hasStepUpGrant, recordGrant } from '@/lib/server/step-up/grant-step-up';
import { hashRecoveryCode } from '@/lib/server/step-up/verify-second-factor';
import { softAuthenticator } from '@/lib/server/test-support/soft-authenticator';
import { openTestDatabase, testDatabaseKinds } from '@/lib/server/test-support/test-database';

const PASSWORD = 'passkey-test-password';

describe.each(testDatabaseKinds())('passkeys on %s', (kind) => {
  let db: Database;
  let services: Services;
  type Person = { id: string; email: string; name: string; organizationId: string; sessionId: string; totpEnabled: boolean; actor: Actor };
  let admin: Person;
  let approver: Person;
  let operator: Person;
  const rp = relyingParty();
  const here = { origin: rp.origin, rpID: rp.rpID };

  const person = async (email: string): Promise<Person> => {
    const row = await db.prisma.user.update({ where: { email }, data: { totpEnabledAt: new Date() }, select: { id: true, email: true, name: true, organizationId: true } });
    return { ...row, sessionId: randomUUID(), totpEnabled: true, actor: { type: 'USER', id: row.id, label: row.email, ip: '192.0.2.7', userAgent: 'vitest' } };
  };
  const openPasskeys = (who: Person) => recordGrant(db.prisma, { userId: who.id, sessionId: who.sessionId, purpose: 'passkeys', now: Date.now(), ttlSeconds: 300 });
  /** Registers a new soft authenticator's passkey for `who` through the library, as the Security page does. */
  const enrol = async (who: Person, name = 'Laptop') => {
    await openPasskeys(who);
    const authenticator = softAuthenticator();
    const options = await passkeyRegistrationOptions(services, { user: who, actor: who.actor });
    if (!options.ok) throw new Error(options.error.message);
    const registered = await registerPasskey(services, { user: who, actor: who.actor, input: { name, response: authenticator.register(options.data, here) } });
    expect(registered).toMatchObject({ ok: true });
    return authenticator;
  };
  const confirm = (who: Person, purpose: 'credentials' | 'users' | 'passkeys', response: unknown, now?: number) =>
    grantStepUpWithPasskey(services, { user: who, sessionId: who.sessionId, purpose, response, actor: who.actor, ...(now ? { now } : {}) });
  const challengeFor = async (who: Person, purpose: 'credentials' | 'users' | 'passkeys' = 'credentials') => {
    const options = await passkeyStepUpOptions(services, { user: who, sessionId: who.sessionId, purpose });
    if (!options.ok) throw new Error(options.error.message);
    return options.data;
  };
  const lastStepUp = async (who: Person) =>
    db.prisma.auditEvent.findFirstOrThrow({ where: { action: 'step_up.verify', actorId: who.id }, orderBy: { seq: 'desc' }, select: { outcome: true, details: true } });
  const granted = (who: Person, purpose: 'credentials' | 'users' | 'passkeys' = 'credentials') => hasStepUpGrant(db.prisma, { userId: who.id, sessionId: who.sessionId, purpose });

  beforeAll(async () => {
    db = await openTestDatabase(kind);
    services = { prisma: db.prisma, keyring: makeKeyring(randomBytes(32)) };
    await seedDemo(db.prisma, { demoPassword: PASSWORD });
    admin = await person('admin@demo.example');
    approver = await person('approver@demo.example');
    operator = await person('operator@demo.example');
  });
  afterAll(async () => db.close());
  beforeEach(async () => {
    await db.prisma.stepUpGrant.deleteMany();
    await db.prisma.passkey.deleteMany();
    await db.prisma.organization.updateMany({ data: { requirePasskeysForAdmins: false } });
  });

  it('adds a passkey only with two-factor and a `passkeys` step-up, keeping its public key and name; its registration answers once', async () => {
    const authenticator = softAuthenticator();
    expect(await passkeyRegistrationOptions(services, { user: admin, actor: admin.actor })).toMatchObject({ ok: false, error: { code: 'STEP_UP_REQUIRED' } });
    expect(await passkeyRegistrationOptions(services, { user: { ...admin, totpEnabled: false }, actor: admin.actor })).toMatchObject({ ok: false, error: { code: 'TWO_FACTOR_REQUIRED' } });
    await openPasskeys(admin);
    const options = await passkeyRegistrationOptions(services, { user: admin, actor: admin.actor });
    expect(options).toMatchObject({ ok: true, data: { rp: { id: rp.rpID }, authenticatorSelection: { userVerification: 'required' } } });
    const answer = authenticator.register((options as { data: { challenge: string } }).data, here);
    expect(await registerPasskey(services, { user: admin, actor: admin.actor, input: { name: '  ', response: answer } })).toMatchObject({ ok: false, error: { fieldErrors: { name: [expect.any(String)] } } });
    expect(await registerPasskey(services, { user: admin, actor: admin.actor, input: { name: 'Work laptop', response: answer } })).toMatchObject({ ok: true });
    const stored = await db.prisma.passkey.findMany({ where: { userId: admin.id } });
    expect(stored).toMatchObject([{ credentialId: authenticator.id, name: 'Work laptop', transports: ['internal'] }]);
    expect(stored[0]!.publicKey.length).toBeGreaterThan(60);
    // The same answer again: its challenge was taken.
    expect(await registerPasskey(services, { user: admin, actor: admin.actor, input: { name: 'Again', response: answer } })).toMatchObject({ ok: false, error: { message: expect.stringMatching(/expired or was already answered/) } });
    expect(await db.prisma.passkey.count({ where: { userId: admin.id } })).toBe(1);
  });

  it('refuses a registration from another origin, for another host name, or without user verification', async () => {
    await openPasskeys(admin);
    for (const wrong of [{ ...here, origin: 'https://strongroom.example.net' }, { ...here, rpID: 'example.net' }, { ...here, userVerified: false }]) {
      const options = await passkeyRegistrationOptions(services, { user: admin, actor: admin.actor });
      const answer = softAuthenticator().register((options as { data: { challenge: string } }).data, wrong);
      expect(await registerPasskey(services, { user: admin, actor: admin.actor, input: { name: 'Rogue', response: answer } })).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    }
    expect(await db.prisma.passkey.count()).toBe(0);
    const refusals = await db.prisma.auditEvent.findMany({ where: { action: 'passkey.register', actorId: admin.id, outcome: 'DENIED' }, orderBy: { seq: 'desc' }, take: 3 });
    expect(refusals.map((event) => (event.details as { reason: string }).reason)).toEqual(['invalid_response', 'invalid_response', 'invalid_response']);
  });

  it('steps up with the passkey for this session and purpose only, moving its counter; the same answer again is refused', async () => {
    const authenticator = await enrol(admin);
    const options = await challengeFor(admin);
    expect(options).toMatchObject({ userVerification: 'required', allowCredentials: [{ id: authenticator.id }] });
    const answer = authenticator.authenticate(options, here);
    expect(await confirm(admin, 'credentials', answer)).toMatchObject({ ok: true });
    expect(await granted(admin)).toBe(true);
    expect(await granted(admin, 'users')).toBe(false);
    expect(await lastStepUp(admin)).toMatchObject({ outcome: 'SUCCESS', details: { purpose: 'credentials', method: 'passkey', passkey: 'Laptop' } });
    expect(await db.prisma.passkey.findFirstOrThrow({ where: { userId: admin.id } })).toMatchObject({ counter: 1n, lastUsedAt: expect.any(Date) });

    await db.prisma.stepUpGrant.deleteMany();
    expect(await confirm(admin, 'credentials', answer)).toMatchObject({ ok: false, error: { message: expect.stringMatching(/expired or was already used/) } });
    expect(await granted(admin)).toBe(false);
    expect(await lastStepUp(admin)).toMatchObject({ outcome: 'DENIED', details: { reason: 'challenge' } });
  });

  it('refuses an answer to a challenge of another session, of another purpose, or that expired', async () => {
    const authenticator = await enrol(admin);
    const elsewhere = { ...admin, sessionId: randomUUID() };
    const refusedForChallenge = { ok: false, error: { message: expect.stringMatching(/expired or was already used/) } };
    expect(await confirm(elsewhere, 'credentials', authenticator.authenticate(await challengeFor(admin), here))).toMatchObject(refusedForChallenge);
    expect(await confirm(admin, 'users', authenticator.authenticate(await challengeFor(admin, 'credentials'), here))).toMatchObject(refusedForChallenge);
    expect(await confirm(admin, 'credentials', authenticator.authenticate(await challengeFor(admin), here), Date.now() + 121_000)).toMatchObject(refusedForChallenge);
    // A good answer still works: the refusals above were about the challenge, not the passkey.
    expect(await confirm(admin, 'credentials', authenticator.authenticate(await challengeFor(admin), here))).toMatchObject({ ok: true });
    await db.prisma.stepUpGrant.deleteMany();
    expect(await granted(admin)).toBe(false);
    expect(await granted(elsewhere)).toBe(false);
    expect(await granted(admin, 'users')).toBe(false);
  });

  it('refuses an answer from another origin, for another host name, or without user verification', async () => {
    const authenticator = await enrol(admin);
    for (const wrong of [{ ...here, origin: 'https://strongroom.example.net' }, { ...here, rpID: 'example.net' }, { ...here, userVerified: false }]) {
      expect(await confirm(admin, 'credentials', authenticator.authenticate(await challengeFor(admin), wrong))).toMatchObject({ ok: false });
      expect(await lastStepUp(admin)).toMatchObject({ outcome: 'DENIED', details: { reason: 'invalid_response', error: expect.any(String) } });
    }
    expect(await confirm(admin, 'credentials', { id: 'x', type: 'public-key' })).toMatchObject({ ok: false, error: { message: expect.stringMatching(/no usable passkey answer/) } });
    expect(await granted(admin)).toBe(false);
  });

  it('refuses another user’s passkey, and a passkey once removed', async () => {
    const mine = await enrol(admin);
    const theirs = await enrol(approver, 'Approver key');
    expect(await confirm(admin, 'credentials', theirs.authenticate(await challengeFor(admin), here))).toMatchObject({ ok: false, error: { message: expect.stringMatching(/not registered to your account/) } });
    expect(await lastStepUp(admin)).toMatchObject({ outcome: 'DENIED', details: { reason: 'unknown_passkey' } });

    const [row] = await db.prisma.passkey.findMany({ where: { userId: admin.id } });
    await db.prisma.stepUpGrant.deleteMany();
    expect(await removePasskey(services, { user: admin, actor: admin.actor, input: { passkeyId: row!.id } })).toMatchObject({ ok: false, error: { code: 'STEP_UP_REQUIRED' } });
    await openPasskeys(admin);
    // Someone else's passkey is not theirs to remove.
    const [approverKey] = await db.prisma.passkey.findMany({ where: { userId: approver.id } });
    expect(await removePasskey(services, { user: admin, actor: admin.actor, input: { passkeyId: approverKey!.id } })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    const options = await enrol(admin, 'Second').then(() => challengeFor(admin));
    expect(await removePasskey(services, { user: admin, actor: admin.actor, input: { passkeyId: row!.id } })).toMatchObject({ ok: true });
    expect(await confirm(admin, 'credentials', mine.authenticate(options, here))).toMatchObject({ ok: false, error: { message: expect.stringMatching(/removed/) } });
    expect(await db.prisma.auditEvent.count({ where: { action: 'passkey.remove', actorId: admin.id, outcome: 'SUCCESS' } })).toBe(1);
    expect(await db.prisma.passkey.count({ where: { userId: approver.id } })).toBe(1);
  });

  it('where passkeys are required, an administrator’s authenticator code is refused but a recovery code works; others are not affected', async () => {
    expect(await setPasskeysForAdmins(services, { actor: admin.actor, organizationId: admin.organizationId, input: { required: true } })).toEqual({ ok: true, data: null });
    const code = (who: Person, purpose: 'credentials' | 'passkeys', value: string) => grantStepUp(services, { user: who, sessionId: who.sessionId, purpose, code: value, actor: who.actor });
    // Before their first passkey, the code still opens `passkeys` (it reaches the code check, which
    // fails here only because this test enrolled no authenticator).
    expect(await code(admin, 'passkeys', '123456')).toMatchObject({ ok: false, error: { message: expect.stringMatching(/not set up/) } });
    await enrol(admin);
    for (const purpose of ['credentials', 'passkeys'] as const) {
      expect(await code(admin, purpose, '123456')).toMatchObject({ ok: false, error: { message: expect.stringMatching(/confirm with a passkey/) } });
      expect(await lastStepUp(admin)).toMatchObject({ outcome: 'DENIED', details: { purpose, reason: 'passkey_required' } });
    }
    // Turning two-factor off (which removes the passkeys) needs more than a code, too.
    expect(await changeTwoFactor(services, { user: admin, password: PASSWORD, code: '123456', actor: admin.actor, then: 'remove' })).toMatchObject({ ok: false, error: { message: expect.stringMatching(/confirm with a passkey/) } });
    expect(await db.prisma.passkey.count({ where: { userId: admin.id } })).toBe(1);
    await db.prisma.recoveryCode.create({ data: { userId: admin.id, codeHash: hashRecoveryCode('abcdefghij') } });
    expect(await code(admin, 'credentials', 'abcde-fghij')).toMatchObject({ ok: true });
    // An operator is not an administrator: their code reaches the code check.
    expect(await code(operator, 'credentials', '123456')).toMatchObject({ ok: false, error: { message: expect.stringMatching(/not set up/) } });
    expect(await db.prisma.auditEvent.findFirst({ where: { action: 'organization.passkeys_for_admins' }, orderBy: { seq: 'desc' } })).toMatchObject({ details: { requiredBefore: false, required: true } });
  });

  it('an administrator’s reset of someone’s two-factor removes their passkeys too', async () => {
    await enrol(approver);
    expect(await adminTwoFactor(services, { actor: admin.actor, organizationId: admin.organizationId, userId: approver.id, act: 'reset' })).toMatchObject({ ok: true });
    expect(await db.prisma.passkey.count({ where: { userId: approver.id } })).toBe(0);
  });
});
