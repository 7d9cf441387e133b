import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findPrincipal } from '@/lib/server/api/principal-cache';
import { API_AUTH_LIMIT, apiErrorFor, refuseUnauthenticated } from '@/lib/server/api/service-api';
import { KeyProviderError } from '@/lib/server/crypto/key-encryption-key';
import { createServiceAccount } from '@/lib/server/service-accounts/create-service-account';
import { revokeServiceAccount } from '@/lib/server/service-accounts/revoke-service-account';
import { seedDemo } from '@/lib/server/seed/seed-demo';
import type { Services } from '@/lib/server/services';
import { makeKeyring } from '@/lib/server/crypto/keyring';
import type { Database } from '@/lib/server/db/open-database';
import { openTestDatabase } from '@/lib/server/test-support/test-database';

describe('requests without a valid API key', () => {
  let db: Database;
  let services: Services;
  beforeAll(async () => {
    db = await openTestDatabase('pglite');
    services = { prisma: db.prisma, keyring: makeKeyring(randomBytes(32)) };
  });
  afterAll(async () => db.close());

  it('are refused 401, then 429 past the limit, and audited in aggregate (first and blocking only)', async () => {
    const refuse = (ip: string) => refuseUnauthenticated(services, { ip, userAgent: 'vitest', action: 'api.access_token', hadKey: true });
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

  it('finds the key and the credential in one lookup; a revoked key is not found', async () => {
    await seedDemo(db.prisma, { demoPassword: 'unused-here-123' });
    const credential = await db.prisma.credential.findFirstOrThrow({ where: { label: 'MyInvois pre-production' } });
    const system = { type: 'SYSTEM' as const };
    const created = await createServiceAccount(services, { actor: system, organizationId: credential.organizationId, input: { name: 'reader', scopes: ['token:read'], legalEntityIds: [credential.legalEntityId] } });
    if (!created.ok) throw new Error(created.error.message);
    const found = await findPrincipal(services.prisma, created.data.key, credential.id);
    expect(found).toMatchObject({ account: { id: created.data.id, scopes: ['token:read'], legalEntityIds: [credential.legalEntityId] }, credential: { id: credential.id, version: credential.version } });
    expect((await findPrincipal(services.prisma, created.data.key, 'not-a-uuid')).credential).toBeNull();
    expect((await findPrincipal(services.prisma, `${created.data.key.slice(0, -1)}${created.data.key.endsWith('A') ? 'B' : 'A'}`, credential.id)).account).toBeNull();
    await revokeServiceAccount(services, { actor: system, organizationId: credential.organizationId, id: created.data.id });
    expect(await findPrincipal(services.prisma, created.data.key, credential.id)).toEqual({ account: null, credential: null });
  });
});

describe('an error a route did not expect', () => {
  it('is 503 with Retry-After when the key provider cannot be used, 500 otherwise; neither says the cause', async () => {
    const unavailable = apiErrorFor(new KeyProviderError('Vault at http://10.0.0.9:8200 cannot be reached.'), 'api.access_token');
    expect(unavailable.status).toBe(503);
    expect(unavailable.headers.get('Retry-After')).toBe('5');
    const body = await unavailable.text();
    expect(JSON.parse(body)).toEqual({ error: { code: 'KEYS_UNAVAILABLE', message: 'The key provider cannot be used right now, so no secret can be opened; try again shortly.' } });
    expect(body).not.toContain('10.0.0.9');
    const other = apiErrorFor(new Error('connection terminated unexpectedly'), 'api.access_token');
    expect(other.status).toBe(500);
    expect(await other.text()).not.toContain('connection terminated');
  });
});
