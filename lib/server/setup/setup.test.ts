import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ZSetup } from '@/lib/schemas/accounts';
import { setClock } from '@/lib/server/clock';
import type { Database } from '@/lib/server/db/open-database';
import { completeSetup } from '@/lib/server/setup/complete-setup';
import { createFirstOrganization } from '@/lib/server/setup/create-organization';
import { offerSetupLink, setupPageState } from '@/lib/server/setup/setup-link';
import { openTestDatabase, testDatabaseKinds } from '@/lib/server/test-support/test-database';
import { verifyPassword } from '@/lib/server/auth/password';

const BASE = 'https://vault.example.com';
const request = { ip: '192.0.2.7', userAgent: 'vitest' };
const tokenOf = (url: string) => new URL(url).searchParams.get('token')!;
const form = (token: string, email = 'ada@acme.example') =>
  ZSetup.parse({ token, organizationName: 'Acme Group', name: 'Ada Admin', email, password: 'a long enough passphrase', repeatPassword: 'a long enough passphrase' });

describe.each(testDatabaseKinds())('first-run setup on %s', (kind) => {
  let db: Database;
  let restoreClock: (() => void) | undefined;
  beforeAll(async () => {
    db = await openTestDatabase(kind);
  });
  afterAll(async () => db.close());
  afterEach(() => restoreClock?.());

  const refusals = () => db.prisma.auditEvent.findMany({ where: { action: 'setup.completed', outcome: 'DENIED' }, orderBy: { seq: 'asc' } });

  it('refuses forged, expired and missing tokens, changing nothing, each refusal audited', async () => {
    const url = (await offerSetupLink(db.prisma, { baseUrl: BASE }))!;
    expect(url).toMatch(/^https:\/\/vault\.example\.com\/setup\?token=[A-Za-z0-9_-]{43}$/);
    const token = tokenOf(url);
    // Only the hash is stored.
    const stored = await db.prisma.oneTimeLink.findFirstOrThrow({ where: { purpose: 'SETUP' } });
    expect(stored.tokenHash).not.toContain(token);
    expect(await setupPageState(db.prisma, undefined)).toBe('refused');
    expect(await setupPageState(db.prisma, 'A'.repeat(43))).toBe('refused');
    expect(await setupPageState(db.prisma, token)).toBe('ready');

    expect(await completeSetup(db, form('A'.repeat(43)), request)).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    const start = Date.now();
    restoreClock = setClock(() => start + 24 * 3600_000 + 1000);
    expect(await setupPageState(db.prisma, token)).toBe('refused');
    expect(await completeSetup(db, form(token), request)).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    restoreClock();
    expect(await db.prisma.organization.count()).toBe(0);
    expect(await db.prisma.user.count()).toBe(0);
    expect((await refusals()).map((e) => [(e.details as { reason: string }).reason, e.ip, e.chain])).toEqual([
      ['link_refused', '192.0.2.7', 'platform'],
      ['link_refused', '192.0.2.7', 'platform'],
    ]);
  });

  it('creates the organization and its administrator once; then the link and the page are gone', async () => {
    const token = tokenOf((await offerSetupLink(db.prisma, { baseUrl: BASE }))!);
    expect(await completeSetup(db, form(token), request)).toEqual({ ok: true, data: { email: 'ada@acme.example' } });
    const admin = await db.prisma.user.findUniqueOrThrow({ where: { email: 'ada@acme.example' }, include: { organization: true } });
    expect([admin.role, admin.name, admin.organization.name, admin.organization.slug, admin.totpEnabledAt]).toEqual(['ADMIN', 'Ada Admin', 'Acme Group', 'acme-group', null]);
    expect(await verifyPassword('a long enough passphrase', admin.passwordHash)).toBe(true);
    const done = await db.prisma.auditEvent.findFirstOrThrow({ where: { action: 'setup.completed', outcome: 'SUCCESS' } });
    expect([done.actorId, done.organizationId, done.ip]).toEqual([admin.id, admin.organizationId, '192.0.2.7']);

    expect(await setupPageState(db.prisma, token)).toBe('done');
    expect(await offerSetupLink(db.prisma, { baseUrl: BASE })).toBeNull();
    // The same link again, or another still-unused one: the installation is set up.
    expect(await completeSetup(db, form(token, 'eve@evil.example'), request)).toMatchObject({ ok: false, error: { code: 'INVALID_STATE' } });
    expect(await db.prisma.organization.count()).toBe(1);
    expect(await db.prisma.user.count()).toBe(1);
  });
});

describe.skipIf(!process.env.TEST_DATABASE_URL)('setup raced on postgres', () => {
  it('a second process waits for the first to commit, then sees the organization and creates none', async () => {
    const db = await openTestDatabase('postgres');
    try {
      const input = (organizationName: string, email: string) => ({ organizationName, name: 'Admin', email, passwordHash: 'scrypt$test' });
      let created!: () => void;
      let release!: () => void;
      const firstCreated = new Promise<void>((resolve) => (created = resolve));
      const held = new Promise<void>((resolve) => (release = resolve));
      const first = db.prisma.$transaction(async (tx) => {
        const result = await createFirstOrganization(tx, input('Acme Group', 'ada@acme.example'));
        created();
        await held; // still uncommitted while the second one tries
        return result;
      });
      await firstCreated;
      let settled = false;
      const second = db.prisma.$transaction((tx) => createFirstOrganization(tx, input('Other Group', 'eve@other.example'))).finally(() => (settled = true));
      // Until the second transaction is seen waiting for the first's lock (or has finished without waiting).
      for (;;) {
        const [{ waiting }] = await db.prisma.$queryRaw<[{ waiting: number }]>`SELECT count(*)::int AS waiting FROM pg_locks WHERE locktype = 'advisory' AND NOT granted`;
        if (waiting > 0 || settled) break;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      release();
      expect(await first).toMatchObject({ organization: { name: 'Acme Group' } });
      expect(await second).toBeNull();
      expect(await db.prisma.organization.count()).toBe(1);
    } finally {
      await db.close();
    }
  });
});

describe('setup form rules', () => {
  const base = { token: 'A'.repeat(43), organizationName: 'Acme', name: 'Ada', email: 'Ada@Acme.example' };
  it('wants 12 characters, not the email, typed twice the same', () => {
    const issues = (password: string, repeatPassword = password) =>
      ZSetup.safeParse({ ...base, password, repeatPassword }).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`) ?? [];
    expect(issues('short')).toEqual(['password: At least 12 characters']);
    expect(issues('ada@acme.example')).toEqual(['password: Choose a password that is not your email address']);
    expect(issues('a long enough passphrase', 'a long enough passphrasE')).toEqual(['repeatPassword: The two passwords differ']);
    expect(issues('a long enough passphrase')).toEqual([]);
    expect(ZSetup.parse({ ...base, password: 'a long enough passphrase', repeatPassword: 'a long enough passphrase' }).email).toBe('ada@acme.example');
  });
});
