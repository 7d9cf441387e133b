import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { setClock } from '@/lib/server/clock';
import { makeKeyring } from '@/lib/server/crypto/keyring';
import { openDatabase, type Database } from '@/lib/server/db/open-database';
import { housekeeping, KEEP_ENDED_DAYS } from '@/lib/server/jobs/housekeeping';
import { listJobs, runDueJobs, type Job } from '@/lib/server/jobs/scheduler';
import { seedDemo } from '@/lib/server/seed/seed-demo';
import type { Services } from '@/lib/server/services';
import { openTestDatabase, testDatabaseKinds } from '@/lib/server/test-support/test-database';

const MINUTE = 60_000;
const T0 = Date.UTC(2027, 0, 4, 9, 0, 0);

describe.each(testDatabaseKinds())('scheduler on %s', (kind) => {
  let db: Database;
  let services: Services;
  let clock = T0;
  let restore: () => void;
  beforeAll(async () => {
    db = await openTestDatabase(kind);
    services = { prisma: db.prisma, keyring: makeKeyring(randomBytes(32)) };
    restore = setClock(() => clock);
  });
  afterAll(async () => {
    restore();
    await db.close();
  });
  afterEach(() => void (clock = T0));

  const counting = (name: string, intervalMs = 10 * MINUTE) => {
    const job = { name, description: name, intervalMs, leaseMs: 5 * MINUTE, runs: 0, fail: false } as Job & { runs: number; fail: boolean };
    job.run = async () => {
      job.runs++;
      if (job.fail) throw new Error('provider down');
      return `run ${job.runs}`;
    };
    return job;
  };

  it('runs each job in its own lane: a job still running never holds another that is due', async () => {
    let quickRan!: () => void;
    const quickHasRun = new Promise<void>((resolve) => (quickRan = resolve));
    // Listed first, and finishes only once the other job has run: one after another, this never ends.
    const slow: Job = { name: 'lane-slow', description: 'waits', intervalMs: 10 * MINUTE, leaseMs: 5 * MINUTE, run: async () => (await quickHasRun, 'done waiting') };
    const quick: Job = { name: 'lane-quick', description: 'quick', intervalMs: 10 * MINUTE, leaseMs: 5 * MINUTE, run: async () => (quickRan(), 'quick') };
    expect(await runDueJobs(services, [slow, quick])).toEqual(['lane-slow', 'lane-quick']);
  });

  it('runs a new job at once, then once per interval, whatever the number of ticks', async () => {
    const job = counting(`every-ten-${kind}`);
    expect(await runDueJobs(services, [job])).toEqual([job.name]);
    clock += 9 * MINUTE;
    expect(await runDueJobs(services, [job])).toEqual([]);
    clock += MINUTE;
    expect(await runDueJobs(services, [job])).toEqual([job.name]);
    expect(job.runs).toBe(2);
    const [shown] = await listJobs(services, [job]);
    expect(shown).toMatchObject({ lastResult: 'run 2', lastError: null, running: false, nextRunAt: new Date(clock + 10 * MINUTE) });
    expect(await db.prisma.auditEvent.count({ where: { action: 'job.run', targetId: job.name, actorType: 'SYSTEM', outcome: 'SUCCESS' } })).toBe(2);
  });

  it('records a failure, keeps to the schedule and runs the other jobs', async () => {
    const failing = counting(`failing-${kind}`);
    const other = counting(`other-${kind}`);
    failing.fail = true;
    expect(await runDueJobs(services, [failing, other])).toEqual([failing.name, other.name]);
    const [shown] = await listJobs(services, [failing]);
    expect(shown).toMatchObject({ lastError: 'provider down', lastResult: null, nextRunAt: new Date(T0 + 10 * MINUTE) });
    expect(await db.prisma.auditEvent.findFirstOrThrow({ where: { action: 'job.run', targetId: failing.name } })).toMatchObject({ outcome: 'FAILURE' });
  });

  it('a run that never finished (a crashed process) is run again once its lease has passed, not before', async () => {
    const job = counting(`crashing-${kind}`);
    // Another process claimed it and died: its row says so.
    await db.prisma.scheduledJob.create({ data: { name: job.name, nextRunAt: new Date(T0 - MINUTE), leaseOwner: 'dead-process', leaseUntil: new Date(T0 + 5 * MINUTE), lastStartedAt: new Date(T0) } });
    expect((await listJobs(services, [job]))[0]!.running).toBe(true);
    clock += 4 * MINUTE;
    expect(await runDueJobs(services, [job])).toEqual([]);
    clock += 2 * MINUTE;
    expect(await runDueJobs(services, [job])).toEqual([job.name]);
    expect(job.runs).toBe(1);
  });
});

