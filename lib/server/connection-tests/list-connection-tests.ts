import 'server-only';
import type { Services } from '@/lib/server/services';
import type { PrismaClient, TestOutcome } from '@/prisma/generated/client';

export const TESTS_PER_PAGE = 20;
/** The chart shows the last 30 days, at most this many tests (hourly tests for a month). */
const CHART_DAYS = 30;
const CHART_POINTS = 24 * CHART_DAYS;

/**
 * A page of a credential's connection-test history (newest first, optionally one outcome only) and
 * the last 30 days' tests for the chart. Null when the credential is not the organization's.
 */
export async function listConnectionTests(
  { prisma }: Pick<Services, 'prisma'>,
  { organizationId, credentialId, outcome, page = 1, now = new Date() }: { organizationId: string; credentialId: string; outcome?: TestOutcome; page?: number; now?: Date },
) {
  const owned = await prisma.credential.count({ where: { id: credentialId, organizationId } });
  if (!owned) return null;
  const where = { credentialId, ...(outcome ? { outcome } : {}) };
  const select = { id: true, startedAt: true, durationMs: true, outcome: true, httpStatus: true, errorCode: true, message: true, trigger: true, credentialVersion: true } as const;
  const [total, tests, chart] = await Promise.all([
    prisma.connectionTest.count({ where }),
    prisma.connectionTest.findMany({ where, orderBy: { startedAt: 'desc' }, skip: (page - 1) * TESTS_PER_PAGE, take: TESTS_PER_PAGE, select }),
    prisma.connectionTest.findMany({
      where: { credentialId, startedAt: { gte: new Date(now.getTime() - CHART_DAYS * 86_400_000) } },
      orderBy: { startedAt: 'desc' },
      take: CHART_POINTS,
      select: { startedAt: true, durationMs: true, outcome: true },
    }),
  ]);
  return { total, pages: Math.max(1, Math.ceil(total / TESTS_PER_PAGE)), tests, chart: chart.reverse() };
}

/** Share of successful tests per credential over the last 30 days (credentials with tests only). */
export async function successRates(prisma: PrismaClient, credentialIds: string[], now = new Date()): Promise<Map<string, { rate: number; tests: number }>> {
  if (credentialIds.length === 0) return new Map();
  const since = new Date(now.getTime() - 30 * 86_400_000);
  const groups = await prisma.connectionTest.groupBy({
    by: ['credentialId', 'outcome'],
    where: { credentialId: { in: credentialIds }, startedAt: { gte: since } },
    _count: { _all: true },
  });
  const totals = new Map<string, { ok: number; all: number }>();
  for (const group of groups) {
    const entry = totals.get(group.credentialId) ?? { ok: 0, all: 0 };
    entry.all += group._count._all;
    if (group.outcome === 'SUCCESS') entry.ok += group._count._all;
    totals.set(group.credentialId, entry);
  }
  return new Map([...totals].map(([id, { ok, all }]) => [id, { rate: ok / all, tests: all }]));
}
