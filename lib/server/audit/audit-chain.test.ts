import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { appendAuditEvent } from '@/lib/server/audit/append-audit-event';
import { recordAuditEvent } from '@/lib/server/audit/record-audit-event';
import { verifyAuditChain } from '@/lib/server/audit/verify-audit-chain';
import type { Database } from '@/lib/server/db/open-database';
import { openTestDatabase, testDatabaseKinds } from '@/lib/server/db/test-database';

describe.each(testDatabaseKinds())('audit chain on %s', (kind) => {
  let db: Database;
  beforeEach(async () => {
    db = await openTestDatabase(kind);
  });
  afterEach(async () => db.close());

  const append = (action: string, details = {}) =>
    db.prisma.$transaction((tx) =>
      appendAuditEvent(tx, { actor: { type: 'SYSTEM' }, action, outcome: 'SUCCESS', details }),
    );

  it('links every event to the one before it and verifies', async () => {
    for (const action of ['a', 'b', 'c']) await append(action);
    const events = await db.prisma.auditEvent.findMany({ orderBy: { seq: 'asc' } });
    expect(events.map((e) => e.action)).toEqual(['a', 'b', 'c']);
    expect(events[1]!.prevHash).toBe(events[0]!.hash);
    expect(events[2]!.prevHash).toBe(events[1]!.hash);
    expect(await verifyAuditChain(db.prisma)).toEqual({ ok: true, events: 3, headHash: events[2]!.hash });
  });

  it('reports an edited event', async () => {
    for (const action of ['a', 'b', 'c']) await append(action, { field: 'clientSecret' });
    const [, second] = await db.prisma.auditEvent.findMany({ orderBy: { seq: 'asc' } });
    await db.prisma.auditEvent.update({ where: { seq: second!.seq }, data: { details: { field: 'apiKey' } } });
    expect(await verifyAuditChain(db.prisma)).toMatchObject({ ok: false, brokenAt: second!.seq, reason: expect.stringMatching(/changed/) });
  });

  it('reports a deleted event', async () => {
    for (const action of ['a', 'b', 'c']) await append(action);
    const [, second, third] = await db.prisma.auditEvent.findMany({ orderBy: { seq: 'asc' } });
    await db.prisma.auditEvent.delete({ where: { seq: second!.seq } });
    expect(await verifyAuditChain(db.prisma)).toMatchObject({ ok: false, brokenAt: third!.seq, reason: expect.stringMatching(/removed or reordered/) });
  });

  it('reports reordered events', async () => {
    for (const action of ['a', 'b', 'c']) await append(action);
    const [, second, third] = await db.prisma.auditEvent.findMany({ orderBy: { seq: 'asc' } });
    // Swap the rows' positions in the chain.
    await db.sql.exec(`UPDATE "AuditEvent" SET seq = -1 WHERE seq = ${second!.seq}`);
    await db.sql.exec(`UPDATE "AuditEvent" SET seq = ${second!.seq} WHERE seq = ${third!.seq}`);
    await db.sql.exec(`UPDATE "AuditEvent" SET seq = ${third!.seq} WHERE seq = -1`);
    expect(await verifyAuditChain(db.prisma)).toMatchObject({ ok: false, brokenAt: second!.seq });
  });

  it('does not fork under concurrent appends', async () => {
    await Promise.all(Array.from({ length: 40 }, (_, i) => append(`concurrent-${i}`)));
    const events = await db.prisma.auditEvent.findMany({ orderBy: { seq: 'asc' } });
    expect(events).toHaveLength(40);
    expect(new Set(events.map((e) => e.prevHash)).size).toBe(40);
    expect(await verifyAuditChain(db.prisma)).toMatchObject({ ok: true, events: 40 });
  });

  it('records batched events in order and in one chain with transactional appends', async () => {
    const recorded = Array.from({ length: 150 }, (_, i) => recordAuditEvent(db.prisma, { actor: { type: 'SYSTEM' }, action: `batched-${i}`, outcome: 'SUCCESS' }));
    const appended = Array.from({ length: 10 }, (_, i) => append(`appended-${i}`));
    await Promise.all([...recorded, ...appended]);
    const events = await db.prisma.auditEvent.findMany({ orderBy: { seq: 'asc' }, select: { action: true } });
    expect(events).toHaveLength(160);
    const batched = events.map((e) => e.action).filter((a) => a.startsWith('batched-'));
    expect(batched).toEqual(Array.from({ length: 150 }, (_, i) => `batched-${i}`));
    expect(await verifyAuditChain(db.prisma)).toMatchObject({ ok: true, events: 160 });
  });

  it('leaves no event behind when the surrounding change rolls back', async () => {
    await expect(
      db.prisma.$transaction(async (tx) => {
        await appendAuditEvent(tx, { actor: { type: 'SYSTEM' }, action: 'doomed', outcome: 'SUCCESS' });
        throw new Error('change failed');
      }),
    ).rejects.toThrow('change failed');
    expect(await db.prisma.auditEvent.count()).toBe(0);
  });
});
