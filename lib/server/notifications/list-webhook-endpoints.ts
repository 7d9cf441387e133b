import 'server-only';
import type { Services } from '@/lib/server/services';

/** The organization's endpoints, each with its latest attempts (the delivery log): newest first. */
export async function listWebhookEndpoints({ prisma }: Pick<Services, 'prisma'>, { organizationId, attempts = 25 }: { organizationId: string; attempts?: number }) {
  const endpoints = await prisma.webhookEndpoint.findMany({ where: { organizationId }, orderBy: { createdAt: 'asc' } });
  return Promise.all(
    endpoints.map(async (endpoint) => {
      const log = await prisma.deliveryAttempt.findMany({
        where: { delivery: { endpointId: endpoint.id } },
        orderBy: { at: 'desc' },
        take: attempts,
        select: { id: true, at: true, attempt: true, responseStatus: true, latencyMs: true, error: true, delivery: { select: { id: true, status: true, notification: { select: { event: true } } } } },
      });
      const queued = await prisma.notificationDelivery.count({ where: { endpointId: endpoint.id, status: 'PENDING' } });
      return {
        id: endpoint.id,
        url: endpoint.url,
        description: endpoint.description,
        eventTypes: endpoint.eventTypes,
        createdAt: endpoint.createdAt,
        queued,
        log: log.map((a) => ({ id: a.id, at: a.at, attempt: a.attempt, responseStatus: a.responseStatus, latencyMs: a.latencyMs, error: a.error, deliveryId: a.delivery.id, deliveryStatus: a.delivery.status, event: a.delivery.notification.event })),
      };
    }),
  );
}
