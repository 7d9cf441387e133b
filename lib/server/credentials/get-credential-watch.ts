import 'server-only';
import type { Services } from '@/lib/server/services';

/**
 * Who watches a credential and what the scheduler does with it: its owner, its test interval and
 * next scheduled test, and what people were told about it (newest first, with each delivery).
 */
export async function getCredentialWatch({ prisma }: Pick<Services, 'prisma'>, { organizationId, credentialId, notifications = 20 }: { organizationId: string; credentialId: string; notifications?: number }) {
  const row = await prisma.credential.findFirst({
    where: { id: credentialId, organizationId },
    select: {
      testEveryHours: true,
      nextTestAt: true,
      owner: { select: { id: true, name: true, email: true } },
      notifications: {
        orderBy: { occurredAt: 'desc' },
        take: notifications,
        select: {
          id: true,
          event: true,
          occurredAt: true,
          deliveries: { orderBy: { createdAt: 'asc' }, select: { id: true, channel: true, recipient: true, status: true, attempts: true, lastError: true, endpoint: { select: { url: true } } } },
        },
      },
    },
  });
  if (!row) return null;
  return {
    testEveryHours: row.testEveryHours,
    nextTestAt: row.nextTestAt,
    owner: row.owner,
    notifications: row.notifications.map((n) => ({
      ...n,
      deliveries: n.deliveries.map((d) => ({ id: d.id, channel: d.channel, to: d.channel === 'EMAIL' ? (d.recipient ?? '') : d.endpoint ? new URL(d.endpoint.url).host : 'removed endpoint', status: d.status, attempts: d.attempts, lastError: d.lastError })),
    })),
  };
}

/** Active members of the organization, for choosing an owner. */
export async function listPossibleOwners({ prisma }: Pick<Services, 'prisma'>, { organizationId }: { organizationId: string }) {
  return prisma.user.findMany({ where: { organizationId, disabledAt: null }, orderBy: { name: 'asc' }, select: { id: true, name: true, email: true } });
}
