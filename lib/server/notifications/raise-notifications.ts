import 'server-only';
import type { TNotificationEvent } from '@/lib/notifications';
import { now as clockNow } from '@/lib/server/clock';
import type { Prisma } from '@/prisma/generated/client';

export interface NotificationInput {
  organizationId: string;
  credentialId?: string | null;
  event: TNotificationEvent;
  /** At most one notification per key: `${event}:${credentialId}:${day}` keeps it to one a day. */
  dedupeKey: string;
  /** Status, ids, labels and dates: the webhook payload's data. Never a secret. */
  data: Record<string, string | number | boolean | null>;
  /** Only these addresses (a digest) instead of the organization's administrators and the credential's owner. */
  mailTo?: string[];
  /** Only this endpoint (a test event), whatever events it subscribed to. */
  endpointId?: string;
}

/** The day of `at` in UTC, for dedupe keys: "2026-12-03". */
export const dayKey = (at: Date) => at.toISOString().slice(0, 10);

/**
 * Records notifications inside the caller's transaction (so one is raised if and only if what it
 * tells of committed) and queues their deliveries: a mail to each active administrator of the
 * organization and to the credential's owner, and a webhook call to each endpoint that subscribed
 * to the event. A notification whose dedupe key exists already is skipped, with its deliveries.
 * Returns how many were new. Sending is the delivery job's (deliver-notifications.ts).
 */
export async function raiseNotifications(tx: Prisma.TransactionClient, inputs: readonly NotificationInput[]): Promise<number> {
  if (inputs.length === 0) return 0;
  const occurredAt = clockNow();
  const created = await tx.notification.createManyAndReturn({
    data: inputs.map(({ organizationId, credentialId, event, dedupeKey, data }) => ({ organizationId, credentialId: credentialId ?? null, event, dedupeKey, data, occurredAt })),
    skipDuplicates: true,
    select: { id: true, dedupeKey: true },
  });
  if (created.length === 0) return 0;
  const byKey = new Map(inputs.map((input) => [input.dedupeKey, input]));
  const raised = created.map((row) => ({ id: row.id, input: byKey.get(row.dedupeKey)! }));

  const organizationIds = [...new Set(raised.map((r) => r.input.organizationId))];
  const credentialIds = [...new Set(raised.flatMap((r) => (r.input.credentialId ? [r.input.credentialId] : [])))];
  const [admins, owners, endpoints] = await Promise.all([
    tx.user.findMany({ where: { organizationId: { in: organizationIds }, role: 'ADMIN', disabledAt: null }, select: { organizationId: true, email: true } }),
    tx.credential.findMany({ where: { id: { in: credentialIds }, owner: { disabledAt: null } }, select: { id: true, owner: { select: { email: true } } } }),
    tx.webhookEndpoint.findMany({ where: { organizationId: { in: organizationIds }, disabledAt: null }, select: { id: true, organizationId: true, eventTypes: true } }),
  ]);
  const ownerOf = new Map(owners.map((c) => [c.id, c.owner?.email]));

  const deliveries: Prisma.NotificationDeliveryCreateManyInput[] = [];
  for (const { id, input } of raised) {
    const addresses = input.mailTo ?? [
      ...admins.filter((a) => a.organizationId === input.organizationId).map((a) => a.email),
      ...(input.credentialId && ownerOf.get(input.credentialId) ? [ownerOf.get(input.credentialId)!] : []),
    ];
    for (const recipient of new Set(addresses)) deliveries.push({ notificationId: id, channel: 'EMAIL', recipient, nextAttemptAt: occurredAt });
    if (input.event === 'digest.daily') continue;
    const subscribed = input.endpointId
      ? endpoints.filter((e) => e.id === input.endpointId)
      : endpoints.filter((e) => e.organizationId === input.organizationId && e.eventTypes.includes(input.event));
    for (const endpoint of subscribed) deliveries.push({ notificationId: id, channel: 'WEBHOOK', endpointId: endpoint.id, nextAttemptAt: occurredAt });
  }
  if (deliveries.length) await tx.notificationDelivery.createMany({ data: deliveries });
  return created.length;
}
