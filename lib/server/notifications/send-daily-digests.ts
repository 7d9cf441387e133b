import 'server-only';
import { now } from '@/lib/server/clock';
import { listAttention } from '@/lib/server/dashboard/list-attention';
import { dayKey, raiseNotifications } from '@/lib/server/notifications/raise-notifications';
import type { Services } from '@/lib/server/services';

/** Lines of a digest: the most urgent first, at most this many. */
const DIGEST_LINES = 30;

/**
 * Queues today's digest for every active user who asked for one: their organization's expired,
 * expiring, failing and never-tested counts and the most urgent credentials. One per user per day.
 */
export async function sendDailyDigests(services: Services): Promise<number> {
  const { prisma } = services;
  const at = now();
  const users = await prisma.user.findMany({ where: { dailyDigest: true, disabledAt: null }, select: { id: true, email: true, organizationId: true, organization: { select: { name: true } } } });
  const byOrganization = new Map<string, typeof users>();
  for (const user of users) byOrganization.set(user.organizationId, [...(byOrganization.get(user.organizationId) ?? []), user]);
  let queued = 0;
  for (const [organizationId, members] of byOrganization) {
    const { counts, items } = await listAttention(services, { organizationId, filters: {}, now: at });
    const lines = items
      .slice(0, DIGEST_LINES)
      .map((item) => `- ${item.category.toLowerCase().replace('_', ' ')}: ${item.label} (${item.profileTitle}, ${item.legalEntity.name})${item.expiresAt ? `, expiry ${item.expiresAt.toISOString().slice(0, 10)}` : ''}`)
      .join('\n');
    queued += await prisma.$transaction((tx) =>
      raiseNotifications(
        tx,
        members.map((user) => ({
          organizationId,
          event: 'digest.daily' as const,
          dedupeKey: `digest.daily:${user.id}:${dayKey(at)}`,
          mailTo: [user.email],
          data: { organizationName: user.organization.name, ...counts, lines: lines || 'Nothing needs attention.' },
        })),
      ),
    );
  }
  return queued;
}
