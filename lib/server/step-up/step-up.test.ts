import { randomBytes } from 'node:crypto';
import { generate } from 'otplib';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Actor } from '@/lib/server/audit/append-audit-event';
import type { Services } from '@/lib/server/services';
import { makeKeyring } from '@/lib/server/crypto/keyring';
import type { Database } from '@/lib/server/db/open-database';
import { openTestDatabase, testDatabaseKinds } from '@/lib/server/test-support/test-database';
import { seedDemo } from '@/lib/server/seed/seed-demo';
import { adminTwoFactor } from '@/lib/server/step-up/admin-two-factor';
import { grantStepUp, hasStepUpGrant, useStepUpGrant } from '@/lib/server/step-up/grant-step-up';
import { changeTwoFactor } from '@/lib/server/step-up/change-two-factor';
import { confirmEnrollment } from '@/lib/server/step-up/confirm-enrollment';
import { readPendingEnrollment } from '@/lib/server/step-up/pending-enrollment';
import { startEnrollment } from '@/lib/server/step-up/start-enrollment';
import { verifySecondFactor } from '@/lib/server/step-up/verify-second-factor';

const PASSWORD = 'step-up-test-password';

describe.each(testDatabaseKinds())('TOTP step-up on %s', (kind) => {
  let db: Database;
  let services: Services;
  let user: { id: string; organizationId: string; email: string };
  let actor: Actor;
  let secret: string;
  // Codes are generated for explicit instants, one time step apart, so tests never wait on the clock.
  let clock = 1_900_000_000_000;
  const nextInstant = () => (clock += 30_000);
  const codeAt = (at: number, key = secret) => generate({ secret: key, epoch: Math.floor(at / 1000) });

  beforeAll(async () => {
    db = await openTestDatabase(kind);
    services = { prisma: db.prisma, keyring: makeKeyring(randomBytes(32)) };
    await seedDemo(db.prisma, { demoPassword: PASSWORD });
    user = await db.prisma.user.findFirstOrThrow({ where: { email: 'admin@demo.example' }, select: { id: true, organizationId: true, email: true } });
    actor = { type: 'USER', id: user.id, label: user.email, ip: '192.0.2.1', userAgent: 'vitest' };
  });
  afterAll(async () => db.close());
  beforeEach(async () => {
    await db.prisma.rateLimiterFlexible.deleteMany();
  });

  const verify = (code: string, now = clock) => verifySecondFactor(services, { user, code, actor, action: 'step_up.verify', now });

  it('enrolls: the password first, a sealed pending secret, confirmed by a code from it, ten hashed recovery codes', async () => {
    expect(await readPendingEnrollment(services, { user })).toBeNull(); // nothing happens until asked
    expect(await startEnrollment(services, { user, password: 'not-the-password', actor })).toMatchObject({ ok: false, error: { fieldErrors: { password: [expect.any(String)] } } });
    expect(await readPendingEnrollment(services, { user })).toBeNull();
    expect(await startEnrollment(services, { user, password: PASSWORD, actor })).toEqual({ ok: true, data: null });
    const pending = (await readPendingEnrollment(services, { user }))!;
    secret = pending.secret;
    expect(pending.uri).toMatch(/^otpauth:\/\/totp\/Strongroom:admin%40demo.example\?/);
    expect(pending.qrSvg).toMatch(/^<svg/);
    expect((await readPendingEnrollment(services, { user }))!.secret).toBe(secret); // stable until confirmed
    const stored = await db.prisma.sealedSecret.findFirstOrThrow({ where: { ownerTable: 'User', ownerId: user.id, field: 'totpPendingSecret' } });
    expect(stored.sealed).not.toContain(secret);

    const wrong = await confirmEnrollment(services, { user, code: '000000', actor });
    expect(wrong).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    expect((await db.prisma.user.findUniqueOrThrow({ where: { id: user.id } })).totpEnabledAt).toBeNull();

    const at = nextInstant();
    const confirmed = await confirmEnrollment(services, { user, code: await codeAt(Date.now()), actor });
    expect(confirmed).toMatchObject({ ok: true });
    const codes = (confirmed as { data: { recoveryCodes: string[] } }).data.recoveryCodes;
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    const rows = await db.prisma.recoveryCode.findMany({ where: { userId: user.id } });
    expect(rows.map((r) => r.codeHash).join()).not.toContain(codes[0]!.replace('-', ''));
    expect(await db.prisma.sealedSecret.count({ where: { ownerId: user.id, field: 'totpPendingSecret' } })).toBe(0);
    expect(await db.prisma.sealedSecret.count({ where: { ownerId: user.id, field: 'totpSecret' } })).toBe(1);
    // The enrollment accepted a real-time step; move the test clock past it.
    clock = Math.max(at, Date.now()) + 60_000;
  });

  it('accepts a code once, with or without a space, and refuses its replay', async () => {
    const at = nextInstant();
    const code = await codeAt(at);
    expect(await verify(`${code.slice(0, 3)} ${code.slice(3)}`, at)).toMatchObject({ ok: true, data: { method: 'totp' } });
    expect(await verify(code, at)).toMatchObject({ ok: false, error: { message: expect.stringMatching(/already used/) } });
    const events = await db.prisma.auditEvent.findMany({ where: { action: 'step_up.verify', targetId: user.id }, orderBy: { seq: 'desc' }, take: 2 });
    expect(events.map((e) => [e.outcome, (e.details as { reason?: string }).reason, e.ip, e.userAgent])).toEqual([
      ['DENIED', 'replayed', '192.0.2.1', 'vitest'],
      ['SUCCESS', undefined, '192.0.2.1', 'vitest'],
    ]);
  });

  it('accepts one step of clock drift either way, not two', async () => {
    const at = nextInstant() + 120_000;
    clock = at;
    expect(await verify(await codeAt(at - 60_000), at)).toMatchObject({ ok: false });
    expect(await verify(await codeAt(at - 30_000), at)).toMatchObject({ ok: true });
    expect(await verify(await codeAt(at + 30_000), at)).toMatchObject({ ok: true });
    expect(await verify(await codeAt(at + 60_000), at)).toMatchObject({ ok: false });
    clock += 60_000;
  });

  it.each(['12345', '1234567', 'abc', '', '12-34-5x'])('explains the malformed code %j', async (code) => {
    expect(await verify(code)).toMatchObject({ ok: false, error: { code: 'VALIDATION', fieldErrors: { code: [expect.any(String)] } } });
  });

  it('locks after five wrong codes, even for a right one, until an admin unlocks', async () => {
    for (let i = 0; i < 5; i++) await verify('000000');
    const at = nextInstant();
    expect(await verify(await codeAt(at), at)).toMatchObject({ ok: false, error: { code: 'RATE_LIMITED', message: expect.stringMatching(/administrator to unlock/) } });
    // Not by the locked admin themself.
    expect(await adminTwoFactor(services, { actor, organizationId: user.organizationId, userId: user.id, act: 'unlock' })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(await verify(await codeAt(at), at)).toMatchObject({ ok: false, error: { code: 'RATE_LIMITED' } });
    const other = await db.prisma.user.findFirstOrThrow({ where: { role: 'ADMIN', id: { not: user.id } } }).catch(() => null);
    const helper: Actor = other ? { type: 'USER', id: other.id, label: other.email } : { type: 'SYSTEM' };
    expect(await adminTwoFactor(services, { actor: helper, organizationId: user.organizationId, userId: user.id, act: 'unlock' })).toEqual({ ok: true, data: null });
    expect(await verify(await codeAt(at), at)).toMatchObject({ ok: true });
  });

  it('20 parallel wrong codes: no more than the limit are checked', async () => {
    const results = await Promise.all(Array.from({ length: 20 }, () => verify('000000')));
    expect(results.filter((r) => !r.ok && r.error.code === 'RATE_LIMITED')).toHaveLength(15);
    const since = await db.prisma.auditEvent.findMany({ where: { action: 'step_up.verify', targetId: user.id }, orderBy: { seq: 'desc' }, take: 20 });
    expect(since.filter((e) => (e.details as { reason?: string }).reason === 'wrong_code')).toHaveLength(5);
  });

  it('a recovery code works exactly once', async () => {
    const code = await db.prisma.recoveryCode.findFirstOrThrow({ where: { userId: user.id, usedAt: null } });
    // Recovery codes are only stored hashed, so make a known one for this test.
    const known = 'abcde-fghij';
    const { hashRecoveryCode } = await import('@/lib/server/step-up/verify-second-factor');
    await db.prisma.recoveryCode.update({ where: { id: code.id }, data: { codeHash: hashRecoveryCode(known) } });
    expect(await verify('ABCDE FGHIJ')).toMatchObject({ ok: true, data: { method: 'recovery' } });
    expect(await verify(known)).toMatchObject({ ok: false, error: { message: expect.stringMatching(/not valid or was already used/) } });
  });

  it('binds a grant to user, session and purpose, and lets it expire', async () => {
    const at = nextInstant();
    const granted = await grantStepUp(services, { user, sessionId: 'session-a', purpose: 'credentials', code: await codeAt(at), actor, now: at, ttlSeconds: 300 });
    expect(granted).toMatchObject({ ok: true, data: { expiresAt: new Date(at + 300_000) } });
    const has = (over: Partial<Parameters<typeof hasStepUpGrant>[1]>) =>
      hasStepUpGrant(db.prisma, { userId: user.id, sessionId: 'session-a', purpose: 'credentials', now: at + 1_000, ...over });
    expect(await has({})).toBe(true);
    expect(await has({ purpose: 'service-account.keys' })).toBe(false);
    expect(await has({ sessionId: 'session-b' })).toBe(false);
    const other = await db.prisma.user.findFirstOrThrow({ where: { role: 'OPERATOR' } });
    expect(await has({ userId: other.id })).toBe(false);
    expect(await has({ now: at + 299_000 })).toBe(true);
    expect(await has({ now: at + 300_000 })).toBe(false);
  });

  it('each use extends the working window, never past the cap after the code; a lapsed grant stays lapsed', async () => {
    const at = nextInstant();
    expect(await grantStepUp(services, { user, sessionId: 'session-w', purpose: 'credentials', code: await codeAt(at), actor, now: at, ttlSeconds: 600 })).toMatchObject({ ok: true });
    const use = (after: number) => useStepUpGrant(db.prisma, { userId: user.id, sessionId: 'session-w', purpose: 'credentials', now: at + after, windowSeconds: 600, maxSeconds: 1800 });
    const expiresAt = async () => (await db.prisma.stepUpGrant.findFirstOrThrow({ where: { sessionId: 'session-w' } })).expiresAt.getTime() - at;
    expect(await use(500_000)).toBe(true);
    expect(await expiresAt()).toBe(1_100_000); // 500 s + 600 s
    expect(await use(1_000_000)).toBe(true);
    expect(await expiresAt()).toBe(1_600_000);
    expect(await use(1_500_000)).toBe(true);
    expect(await expiresAt()).toBe(1_800_000); // the cap: 30 minutes after the code
    expect(await use(1_800_000)).toBe(false);
    expect(await use(2_000_000)).toBe(false);
    expect(await useStepUpGrant(db.prisma, { userId: user.id, sessionId: 'session-other', purpose: 'credentials', now: at + 1_000 })).toBe(false);
  });

  it('a wrong code grants nothing', async () => {
    const at = nextInstant();
    expect(await grantStepUp(services, { user, sessionId: 'session-c', purpose: 'credentials', code: '999999', actor, now: at })).toMatchObject({ ok: false });
    expect(await hasStepUpGrant(db.prisma, { userId: user.id, sessionId: 'session-c', purpose: 'credentials', now: at })).toBe(false);
  });

  it('replacing the authenticator shows a new key; the old one works until the new one is confirmed', async () => {
    const at = Math.max(nextInstant(), Date.now() + 60_000);
    clock = at;
    await db.prisma.user.update({ where: { id: user.id }, data: { totpLastStep: null } });
    expect(await changeTwoFactor(services, { user, password: PASSWORD, code: await codeAt(Date.now()), actor, then: 'reenroll' })).toEqual({ ok: true, data: null });
    const next = (await readPendingEnrollment(services, { user }))!;
    expect(next.secret).not.toBe(secret);
    expect(await db.prisma.user.findUniqueOrThrow({ where: { id: user.id } })).toMatchObject({ totpEnabledAt: expect.any(Date) });
    await db.prisma.user.update({ where: { id: user.id }, data: { totpLastStep: null } });
    expect(await confirmEnrollment(services, { user, code: await codeAt(Date.now(), next.secret), actor })).toMatchObject({ ok: true });
    expect(await readPendingEnrollment(services, { user })).toBeNull();
    secret = next.secret;
  });

  it('turning two-factor off needs the password and a current code', async () => {
    const at = Math.max(nextInstant(), Date.now() + 60_000);
    clock = at;
    const wrongPassword = await changeTwoFactor(services, { user, password: 'not-it', code: await codeAt(Date.now()), actor, then: 'remove' });
    expect(wrongPassword).toMatchObject({ ok: false, error: { fieldErrors: { password: [expect.any(String)] } } });
    await db.prisma.user.update({ where: { id: user.id }, data: { totpLastStep: null } });
    const removed = await changeTwoFactor(services, { user, password: PASSWORD, code: await codeAt(Date.now()), actor, then: 'remove' });
    expect(removed).toEqual({ ok: true, data: null });
    expect(await db.prisma.user.findUniqueOrThrow({ where: { id: user.id } })).toMatchObject({ totpEnabledAt: null });
    expect(await db.prisma.sealedSecret.count({ where: { ownerId: user.id } })).toBe(0);
    expect(await db.prisma.recoveryCode.count({ where: { userId: user.id } })).toBe(0);
  });
});
