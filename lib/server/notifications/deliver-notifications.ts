import 'server-only';
import { Webhook } from 'standardwebhooks';
import { SYSTEM_ACTOR } from '@/lib/server/audit/append-audit-event';
import { recordAuditEvent } from '@/lib/server/audit/record-audit-event';
import { now as clockNow, nowMs } from '@/lib/server/clock';
import { readSecrets } from '@/lib/server/crypto/sealed-secrets';
import type { Mailer } from '@/lib/server/mail/mailer';
import { guardedFetch, OutboundError, type OutboundPolicy } from '@/lib/server/net/guarded-fetch';
import { renderMail } from '@/lib/server/notifications/render-mail';
import { webhookSecretOwner } from '@/lib/server/notifications/webhook-secret';
import type { Services } from '@/lib/server/services';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
/**
 * Waits after each failed attempt (Standard Webhooks' suggested schedule, stretched to about a day):
 * 8 attempts over ~26 hours, then the delivery is given up.
 */
export const RETRY_DELAYS_MS = [5 * SECOND, 5 * MINUTE, 30 * MINUTE, 2 * HOUR, 5 * HOUR, 10 * HOUR, 8 * HOUR] as const;
/** A worker holds the deliveries it took this long; a crashed worker's are taken again after it. */
const CLAIM_MS = 2 * MINUTE;
const CONCURRENCY = 8;

export interface DeliveryDeps {
  /** null: mail is not configured; mail deliveries are then recorded as not sent. */
  mailer: Mailer | null;
  policy: OutboundPolicy;
  baseUrl: string;
}

type Outcome = { ok: true; status?: number } | { ok: false; retry: boolean; status?: number; error: string };

/**
 * Works through the outbox: takes up to `limit` due deliveries (one statement, FOR UPDATE SKIP
 * LOCKED, moving them forward so no other worker takes them meanwhile), sends them a few at a time,
 * and records each attempt; a failure is retried on the schedule above, a refusal that cannot get
 * better (a URL the outbound guard refuses, mail not configured) is failed at once. Mail and
 * webhook calls have timeouts, so a slow server delays only its own delivery.
 */
export async function deliverNotifications(services: Services, deps: DeliveryDeps, { limit = 200, ids }: { limit?: number; ids?: string[] } = {}) {
  const { prisma } = services;
  const at = clockNow();
  const only = ids ?? null;
  const taken = await prisma.$queryRaw<{ id: string }[]>`
    UPDATE "NotificationDelivery" SET "nextAttemptAt" = ${new Date(at.getTime() + CLAIM_MS)}
     WHERE id IN (SELECT id FROM "NotificationDelivery"
                   WHERE status = 'PENDING' AND "nextAttemptAt" <= ${at} AND (${only}::uuid[] IS NULL OR id = ANY(${only}::uuid[]))
                   ORDER BY "nextAttemptAt" LIMIT ${limit} FOR UPDATE SKIP LOCKED)
    RETURNING id::text`;
  if (taken.length === 0) return { delivered: 0, retrying: 0, failed: 0 };
  const deliveries = await prisma.notificationDelivery.findMany({
    where: { id: { in: taken.map((t) => t.id) } },
    include: { notification: true, endpoint: true },
  });
  const counts = { delivered: 0, retrying: 0, failed: 0 };
  const queue = [...deliveries];
  const worker = async () => {
    for (let delivery = queue.shift(); delivery; delivery = queue.shift()) {
      const attempt = delivery.attempts + 1;
      const started = performance.now();
      const outcome = await send(services, deps, delivery).catch((error: unknown): Outcome => ({ ok: false, retry: true, error: error instanceof Error ? error.message : String(error) }));
      const latencyMs = Math.round(performance.now() - started);
      const retryIn = !outcome.ok && outcome.retry ? RETRY_DELAYS_MS[attempt - 1] : undefined;
      const status = outcome.ok ? 'DELIVERED' : retryIn !== undefined ? 'PENDING' : 'FAILED';
      const finishedAt = clockNow();
      const error = outcome.ok ? null : outcome.error.slice(0, 300);
      await prisma.$transaction([
        prisma.deliveryAttempt.create({ data: { deliveryId: delivery.id, at: finishedAt, attempt, responseStatus: outcome.status ?? null, latencyMs, error } }),
        prisma.notificationDelivery.update({
          where: { id: delivery.id },
          data: {
            status,
            attempts: attempt,
            nextAttemptAt: new Date(finishedAt.getTime() + (retryIn ?? 0)),
            deliveredAt: outcome.ok ? finishedAt : null,
            lastResponseStatus: outcome.status ?? null,
            lastError: error,
          },
        }),
      ]);
      await recordAuditEvent(prisma, {
        actor: SYSTEM_ACTOR,
        action: 'notification.deliver',
        target: { type: 'Notification', id: delivery.notificationId },
        organizationId: delivery.notification.organizationId,
        outcome: outcome.ok ? 'SUCCESS' : 'FAILURE',
        details: {
          event: delivery.notification.event,
          channel: delivery.channel,
          ...(delivery.channel === 'EMAIL' ? { to: delivery.recipient } : { endpointId: delivery.endpointId }),
          attempt,
          responseStatus: outcome.status ?? null,
          ...(status === 'PENDING' ? { retryInSeconds: Math.round((retryIn ?? 0) / 1000) } : {}),
          ...(error ? { error } : {}),
        },
      });
      counts[status === 'DELIVERED' ? 'delivered' : status === 'PENDING' ? 'retrying' : 'failed'] += 1;
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, queue.length) }, worker));
  return counts;
}

