import 'server-only';
import { PROFILE_IDS, profileDefinition } from '@/lib/schemas/credential-profiles';
import { SYSTEM_ACTOR } from '@/lib/server/audit/append-audit-event';
import { nowMs } from '@/lib/server/clock';
import { runConnectionTest } from '@/lib/server/connection-tests/run-connection-test';
import type { OutboundPolicy } from '@/lib/server/net/guarded-fetch';
import type { Services } from '@/lib/server/services';

const HOUR_MS = 3_600_000;
/** Provider calls at once from one run; the rest wait for a free slot. */
export const TEST_CONCURRENCY = 4;
/** At most this many tests per run; the others are due at the next run. */
const BATCH = 500;

const TESTABLE = PROFILE_IDS.filter((profile) => profileDefinition(profile)?.test !== 'none');

/**
 * Tests every credential whose scheduled test is due (each sets its interval, daily by default, or
 * none), a few at a time, recorded with trigger SCHEDULER. A credential's next test is booked before
 * it runs (a conditional update, so two runs never test it twice); one that crashes mid-test is
 * tested again at its next interval. Drafts, revoked, expired, deleted credentials and archived
 * entities are left alone.
 */
export async function runScheduledTests(services: Services, { policy, concurrency = TEST_CONCURRENCY }: { policy?: OutboundPolicy; concurrency?: number } = {}) {
  const { prisma } = services;
  const now = new Date(nowMs());
  const due = await prisma.credential.findMany({
    where: {
      deletedAt: null,
      status: { in: ['ACTIVE', 'NEEDS_ATTENTION'] },
      testEveryHours: { not: null },
      profile: { in: TESTABLE },
      legalEntity: { archivedAt: null },
      OR: [{ nextTestAt: null }, { nextTestAt: { lte: now } }],
    },
    orderBy: { nextTestAt: { sort: 'asc', nulls: 'first' } },
    take: BATCH,
    select: { id: true, organizationId: true, testEveryHours: true, nextTestAt: true },
  });
  const counts = { passed: 0, failed: 0, skipped: 0 };
  const queue = [...due];
  const worker = async () => {
    for (let credential = queue.shift(); credential; credential = queue.shift()) {
      const booked = await prisma.credential.updateMany({
        where: { id: credential.id, nextTestAt: credential.nextTestAt },
        data: { nextTestAt: new Date(now.getTime() + credential.testEveryHours! * HOUR_MS) },
      });
      if (booked.count === 0) {
        counts.skipped += 1;
        continue;
      }
      const result = await runConnectionTest(services, { organizationId: credential.organizationId, credentialId: credential.id, trigger: 'SCHEDULER', actor: SYSTEM_ACTOR, ...(policy ? { policy } : {}) });
      if (!result.ok) counts.skipped += 1;
      else counts[result.data.outcome === 'SUCCESS' ? 'passed' : 'failed'] += 1;
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, queue.length) }, worker));
  return counts;
}
