import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CHECK_EVERY_MS, openPrincipalCache, type PrincipalCache } from '@/lib/server/api/principal-cache';
import { setClock } from '@/lib/server/clock';
import { makeKeyring } from '@/lib/server/crypto/keyring';
import { openDatabase, type Database } from '@/lib/server/db/open-database';
import { seedDemo } from '@/lib/server/seed/seed-demo';
import { createServiceAccount } from '@/lib/server/service-accounts/create-service-account';
import { hashApiKey } from '@/lib/server/service-accounts/api-key-hash';
import { revokeServiceAccount } from '@/lib/server/service-accounts/revoke-service-account';
import type { Services } from '@/lib/server/services';
import { openTestDatabase, testDatabaseKinds } from '@/lib/server/test-support/test-database';

const system = { type: 'SYSTEM' as const };
const newKey = () => `sr_${randomBytes(32).toString('base64url')}`;

describe.each(testDatabaseKinds())('the service API’s memory of keys and credentials on %s', (kind) => {
  let db: Database & { url?: string };
  let services: Services;
  /** The other instances: their own connections (PostgreSQL), or the same embedded database. */
  const others: Database[] = [];
  const caches: PrincipalCache[] = [];
  let organizationId: string;
  let credential: { id: string; legalEntityId: string; version: number };
  let restoreClock = () => {};

  beforeAll(async () => {
    db = await openTestDatabase(kind);
    services = { prisma: db.prisma, keyring: makeKeyring(randomBytes(32)) };
    await seedDemo(db.prisma, { demoPassword: 'unused-here-123' });
    credential = await db.prisma.credential.findFirstOrThrow({ where: { label: 'MyInvois pre-production' } });
    organizationId = (await db.prisma.credential.findUniqueOrThrow({ where: { id: credential.id } })).organizationId;
    if (db.url) for (let i = 0; i < 2; i++) others.push(await openDatabase({ kind: 'postgres', url: db.url }));
  });
  afterEach(async () => {
    restoreClock();
    await Promise.all(caches.splice(0).map((cache) => cache.stop()));
  });
  afterAll(async () => {
    await Promise.all(others.map((other) => other.close()));
    await db.close();
  });

  /** An instance's cache; `heard(n)` resolves with the nth change it applies from now on (the first by default). */
  const instance = async (database: Database, options: { checkEveryMs?: number; retryMs?: number } = {}) => {
    const seen: string[] = [];
    const waiters: { count: number; resolve: (payload: string) => void }[] = [];
    const onChange = (payload: string) => {
      seen.push(payload);
      for (const waiter of waiters.splice(0)) (seen.length >= waiter.count ? waiter.resolve(seen[waiter.count - 1]!) : waiters.push(waiter));
    };
    const cache = await openPrincipalCache(database, { checkEveryMs: 3_600_000, ...options, onChange });
    caches.push(cache);
    return { cache, heard: (n = 1) => new Promise<string>((resolve) => waiters.push({ count: seen.length + n, resolve })) };
  };
  const three = () => Promise.all([db, others[0] ?? db, others[1] ?? db].map((database) => instance(database)));
  const account = async () => {
    const created = await createServiceAccount(services, { actor: system, organizationId, input: { name: `reader ${randomUUID()}`, scopes: ['token:read'], legalEntityIds: [credential.legalEntityId] } });
    if (!created.ok) throw new Error(created.error.message);
    return created.data;
  };

  it('a key revoked in one instance is refused by every instance on its first request after hearing of it', async () => {
    const { id, key } = await account();
    const [first, second, third] = await three();
    for (const { cache } of [first!, second!, third!]) expect((await cache.find(key, credential.id)).account?.id).toBe(id);
    // Each instance listens on a connection of its own, the revoking one's too.
    const heard = [first!.heard(), second!.heard(), third!.heard()];
    await revokeServiceAccount(services, { actor: system, organizationId, id });
    expect(await Promise.all(heard)).toEqual(Array(3).fill(`ServiceAccount:${id}`));
    for (const { cache } of [first!, second!, third!]) expect(await cache.find(key, credential.id)).toEqual({ account: null, credential: null });
  });

  it('serves from memory until told: a change made without a notification is not seen before the bounded check', async () => {
    const { key } = await account();
    let clock = Date.now();
    restoreClock = setClock(() => clock);
    const { cache } = await instance(others[0] ?? db, { checkEveryMs: CHECK_EVERY_MS });
    expect((await cache.find(key, credential.id)).account).not.toBeNull();
    // A revocation whose notification never arrives (as if the listener were reconnecting): the
    // trigger is bypassed, and the change counter moved by hand as the trigger would have.
    await db.sql.transaction(async (tx) => {
      await tx.exec(`SET LOCAL session_replication_role = replica`);
      await tx.query(`UPDATE "ServiceAccount" SET "revokedAt" = now() WHERE "keyHash" = $1`, [hashApiKey(key)]);
      await tx.exec(`SELECT nextval('principal_changes')`);
    });
    expect((await cache.find(key, credential.id)).account).not.toBeNull(); // remembered: no lookup
    clock += CHECK_EVERY_MS - 1;
    expect((await cache.find(key, credential.id)).account).not.toBeNull();
    clock += 1;
    expect((await cache.find(key, credential.id)).account).toBeNull();
  });

  it('a new secret version, an expiry date, an archived entity and a deleted credential reach every instance', async () => {
    const { key } = await account();
    const [first, second] = await three();
    const facts = async () => (await second!.cache.find(key, credential.id)).credential;
    expect(await first!.cache.find(key, credential.id)).toMatchObject({ credential: { version: credential.version } });
    expect(await facts()).toMatchObject({ version: credential.version, entityArchived: false, markedExpired: false });

    let heard = second!.heard();
    await db.prisma.credential.update({ where: { id: credential.id }, data: { version: { increment: 1 } } });
    await heard;
    expect(await facts()).toMatchObject({ version: credential.version + 1 });

    heard = second!.heard();
    const expiresAt = new Date(Date.now() + 3_600_000);
    await db.prisma.credential.update({ where: { id: credential.id }, data: { expiresAt } });
    await heard;
    expect(await facts()).toMatchObject({ expiresAt });

    heard = second!.heard();
    await db.prisma.legalEntity.update({ where: { id: credential.legalEntityId }, data: { archivedAt: new Date() } });
    expect(await heard).toBe(`LegalEntity:${credential.legalEntityId}`);
    expect(await facts()).toMatchObject({ entityArchived: true });
    await db.prisma.legalEntity.update({ where: { id: credential.legalEntityId }, data: { archivedAt: null } });

    const gone = await db.prisma.credential.findFirstOrThrow({ where: { organizationId, id: { not: credential.id } } });
    expect((await second!.cache.find(key, gone.id)).credential?.id).toBe(gone.id);
    heard = second!.heard();
    await db.prisma.credential.update({ where: { id: gone.id }, data: { deletedAt: new Date() } });
    await heard;
    expect((await second!.cache.find(key, gone.id)).credential).toBeNull();
    credential = await db.prisma.credential.findUniqueOrThrow({ where: { id: credential.id } });
  });

  it('what changes often and matters not (last use, a connection test) announces nothing', async () => {
    const { heard } = await instance(db);
    const first = heard();
    await db.prisma.credential.update({ where: { id: credential.id }, data: { lastUsedAt: new Date() } });
    await db.prisma.serviceAccount.updateMany({ where: { organizationId }, data: { lastUsedAt: new Date() } });
    await db.prisma.connectionTest.create({ data: { credentialId: credential.id, outcome: 'SUCCESS', message: 'ok', startedAt: new Date(), durationMs: 5, trigger: 'USER', credentialVersion: credential.version } });
    // A change that does announce, made last: the first change heard must be this one.
    const { id } = await account();
    await revokeServiceAccount(services, { actor: system, organizationId, id });
    expect(await first).toBe(`ServiceAccount:${id}`);
  });

  it('1,000 keys revoked at once: every instance refuses each of them', async () => {
    const keys = Array.from({ length: 1_000 }, newKey);
    await db.prisma.serviceAccount.createMany({
      data: keys.map((key, i) => ({ organizationId, name: `storm ${i}`, keyHash: hashApiKey(key), keyPrefix: key.slice(0, 8), scopes: ['token:read'], legalEntityIds: [credential.legalEntityId] })),
    });
    const [, second, third] = await three();
    for (const key of keys) expect((await second!.cache.find(key)).account).not.toBeNull();
    for (const key of keys.slice(0, 10)) expect((await third!.cache.find(key)).account).not.toBeNull();
    const all = Promise.all([second!.heard(keys.length), third!.heard(keys.length)]);
    await db.prisma.serviceAccount.updateMany({ where: { name: { startsWith: 'storm ' } }, data: { revokedAt: new Date() } });
    await all;
    for (const key of keys) expect((await second!.cache.find(key)).account).toBeNull();
    for (const key of keys.slice(0, 10)) expect((await third!.cache.find(key)).account).toBeNull();
  });

  it('a deleted organization’s keys are refused at once', async () => {
    const other = await db.prisma.organization.create({ data: { name: 'Gone Ltd', slug: `gone-${randomUUID()}` } });
    const key = newKey();
    await db.prisma.serviceAccount.create({ data: { organizationId: other.id, name: 'gone', keyHash: hashApiKey(key), keyPrefix: key.slice(0, 8), scopes: ['token:read'], legalEntityIds: [] } });
    const { cache, heard } = await instance(others[0] ?? db);
    expect((await cache.find(key)).account?.organizationId).toBe(other.id);
    const told = heard();
    await db.prisma.organization.delete({ where: { id: other.id } });
    expect(await told).toMatch(/^ServiceAccount:/);
    expect((await cache.find(key)).account).toBeNull();
  });

  if (kind === 'postgres') it('a lost listener reconnects and starts afresh; meanwhile the bounded check holds', async () => {
    const { key, id } = await account();
    let clock = Date.now();
    restoreClock = setClock(() => clock);
    const second = await instance(others[0]!, { checkEveryMs: CHECK_EVERY_MS, retryMs: 50 });
    expect((await second.cache.find(key)).account?.id).toBe(id);
    const listeners = () => db.sql.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN %'`);
    const before = (await listeners()).map((row) => row.pid);
    await db.sql.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid = ANY($1::int[])`, [before]);
    // Revoked while nobody listens: the notification is lost. Until the listener is back, or the
    // bound has passed, the key may still be served; once either happens it is not.
    await revokeServiceAccount(services, { actor: system, organizationId, id });
    clock += CHECK_EVERY_MS;
    expect((await second.cache.find(key)).account).toBeNull();

    // Reconnected (a new LISTEN connection), and heard again.
    for (let i = 0; i < 200 && !(await listeners()).some((row) => !before.includes(row.pid)); i++) await new Promise((resolve) => setTimeout(resolve, 25));
    const again = await account();
    expect((await second.cache.find(again.key)).account?.id).toBe(again.id);
    const told = second.heard();
    await revokeServiceAccount(services, { actor: system, organizationId, id: again.id });
    await told;
    expect((await second.cache.find(again.key)).account).toBeNull();
  });
});