describe.runIf(process.env.TEST_DATABASE_URL)('scheduler on one PostgreSQL, three instances', () => {
  it('runs each tick once, whoever ticks', async () => {
    const db = await openTestDatabase('postgres');
    // Three connection pools of their own, as three server processes have.
    const instances = await Promise.all([0, 1, 2].map(() => openDatabase({ kind: 'postgres', url: db.url! })));
    let clock = T0;
    const restore = setClock(() => clock);
    try {
      let runs = 0;
      const job: Job = {
        name: 'shared',
        description: 'shared',
        intervalMs: MINUTE,
        leaseMs: MINUTE,
        run: async () => {
          runs++;
          await new Promise((resolve) => setTimeout(resolve, 20)); // the others tick meanwhile
          return 'ok';
        },
      };
      for (let tick = 0; tick < 5; tick++) {
        const ran = await Promise.all(instances.map((instance, i) => runDueJobs({ prisma: instance.prisma, keyring: makeKeyring(randomBytes(32)) }, [job], { owner: `instance-${i}` })));
        expect(ran.flat()).toEqual(['shared']);
        clock += MINUTE;
      }
      expect(runs).toBe(5);
    } finally {
      restore();
      await Promise.all(instances.map((instance) => instance.close()));
      await db.close();
    }
  });
});

describe.each(testDatabaseKinds())('housekeeping on %s', (kind) => {
  it('removes what stopped mattering and keeps the rest', async () => {
    const db = await openTestDatabase(kind);
    const restore = setClock(() => T0);
    try {
      await seedDemo(db.prisma, { demoPassword: 'housekeeping-test-1' });
      const user = await db.prisma.user.findFirstOrThrow();
      const long = new Date(T0 - (KEEP_ENDED_DAYS + 1) * 86_400_000);
      const recent = new Date(T0 - 86_400_000);
      const later = new Date(T0 + 86_400_000);
      await db.prisma.stepUpGrant.createMany({
        data: [
          { userId: user.id, sessionId: 's', purpose: 'credentials', expiresAt: recent },
          { userId: user.id, sessionId: 's', purpose: 'credentials', expiresAt: later },
        ],
      });
      await db.prisma.rateLimiterFlexible.createMany({ data: [{ key: 'old', points: 3, expire: recent }, { key: 'live', points: 3, expire: later }] });
      const link = (tag: string, data: object) => ({ purpose: 'INVITE' as const, tokenHash: tag.padEnd(64, '0'), expiresAt: later, ...data });
      await db.prisma.oneTimeLink.createMany({
        data: [link('a', { usedAt: long }), link('b', { cancelledAt: long }), link('c', { expiresAt: long }), link('d', { usedAt: recent }), link('e', {})],
      });
      await db.prisma.session.createMany({
        data: [
          { id: randomUUID(), userId: user.id, expiresAt: long },
          { id: randomUUID(), userId: user.id, expiresAt: later, endedAt: long },
          { id: 'keep', userId: user.id, expiresAt: later },
        ],
      });
      expect(await housekeeping(db)).toBe('0 deleted credentials purged, 0 previous secret versions destroyed, 0 change requests expired, 1 step-up grants, 0 passkey challenges, 1 rate-limit counters, 3 links, 2 sessions removed');
      expect(await db.prisma.stepUpGrant.count()).toBe(1);
      expect((await db.prisma.rateLimiterFlexible.findMany()).map((r) => r.key)).toEqual(['live']);
      expect((await db.prisma.oneTimeLink.findMany({ orderBy: { tokenHash: 'asc' } })).map((l) => l.tokenHash[0])).toEqual(['d', 'e']);
      expect((await db.prisma.session.findMany()).map((s) => s.id)).toEqual(['keep']);
    } finally {
      restore();
      await db.close();
    }
  });
});
