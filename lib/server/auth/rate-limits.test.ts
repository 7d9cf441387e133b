import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseLimiter, takePoint } from '@/lib/server/auth/rate-limits';
import type { Database } from '@/lib/server/db/open-database';
import { openTestDatabase, testDatabaseKinds } from '@/lib/server/test-support/test-database';

describe.each(testDatabaseKinds())('database rate limits on %s', (kind) => {
  let db: Database;
  beforeAll(async () => void (db = await openTestDatabase(kind)));
  afterAll(async () => db.close());
  const rule = () => ({ keyPrefix: `limit-${randomUUID()}`, points: 3, windowSeconds: 60 });

  it('allows the points of a window, refuses the next with the time left, and starts a new window once it is over', async () => {
    const limit = rule();
    const taken = [];
    for (let i = 0; i < 4; i++) taken.push(await takePoint(db.prisma, limit, 'k'));
    expect(taken.map((t) => [t.allowed, t.consumed])).toEqual([[true, 1], [true, 2], [true, 3], [false, 4]]);
    expect(taken[3]!.retryAfterSeconds).toBeGreaterThan(55);
    expect(taken[3]!.retryAfterSeconds).toBeLessThanOrEqual(60);
    // Another key has its own window.
    expect(await takePoint(db.prisma, limit, 'other')).toMatchObject({ allowed: true, consumed: 1 });
    // The window ends (its row says so): the next point starts a new one.
    await db.prisma.rateLimiterFlexible.update({ where: { key: `${limit.keyPrefix}:k` }, data: { expire: new Date(Date.now() - 1) } });
    expect(await takePoint(db.prisma, limit, 'k')).toMatchObject({ allowed: true, consumed: 1 });
    const row = await db.prisma.rateLimiterFlexible.findUniqueOrThrow({ where: { key: `${limit.keyPrefix}:k` } });
    expect(row.expire!.getTime()).toBeGreaterThan(Date.now() + 55_000);
  });

  it('counts parallel attempts exactly: no more are allowed than the window holds', async () => {
    const limit = { ...rule(), points: 20 };
    const taken = await Promise.all(Array.from({ length: 50 }, () => takePoint(db.prisma, limit, 'burst')));
    expect(taken.filter((t) => t.allowed)).toHaveLength(20);
    expect(taken.map((t) => t.consumed).sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
  });

  it('gives points back and forgets a key as the library does', async () => {
    const limit = rule();
    for (let i = 0; i < 3; i++) await takePoint(db.prisma, limit, 'k');
    await databaseLimiter(db.prisma, limit).reward('k', 1);
    expect(await takePoint(db.prisma, limit, 'k')).toMatchObject({ allowed: true, consumed: 3 });
    await databaseLimiter(db.prisma, limit).delete('k');
    expect(await takePoint(db.prisma, limit, 'k')).toMatchObject({ allowed: true, consumed: 1 });
    await databaseLimiter(db.prisma, limit).block('k', 120);
    const blocked = await takePoint(db.prisma, limit, 'k');
    expect(blocked.allowed).toBe(false);
    expect(blocked.retryAfterSeconds).toBeGreaterThan(115);
  });
});