type Loaded = Awaited<ReturnType<Services['prisma']['notificationDelivery']['findMany']>>[number] & {
  notification: { id: string; organizationId: string; event: string; occurredAt: Date; data: unknown };
  endpoint: { id: string; organizationId: string; url: string; disabledAt: Date | null } | null;
};

async function send(services: Services, deps: DeliveryDeps, delivery: Loaded): Promise<Outcome> {
  const { notification } = delivery;
  const data = (notification.data ?? {}) as Record<string, unknown>;
  if (delivery.channel === 'EMAIL') {
    if (!deps.mailer) return { ok: false, retry: false, error: 'Mail is not configured (SMTP_URL, SMTP_FROM).' };
    if (!delivery.recipient) return { ok: false, retry: false, error: 'No recipient.' };
    const sent = await deps.mailer(renderMail({ event: notification.event, data }, { to: delivery.recipient, baseUrl: deps.baseUrl }));
    return sent ? { ok: true } : { ok: false, retry: true, error: 'The mail server did not accept the mail (see the server log).' };
  }
  const endpoint = delivery.endpoint;
  if (!endpoint || endpoint.disabledAt) return { ok: false, retry: false, error: 'The endpoint was removed or disabled.' };
  const { signingSecret } = await readSecrets(services.prisma, services.keyring, webhookSecretOwner(endpoint), ['signingSecret']);
  if (!signingSecret) return { ok: false, retry: false, error: 'The endpoint has no signing secret.' };
  const body = JSON.stringify({ type: notification.event, timestamp: notification.occurredAt.toISOString(), data });
  const sentAt = new Date(nowMs());
  const signature = new Webhook(signingSecret).sign(notification.id, sentAt, body);
  try {
    const response = await guardedFetch(
      endpoint.url,
      {
        method: 'POST',
        body,
        headers: {
          'content-type': 'application/json',
          'user-agent': 'Strongroom-Webhooks/1',
          'webhook-id': notification.id,
          'webhook-timestamp': String(Math.floor(sentAt.getTime() / 1000)),
          'webhook-signature': signature,
        },
      },
      { ...deps.policy, maxBytes: 16 * 1024 },
    );
    if (response.ok) return { ok: true, status: response.status };
    return { ok: false, retry: true, status: response.status, error: `The endpoint answered ${response.status}.` };
  } catch (error) {
    if (error instanceof OutboundError) return { ok: false, retry: !['url_refused', 'address_refused', 'redirect_refused'].includes(error.code), error: error.message };
    throw error;
  }
}
