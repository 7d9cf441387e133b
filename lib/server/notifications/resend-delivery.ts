import 'server-only';
import { appendAuditEvent, type Actor } from '@/lib/server/audit/append-audit-event';
import { now } from '@/lib/server/clock';
import { fail, ok, type Result } from '@/lib/server/result';
import type { Services } from '@/lib/server/services';

/**
 * "Send again": queues a new delivery of the same event to the same endpoint (same webhook-id, so a
 * receiver that already processed it can tell). Returns the new delivery's id.
 */
export async function resendDelivery({ prisma }: Services, { actor, organizationId, deliveryId }: { actor: Actor; organizationId: string; deliveryId: string }): Promise<Result<{ deliveryId: string }>> {
  const created = await prisma.$transaction(async (tx) => {
    const delivery = await tx.notificationDelivery.findFirst({
      where: { id: deliveryId, channel: 'WEBHOOK', notification: { organizationId }, endpoint: { disabledAt: null } },
      select: { notificationId: true, endpointId: true },
    });
    if (!delivery?.endpointId) return null;
    const again = await tx.notificationDelivery.create({ data: { notificationId: delivery.notificationId, channel: 'WEBHOOK', endpointId: delivery.endpointId, nextAttemptAt: now() } });
    await appendAuditEvent(tx, { actor, action: 'webhook.resend', target: { type: 'WebhookEndpoint', id: delivery.endpointId }, organizationId, outcome: 'SUCCESS', details: { notificationId: delivery.notificationId } });
    return again.id;
  });
  return created ? ok({ deliveryId: created }) : fail('NOT_FOUND', 'No such delivery.');
}
