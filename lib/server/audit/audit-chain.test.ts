import { randomBytes, randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { appendAuditEvent } from '@/lib/server/audit/append-audit-event';
import { recordAuditEvent } from '@/lib/server/audit/record-audit-event';
import { verifyAllAuditChains, verifyAuditChain } from '@/lib/server/audit/verify-audit-chain';
import { writeAuditCheckpoint } from '@/lib/server/audit/write-audit-checkpoint';
import { trustedAuditKeys } from '@/lib/server/crypto/audit-signing-key';
import { makeKeyring } from '@/lib/server/crypto/keyring';
import type { Database } from '@/lib/server/db/open-database';
import { openTestDatabase, testDatabaseKinds } from '@/lib/server/test-support/test-database';

describe.each(testDatabaseKinds())('audit chain on %s', (kind) => {
  let db: Database;
  beforeEach(async () => {
    db = await openTestDatabase(kind);
  });
  afterEach(async () => db.close());

  const append = (action: string, details = {}, organizationId: string | null = null) =>
    db.prisma.$transaction((tx) =>
      appendAuditEvent(tx, { actor: { type: 'SYSTEM' }, action, outcome: 'SUCCESS', details, organizationId }),
    );
  const keyring = makeKeyring(randomBytes(32));
  // Events of no organization form the platform's chain.
  const verify = async (chain = 'platform') => verifyAuditChain(db.prisma, { chain, publicKeys: await trustedAuditKeys(db.prisma, keyring) });

  it('links every event to the one before it and verifies', async () => {
    for (const action of ['a', 'b', 'c']) await append(action);
    const events = await db.prisma.auditEvent.findMany({ orderBy: { seq: 'asc' } });
    expect(events.map((e) => e.action)).toEqual(['a', 'b', 'c']);
    expect(events[1]!.prevHash).toBe(events[0]!.hash);
    expect(events[2]!.prevHash).toBe(events[1]!.hash);
    expect(await verify()).toEqual({ ok: true, chain: 'platform', events: 3, headHash: events[2]!.hash, checkpoints: 0 });
  });

  it('reports an edited event', async () => {
    for (const action of ['a', 'b', 'c']) await append(action, { field: 'clientSecret' });
    const [, second] = await db.prisma.auditEvent.findMany({ orderBy: { seq: 'asc' } });
    await db.prisma.auditEvent.update({ where: { seq: second!.seq }, data: { details: { field: 'apiKey' } } });
    expect(await verify()).toMatchObject({ ok: false, brokenAt: second!.seq, reason: expect.stringMatching(/changed/) });
  });

  it('reports a renumbered event, and a number given by the writer is not the one kept', async () => {
    for (const action of ['a', 'b', 'c']) await append(action);
    const [, second] = await db.prisma.auditEvent.findMany({ orderBy: { seq: 'asc' } });
    await db.prisma.auditEvent.update({ where: { seq: second!.seq }, data: { number: 7n } });
    expect(await verify()).toMatchObject({ ok: false, brokenAt: second!.seq, reason: 'it is numbered 7, not 2 (renumbered)' });
    await db.prisma.auditEvent.update({ where: { seq: second!.seq }, data: { number: 2n } });
    expect(await verify()).toMatchObject({ ok: true, events: 3 });
    // The trigger numbers what is inserted, whatever the statement says.
    const inserted = await db.prisma.$queryRaw<{ number: bigint }[]>`
      INSERT INTO "AuditEvent" ("chain", "number", "at", "actorType", "action", "outcome", "details", "prevHash", "hash")
      VALUES ('platform', 99, now(), 'SYSTEM', 'x', 'SUCCESS', '{}', repeat('0', 64), repeat('1', 64)) RETURNING "number"`;
    expect(inserted).toEqual([{ number: 4n }]);
  });

  it('reports a deleted event', async () => {
    for (const action of ['a', 'b', 'c']) await append(action);
    const [, second, third] = await db.prisma.auditEvent.findMany({ orderBy: { seq: 'asc' } });
    await db.prisma.auditEvent.delete({ where: { seq: second!.seq } });
    expect(await verify()).toMatchObject({ ok: false, brokenAt: third!.seq, reason: expect.stringMatching(/removed or reordered/) });
  });

  it('reports reordered events', async () => {
    for (const action of ['a', 'b', 'c']) await append(action);
    const [, second, third] = await db.prisma.auditEvent.findMany({ orderBy: { seq: 'asc' } });
    // Swap the rows' positions in the chain.
    await db.sql.exec(`UPDATE "AuditEvent" SET seq = -1 WHERE seq = ${second!.seq}`);
    await db.sql.exec(`UPDATE "AuditEvent" SET seq = ${second!.seq} WHERE seq = ${third!.seq}`);
    await db.sql.exec(`UPDATE "AuditEvent" SET seq = ${third!.seq} WHERE seq = -1`);
    expect(await verify()).toMatchObject({ ok: false, brokenAt: second!.seq });
  });

  it('does not fork under concurrent appends', async () => {
    await Promise.all(Array.from({ length: 40 }, (_, i) => append(`concurrent-${i}`)));
    const events = await db.prisma.auditEvent.findMany({ orderBy: { seq: 'asc' } });
    expect(events).toHaveLength(40);
    expect(new Set(events.map((e) => e.prevHash)).size).toBe(40);
    expect(await verify()).toMatchObject({ ok: true, events: 40 });
  });

  it('records batched events in order and in one chain with transactional appends', async () => {
    const recorded = Array.from({ length: 150 }, (_, i) => recordAuditEvent(db.prisma, { actor: { type: 'SYSTEM' }, action: `batched-${i}`, outcome: 'SUCCESS' }));
    const appended = Array.from({ length: 10 }, (_, i) => append(`appended-${i}`));
    await Promise.all([...recorded, ...appended]);
    const events = await db.prisma.auditEvent.findMany({ orderBy: { seq: 'asc' }, select: { action: true } });
    expect(events).toHaveLength(160);
    const batched = events.map((e) => e.action).filter((a) => a.startsWith('batched-'));
    expect(batched).toEqual(Array.from({ length: 150 }, (_, i) => `batched-${i}`));
    expect(await verify()).toMatchObject({ ok: true, events: 160 });
  });

  it('keeps one chain per organization: each verifies on its own, and an edit in one breaks only that one', async () => {
    const [a, b] = [randomUUID(), randomUUID()];
    for (let i = 0; i < 3; i++) {
      await append(`a-${i}`, {}, a);
      await append(`b-${i}`, {}, b);
    }
    await Promise.all(Array.from({ length: 20 }, (_, i) => recordAuditEvent(db.prisma, { actor: { type: 'SYSTEM' }, action: `batch-${i}`, outcome: 'SUCCESS', organizationId: i % 2 ? a : b })));
    expect(await verify(a)).toMatchObject({ ok: true, events: 13 });
    expect(await verify(b)).toMatchObject({ ok: true, events: 13 });
    // Each chain numbers its own events 1 … 13 in order, though their global sequence interleaves.
    for (const chain of [a, b]) {
      const numbers = (await db.prisma.auditEvent.findMany({ where: { chain }, orderBy: { seq: 'asc' }, select: { number: true } })).map((e) => Number(e.number));
      expect(numbers).toEqual(Array.from({ length: 13 }, (_, i) => i + 1));
    }
    const first = await db.prisma.auditEvent.findFirstOrThrow({ where: { chain: a }, orderBy: { seq: 'asc' } });
    await db.prisma.auditEvent.update({ where: { seq: first.seq }, data: { action: 'rewritten' } });
    expect(await verify(a)).toMatchObject({ ok: false, brokenAt: first.seq });
    expect(await verify(b)).toMatchObject({ ok: true });
    expect((await verifyAllAuditChains(db.prisma, await trustedAuditKeys(db.prisma, keyring))).map((r) => [r.chain, r.ok])).toEqual(
      [['global', true], [a, false], [b, true]].sort((x, y) => String(x[0]).localeCompare(String(y[0]))),
    );
  });

  it('a signed checkpoint reveals events removed from the end of a chain', async () => {
    for (const action of ['a', 'b', 'c', 'd']) await append(action);
    const events = await db.prisma.auditEvent.findMany({ orderBy: { seq: 'asc' } });
    expect(await writeAuditCheckpoint(db.prisma, keyring, { chain: 'platform' })).toBe(events[3]!.seq);
    expect(await verify()).toMatchObject({ ok: true, events: 4, checkpoints: 1 });
    // Without a checkpoint the shorter chain would look whole: every remaining link is right.
    await db.prisma.auditEvent.deleteMany({ where: { seq: { gte: events[2]!.seq } } });
    expect(await verify()).toMatchObject({ ok: false, brokenAt: events[1]!.seq + 1n, reason: expect.stringMatching(/removed/) });
  });

  it('refuses a forged checkpoint, and one moved to another chain', async () => {
    const org = randomUUID();
    for (const action of ['a', 'b']) await append(action, {}, org);
    await writeAuditCheckpoint(db.prisma, keyring, { chain: org });
    expect(await verify(org)).toMatchObject({ ok: true, checkpoints: 1 });
    const checkpoint = await db.prisma.auditCheckpoint.findFirstOrThrow({ where: { chain: org } });
    await db.prisma.auditCheckpoint.update({ where: { id: checkpoint.id }, data: { chain: 'platform' } });
    expect(await verify('platform')).toMatchObject({ ok: false, reason: expect.stringMatching(/not signed by a known key/) });
    // Someone with the database but not the KEK: a signing key of their own, and what it signed, are not trusted.
    const other = makeKeyring(randomBytes(32));
    await db.prisma.auditCheckpoint.deleteMany();
    await db.prisma.auditSigningKey.updateMany({ data: { retiredAt: new Date() } });
    await writeAuditCheckpoint(db.prisma, other, { chain: org });
    expect(await db.prisma.auditCheckpoint.count()).toBe(1);
    expect(await verify(org)).toMatchObject({ ok: false, reason: expect.stringMatching(/not signed by a known key/) });
  });

  it('stores awkward text as it was given, so the hash made from it verifies (batched and alone)', async () => {
    const awkward = {
      actor: { type: 'SERVICE_ACCOUNT' as const, id: randomUUID(), label: 'quote " back\\slash\nnew line ☃ 𝄞', ip: '::1', userAgent: "it's\t\u0001" },
      target: { type: 'Credential', id: randomUUID() },
      outcome: 'DENIED' as const,
      details: { reason: 'E\'\\n\' — not a newline', list: ['a', 'ü'], nothing: null, count: 1.5, big: 2 ** 53 - 1, yes: false },
    };
    await Promise.all(Array.from({ length: 5 }, (_, i) => recordAuditEvent(db.prisma, { ...awkward, action: `awkward-${i}` })));
    await db.prisma.$transaction((tx) => appendAuditEvent(tx, { ...awkward, action: 'awkward-alone' }));
    const events = await db.prisma.auditEvent.findMany({ orderBy: { seq: 'asc' } });
    expect(events.map((e) => [e.actorLabel, e.userAgent, e.details])).toEqual(
      Array.from({ length: 6 }, () => [awkward.actor.label, awkward.actor.userAgent, awkward.details]),
    );
    expect(await verify()).toMatchObject({ ok: true, events: 6 });
  });

  it('a batch that cannot be written fails its own chain only', async () => {
    const org = randomUUID();
    const event = (organizationId: string, i: number) => recordAuditEvent(db.prisma, { actor: { type: 'SYSTEM' }, action: `event-${i}`, outcome: 'SUCCESS', organizationId });
    // Not a UUID: the statement of that chain is refused by the database, its events with it.
    const results = await Promise.allSettled([event(org, 1), event('not-a-uuid', 2), event(org, 3)]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(await verify(org)).toMatchObject({ ok: true, events: 2 });
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
