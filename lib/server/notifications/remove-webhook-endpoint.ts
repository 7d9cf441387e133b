import 'server-only';
import { appendAuditEvent, type Actor } from '@/lib/server/audit/append-audit-event';
import { deleteSecrets } from '@/lib/server/crypto/sealed-secrets';
import { webhookSecretOwner } from '@/lib/server/notifications/webhook-secret';
import { fail, ok, type Result } from '@/lib/server/result';
import type { Services } from '@/lib/server/services';

/** Removes an endpoint with its signing secret and its queued deliveries (its log goes with it). */
export async function removeWebhookEndpoint({ prisma }: Services, { actor, organizationId, endpointId }: { actor: Actor; organizationId: string; endpointId: string }): Promise<Result<null>> {
  const removed = await prisma.$transaction(async (tx) => {
    const endpoint = await tx.webhookEndpoint.findFirst({ where: { id: endpointId, organizationId } });
    if (!endpoint) return false;
    await deleteSecrets(tx, webhookSecretOwner(endpoint));
    await tx.webhookEndpoint.delete({ where: { id: endpoint.id } });
    await appendAuditEvent(tx, { actor, action: 'webhook.remove', target: { type: 'WebhookEndpoint', id: endpoint.id }, organizationId, outcome: 'SUCCESS', details: { host: new URL(endpoint.url).host } });
    return true;
  });
  return removed ? ok(null) : fail('NOT_FOUND', 'No such endpoint.');
}
