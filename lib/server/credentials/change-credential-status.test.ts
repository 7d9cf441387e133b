import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '@/lib/server/audit/append-audit-event';
import { verifyAllAuditChains } from '@/lib/server/audit/verify-audit-chain';
import { changeCredentialStatus, STATUS_TRANSITIONS, type StatusChange } from '@/lib/server/credentials/change-credential-status';
import type { Database } from '@/lib/server/db/open-database';
import { openTestDatabase, testDatabaseKinds } from '@/lib/server/test-support/test-database';
import { seedDemo } from '@/lib/server/seed/seed-demo';
import { CredentialStatus } from '@/prisma/generated/enums';

const STATUSES = Object.values(CredentialStatus);
const PAIRS = STATUSES.flatMap((from) => STATUSES.map((to) => [from, to] as const));

describe.each(testDatabaseKinds())('credential status on %s', (kind) => {
  let db: Database;
  let credential: { id: string; organizationId: string };
  beforeAll(async () => {
    db = await openTestDatabase(kind);
    await seedDemo(db.prisma, { demoPassword: 'unused-in-these-tests' });
    credential = await db.prisma.credential.findFirstOrThrow({ select: { id: true, organizationId: true } });
  });
  afterAll(async () => db.close());

  // The fixture puts the credential in a state directly; production code never does (see below).
  const putIn = (status: CredentialStatus) => db.prisma.$executeRaw`UPDATE "Credential" SET status = ${status}::"CredentialStatus", "lastError" = 'old' WHERE id = ${credential.id}::uuid`;
  const moveTo = (to: CredentialStatus, extra: Partial<StatusChange> = {}) =>
    db.prisma.$transaction((tx) =>
      changeCredentialStatus(tx, {
        credential,
        event: { actor: SYSTEM_ACTOR, action: 'test.move', outcome: 'SUCCESS', details: { note: 'kept' } },
        ...(to === 'NEEDS_ATTENTION' ? { to, lastError: 'the provider refused it' } : { to }),
        ...extra,
      } as StatusChange),
    );
  // Every call records its action's event; the ones that moved the status say so on it.
  const events = () => db.prisma.auditEvent.findMany({ where: { action: 'test.move', targetId: credential.id }, orderBy: { seq: 'asc' } });
  const moves = async () => (await events()).filter((e) => (e.details as Record<string, unknown>).toStatus !== undefined).length;

  it('knows every status, and nothing leaves REVOKED', () => {
    expect(Object.keys(STATUS_TRANSITIONS).sort()).toEqual([...STATUSES].sort());
    expect(STATUS_TRANSITIONS.REVOKED).toEqual([]);
  });

  it.each(PAIRS)('%s → %s: allowed pairs move (recorded on the event when the status changes), others are refused and change nothing', async (from, to) => {
    await putIn(from);
    const [eventsBefore, movesBefore] = [(await events()).length, await moves()];
    const result = await moveTo(to);
    const row = await db.prisma.credential.findUniqueOrThrow({ where: { id: credential.id }, select: { status: true, lastError: true } });
    expect((await events()).length).toBe(eventsBefore + 1);
    if (STATUS_TRANSITIONS[from].includes(to)) {
      expect(result).toEqual({ changed: true, from });
      expect(row).toEqual({ status: to, lastError: to === 'NEEDS_ATTENTION' ? 'the provider refused it' : null });
      expect(await moves()).toBe(movesBefore + (from === to ? 0 : 1));
    } else {
      expect(result).toEqual({ changed: false, current: from });
      expect(row).toEqual({ status: from, lastError: 'old' });
      expect(await moves()).toBe(movesBefore);
    }
  });

  it('records the move on the action’s own event, in the chain', async () => {
    await putIn('ACTIVE');
    await moveTo('NEEDS_ATTENTION');
    const event = (await events()).at(-1)!;
    expect(event).toMatchObject({ actorType: 'SYSTEM', outcome: 'SUCCESS', targetType: 'Credential', organizationId: credential.organizationId, details: { note: 'kept', fromStatus: 'ACTIVE', toStatus: 'NEEDS_ATTENTION' } });
    expect((await verifyAllAuditChains(db.prisma, new Map())).every((report) => report.ok)).toBe(true);
  });

  it('moves only from the states the caller names', async () => {
    await putIn('ACTIVE');
    expect(await moveTo('ACTIVE', { onlyFrom: ['NEEDS_ATTENTION'] })).toEqual({ changed: false, current: 'ACTIVE' });
    await putIn('NEEDS_ATTENTION');
    expect(await moveTo('ACTIVE', { onlyFrom: ['NEEDS_ATTENTION'] })).toEqual({ changed: true, from: 'NEEDS_ATTENTION' });
  });

  it('lets exactly one of two writers racing from the same state win', async () => {
    await putIn('ACTIVE');
    const movesBefore = await moves();
    // REVOKED → REVOKED is not a move, so in any order only one may succeed; without the
    // conditional write both would read ACTIVE and both would write.
    const race = () => Promise.all([moveTo('REVOKED'), moveTo('REVOKED'), moveTo('REVOKED')]);
    // On PostgreSQL, hold the row while all three read ACTIVE and queue for the write, so the race
    // really happens (PGlite runs one transaction at a time).
    const results = kind === 'postgres' ? await whileRowLocked(race) : await race();
    expect(results.filter((r) => r.changed)).toHaveLength(1);
    expect(results.filter((r) => !r.changed)).toEqual([{ changed: false, current: 'REVOKED' }, { changed: false, current: 'REVOKED' }]);
    expect(await moves()).toBe(movesBefore + 1);
  });

  async function whileRowLocked<T>(work: () => Promise<T>): Promise<T> {
    let running: Promise<T> | undefined;
    await db.sql.transaction(async (tx) => {
      await tx.query(`SELECT 1 FROM "Credential" WHERE id = $1 FOR UPDATE`, [credential.id]);
      running = work();
      for (let waiting = 0; waiting < 3; ) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        waiting = (await db.sql.query<{ waiting: number }>(`SELECT count(*)::int AS waiting FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()`))[0]?.waiting ?? 0;
      }
    });
    return running!;
  }

  it('answers for a credential that does not exist', async () => {
    const missing = { id: '00000000-0000-4000-8000-000000000000', organizationId: credential.organizationId };
    expect(await db.prisma.$transaction((tx) => changeCredentialStatus(tx, { credential: missing, to: 'ACTIVE', event: { actor: SYSTEM_ACTOR, action: 'test.move', outcome: 'SUCCESS' } }))).toEqual({ changed: false, current: null });
  });
});
