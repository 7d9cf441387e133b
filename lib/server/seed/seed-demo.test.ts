import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { verifyPassword } from '@/lib/server/auth/password';
import type { Database } from '@/lib/server/db/open-database';
import { openTestDatabase } from '@/lib/server/test-support/test-database';
import { seedDemo } from '@/lib/server/seed/seed-demo';

describe('seedDemo', () => {
  let db: Database;
  beforeEach(async () => {
    db = await openTestDatabase('pglite');
  });
  afterEach(async () => db.close());

  const counts = async () => ({
    organizations: await db.prisma.organization.count(),
    entities: await db.prisma.legalEntity.count(),
    credentials: await db.prisma.credential.count(),
    users: await db.prisma.user.count(),
  });

  it('creates three entities in three regimes, one user per role and a second administrator, once', async () => {
    const logins = await seedDemo(db.prisma);
    expect(logins.map((l) => l.role).sort()).toEqual(['ADMIN', 'ADMIN', 'AUDITOR', 'OPERATOR', 'VIEWER']);
    expect(await counts()).toEqual({ organizations: 1, entities: 3, credentials: 4, users: 5 });
    const countries = (await db.prisma.legalEntity.findMany({ select: { country: true } })).map((e) => e.country).sort();
    expect(countries).toEqual(['AE', 'MY', 'SA']);

    expect(await seedDemo(db.prisma)).toEqual([]);
    expect(await counts()).toEqual({ organizations: 1, entities: 3, credentials: 4, users: 5 });
  });

  it('generates a different random password per user and stores only its hash', async () => {
    const logins = await seedDemo(db.prisma);
    expect(new Set(logins.map((l) => l.password)).size).toBe(5);
    for (const login of logins) {
      const user = await db.prisma.user.findUniqueOrThrow({ where: { email: login.email } });
      expect(user.passwordHash).not.toContain(login.password);
      expect(await verifyPassword(login.password, user.passwordHash)).toBe(true);
    }
  });

  it('keeps an existing user password on a second run', async () => {
    const [first] = await seedDemo(db.prisma, { demoPassword: 'first-password-123' });
    await seedDemo(db.prisma, { demoPassword: 'second-password-456' });
    const user = await db.prisma.user.findUniqueOrThrow({ where: { email: first!.email } });
    expect(await verifyPassword('first-password-123', user.passwordHash)).toBe(true);
  });
});
