'use server';

import { revalidatePath } from 'next/cache';
import type { ActionResult } from '@/lib/schemas/action-result';
import { ZDeliveryRef, ZWebhookEndpointRef, type TWebhookEndpointCreate } from '@/lib/notifications';
import { ADMINS } from '@/lib/roles';
import { requestActor } from '@/lib/server/auth/request-actor';
import { requireRole } from '@/lib/server/auth/session';
import { processJobDeps } from '@/lib/server/jobs/jobs';
import { createWebhookEndpoint } from '@/lib/server/notifications/create-webhook-endpoint';
import { deliverNotifications } from '@/lib/server/notifications/deliver-notifications';
import { removeWebhookEndpoint } from '@/lib/server/notifications/remove-webhook-endpoint';
import { resendDelivery } from '@/lib/server/notifications/resend-delivery';
import { sendWebhookTest } from '@/lib/server/notifications/send-webhook-test';
import { fail, type Result } from '@/lib/server/result';
import { secretChangeAction } from '@/lib/server/secret-change-action';
import { services, type Services } from '@/lib/server/services';
import { toActionResult } from '@/lib/server/to-action-result';

/** Registers an endpoint; its signing secret is in the result, once. Behind the step-up: it creates a secret. */
export async function createWebhookEndpointAction(input: TWebhookEndpointCreate): Promise<ActionResult<{ id: string; signingSecret: string }>> {
  return secretChangeAction('webhooks', ({ services, actor, organizationId }) => createWebhookEndpoint(services, { actor, organizationId, input, policy: processJobDeps().policy }), {
    refresh: '/admin/webhooks',
  });
}

export async function removeWebhookEndpointAction(input: { endpointId: string }): Promise<ActionResult<null>> {
  return secretChangeAction(
    'webhooks',
    async ({ services, actor, organizationId }) => {
      const ref = ZWebhookEndpointRef.safeParse(input);
      if (!ref.success) return fail('NOT_FOUND', 'No such endpoint; nothing was changed.');
      return removeWebhookEndpoint(services, { actor, organizationId, endpointId: ref.data.endpointId });
    },
    { refresh: '/admin/webhooks' },
  );
}

/** Queues a delivery and tries it at once, in the background: the page never waits on the endpoint. */
async function queueAndKick(resource: string, queue: (v: Services, actor: Awaited<ReturnType<typeof requestActor>>, organizationId: string) => Promise<Result<{ deliveryId: string }>>): Promise<ActionResult<null>> {
  const user = await requireRole(ADMINS, resource);
  const v = await services();
  const queued = await queue(v, await requestActor(user), user.organizationId);
  if (!queued.ok) return toActionResult(queued);
  void deliverNotifications(v, processJobDeps(), { ids: [queued.data.deliveryId] }).catch(() => undefined);
  revalidatePath('/admin/webhooks');
  return { ok: true, data: null };
}

export async function sendWebhookTestAction(input: { endpointId: string }): Promise<ActionResult<null>> {
  const ref = ZWebhookEndpointRef.safeParse(input);
  if (!ref.success) return toActionResult(fail('NOT_FOUND', 'No such endpoint.'));
  return queueAndKick('webhook.test', (v, actor, organizationId) => sendWebhookTest(v, { actor, organizationId, endpointId: ref.data.endpointId }));
}

export async function resendDeliveryAction(input: { deliveryId: string }): Promise<ActionResult<null>> {
  const ref = ZDeliveryRef.safeParse(input);
  if (!ref.success) return toActionResult(fail('NOT_FOUND', 'No such delivery.'));
  return queueAndKick('webhook.resend', (v, actor, organizationId) => resendDelivery(v, { actor, organizationId, deliveryId: ref.data.deliveryId }));
}
