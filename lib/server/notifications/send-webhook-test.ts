import 'server-only';
import { randomUUID } from 'node:crypto';
import { appendAuditEvent, type Actor } from '@/lib/server/audit/append-audit-event';
import { now } from '@/lib/server/clock';
import { raiseNotifications } from '@/lib/server/notifications/raise-notifications';
import { fail, ok, type Result } from '@/lib/server/result';
import type { Services } from '@/lib/server/services';

/**
 * Queues a `webhook.test` event for one endpoint (and no mail). Returns the delivery's id, so the
 * caller can send it at once; the delivery job would send it on its next run anyway.
 */
export async function sendWebhookTest({ prisma }: Services, { actor, organizationId, endpointId }: { actor: Actor; organizationId: string; endpointId: string }): Promise<Result<{ deliveryId: string }>> {
  const deliveryId = await prisma.$transaction(async (tx) => {
    const endpoint = await tx.webhookEndpoint.findFirst({ where: { id: endpointId, organizationId, disabledAt: null }, select: { id: true } });
    if (!endpoint) return null;
    const dedupeKey = `webhook.test:${randomUUID()}`;
    await raiseNotifications(tx, [
      { organizationId, event: 'webhook.test', dedupeKey, endpointId, mailTo: [], data: { organizationId, endpointId, sentAt: now().toISOString(), message: 'A test event from Strongroom.' } },
    ]);
    await appendAuditEvent(tx, { actor, action: 'webhook.test', target: { type: 'WebhookEndpoint', id: endpointId }, organizationId, outcome: 'SUCCESS' });
    const delivery = await tx.notificationDelivery.findFirstOrThrow({ where: { endpointId, notification: { dedupeKey } }, select: { id: true } });
    return delivery.id;
  });
  return deliveryId ? ok({ deliveryId }) : fail('NOT_FOUND', 'No such endpoint.');
}
