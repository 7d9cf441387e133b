import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SIGN_IN_LIMITS, verifySignIn } from '@/lib/server/auth/verify-sign-in';
import type { Database } from '@/lib/server/db/open-database';
import { openTestDatabase, testDatabaseKinds } from '@/lib/server/test-support/test-database';
import { seedDemo } from '@/lib/server/seed/seed-demo';

const PASSWORD = 'a-demo-password-for-tests';

describe.each(testDatabaseKinds())('verifySignIn on %s', (kind) => {
  let db: Database;
  beforeAll(async () => {
    db = await openTestDatabase(kind);
    await seedDemo(db.prisma, { demoPassword: PASSWORD });
  });
  afterAll(async () => db.close());
  beforeEach(async () => {
    await db.prisma.rateLimiterFlexible.deleteMany();
    await db.prisma.auditEvent.deleteMany();
  });

  const attempt = (email: string, password: string, ip = '203.0.113.7') =>
    verifySignIn(db.prisma, { email, password, ip, userAgent: 'vitest' });

  it('signs in with the right password and audits it', async () => {
    const result = await attempt('viewer@demo.example', PASSWORD);
    expect(result).toMatchObject({ ok: true, user: { email: 'viewer@demo.example', role: 'VIEWER' } });
    expect(JSON.stringify(result)).not.toContain('scrypt');
    const [event] = await db.prisma.auditEvent.findMany();
    expect(event).toMatchObject({ action: 'auth.sign_in', outcome: 'SUCCESS', ip: '203.0.113.7', userAgent: 'vitest' });
  });

  it('refuses a wrong password and an unknown user alike, auditing both without the password', async () => {
    expect(await attempt('viewer@demo.example', 'wrong-password-1')).toEqual({ ok: false, reason: 'invalid' });
    expect(await attempt('ghost@demo.example', 'wrong-password-2')).toEqual({ ok: false, reason: 'invalid' });
    const events = await db.prisma.auditEvent.findMany({ orderBy: { seq: 'asc' } });
    expect(events.map((e) => [e.outcome, e.details])).toEqual([
      ['DENIED', { reason: 'wrong_password' }],
      ['DENIED', { reason: 'unknown_user' }],
    ]);
    expect(JSON.stringify(events, (_, v) => (typeof v === 'bigint' ? String(v) : v))).not.toMatch(/wrong-password/);
  });

  it('locks an account after too many failures, even for the right password, then counts per account', async () => {
    for (let i = 0; i < SIGN_IN_LIMITS.perAccount; i++) await attempt('operator@demo.example', `nope-${i}`);
    const locked = await attempt('operator@demo.example', PASSWORD);
    expect(locked).toMatchObject({ ok: false, reason: 'locked' });
    expect((locked as { retryAfterSeconds: number }).retryAfterSeconds).toBeGreaterThan(SIGN_IN_LIMITS.windowSeconds - 60);
    expect(await db.prisma.auditEvent.count({ where: { details: { equals: { reason: 'rate_limited' } } } })).toBe(1);
    // Another account from the same address is not locked by it.
    expect(await attempt('viewer@demo.example', PASSWORD)).toMatchObject({ ok: true });
  });

  it('50 parallel wrong passwords for one account: no more than the limit are checked', async () => {
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => attempt('operator@demo.example', `parallel-${i}`, `192.0.2.${i}`)));
    expect(results.filter((r) => !r.ok && r.reason === 'locked')).toHaveLength(50 - SIGN_IN_LIMITS.perAccount);
    const checked = await db.prisma.auditEvent.count({ where: { details: { equals: { reason: 'wrong_password' } } } });
    expect(checked).toBe(SIGN_IN_LIMITS.perAccount);
  });

  it('limits failures per address across accounts', async () => {
    for (let i = 0; i < SIGN_IN_LIMITS.perIp; i++) await attempt(`spray-${i}@demo.example`, 'x', '198.51.100.9');
    expect(await attempt('viewer@demo.example', PASSWORD, '198.51.100.9')).toMatchObject({ ok: false, reason: 'locked' });
    expect(await attempt('viewer@demo.example', PASSWORD, '198.51.100.10')).toMatchObject({ ok: true });
  });

  it('attempts on a locked account do not spend the address’s budget: the office next door still signs in', async () => {
    const office = '198.51.100.50';
    for (let i = 0; i < SIGN_IN_LIMITS.perAccount; i++) await attempt('operator@demo.example', `nope-${i}`, office);
    // Someone keeps hammering the locked account from the shared address, well past the address's limit.
    for (let i = 0; i < SIGN_IN_LIMITS.perIp + 5; i++) expect(await attempt('operator@demo.example', `again-${i}`, office)).toMatchObject({ reason: 'locked' });
    expect(await attempt('viewer@demo.example', PASSWORD, office)).toMatchObject({ ok: true });
  });

  it('a success clears the account counter', async () => {
    for (let i = 0; i < SIGN_IN_LIMITS.perAccount - 1; i++) await attempt('admin@demo.example', `nope-${i}`);
    expect(await attempt('admin@demo.example', PASSWORD)).toMatchObject({ ok: true });
    for (let i = 0; i < SIGN_IN_LIMITS.perAccount - 1; i++) await attempt('admin@demo.example', `nope-again-${i}`);
    expect(await attempt('admin@demo.example', PASSWORD)).toMatchObject({ ok: true });
  });

  it('refuses a disabled user', async () => {
    await db.prisma.user.update({ where: { email: 'auditor@demo.example' }, data: { disabledAt: new Date() } });
    expect(await attempt('auditor@demo.example', PASSWORD)).toEqual({ ok: false, reason: 'invalid' });
    await db.prisma.user.update({ where: { email: 'auditor@demo.example' }, data: { disabledAt: null } });
  });
});
