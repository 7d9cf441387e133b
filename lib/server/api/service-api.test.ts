import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_AUTH_LIMIT, refuseUnauthenticated } from '@/lib/server/api/service-api';
import type { Vault } from '@/lib/server/credentials/vault';
import { makeKeyring } from '@/lib/server/crypto/keyring';
import type { Database } from '@/lib/server/db/open-database';
import { openTestDatabase } from '@/lib/server/test-support/test-database';

describe('requests without a valid API key', () => {
  let db: Database;
  let vault: Vault;
  beforeAll(async () => {
    db = await openTestDatabase('pglite');
    vault = { prisma: db.prisma, keyring: makeKeyring(randomBytes(32)) };
  });
  afterAll(async () => db.close());

  it('are refused 401, then 429 past the limit, and audited in aggregate (first and blocking only)', async () => {
    const refuse = (ip: string) => refuseUnauthenticated(vault, { ip, userAgent: 'vitest', action: 'api.access_token', hadKey: true });
    const statuses = [];
    for (let i = 0; i < API_AUTH_LIMIT.points + 5; i++) statuses.push((await refuse('203.0.113.50')).status);
    expect(statuses).toEqual([...Array(API_AUTH_LIMIT.points).fill(401), ...Array(5).fill(429)]);
    expect((await refuse('203.0.113.51')).status).toBe(401); // another address has its own budget
    const events = await db.prisma.auditEvent.findMany({ where: { ip: '203.0.113.50' }, orderBy: { seq: 'asc' } });
    expect(events.map((e) => [e.outcome, e.details])).toEqual([
      ['DENIED', { reason: 'unauthenticated', firstOfWindow: true }],
      ['DENIED', { reason: 'unauthenticated', blocked: true, failuresInWindow: API_AUTH_LIMIT.points, windowSeconds: API_AUTH_LIMIT.windowSeconds }],
    ]);
  });
});
