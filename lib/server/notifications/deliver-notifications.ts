import 'server-only';
import { Webhook } from 'standardwebhooks';
import { SYSTEM_ACTOR } from '@/lib/server/audit/append-audit-event';
import { recordAuditEvent } from '@/lib/server/audit/record-audit-event';
import { now as clockNow, nowMs } from '@/lib/server/clock';
import { readSecrets } from '@/lib/server/crypto/sealed-secrets';
import type { Mailer } from '@/lib/server/mail/mailer';
import { deliveryAttempts } from '@/lib/server/metrics/metrics';
import { guardedFetch, OutboundError, type OutboundPolicy } from '@/lib/server/net/guarded-fetch';
import { renderMail } from '@/lib/server/notifications/render-mail';
import { webhookSecretOwner } from '@/lib/server/notifications/webhook-secret';
import type { Services } from '@/lib/server/services';
import type { NotificationChannel } from '@/prisma/generated/client';

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
/** Deliveries in flight at once (each to a different endpoint or mailbox). */
const CONCURRENCY = 8;
/** How long one webhook call may take: a receiver should answer at once and work later. */
export const WEBHOOK_TIMEOUT_MS = 5 * SECOND;
/** A run stops starting deliveries after this long; what it had not started is due again at once. */
export const DELIVERY_BUDGET_MS = 30 * SECOND;

export interface DeliveryDeps {
  /** null: mail is not configured; mail deliveries are then recorded as not sent. */
  mailer: Mailer | null;
  policy: OutboundPolicy;
  baseUrl: string;
}

type Outcome = { ok: true; status?: number } | { ok: false; retry: boolean; status?: number; error: string; timedOut?: boolean };

/**
 * Works through the outbox: takes up to `limit` due deliveries of `channel` (both when not given; one
 * statement, FOR UPDATE SKIP LOCKED, moving them forward so no other worker takes them meanwhile),
 * sends them a few at a time, and records each attempt; a failure is retried on the schedule above,
 * a refusal that cannot get better (a URL the outbound guard refuses, mail not configured) is failed
 * at once. One endpoint gets one call at a time, and once it fails to answer in time its other
 * deliveries wait for the next run; a run starts nothing after its time budget. So a slow endpoint
 * delays its own deliveries, and the scheduler runs mail and webhooks as separate jobs.
 */
export async function deliverNotifications(
  services: Services,
  deps: DeliveryDeps,
  { limit = 200, ids, channel, budgetMs = DELIVERY_BUDGET_MS }: { limit?: number; ids?: string[]; channel?: NotificationChannel; budgetMs?: number } = {},
) {
  const { prisma } = services;
  const at = clockNow();
  const only = ids ?? null;
  const channels = channel ? [channel] : ['EMAIL', 'WEBHOOK'];
  const taken = await prisma.$queryRaw<{ id: string }[]>`
    UPDATE "NotificationDelivery" SET "nextAttemptAt" = ${new Date(at.getTime() + CLAIM_MS)}
     WHERE id IN (SELECT id FROM "NotificationDelivery"
                   WHERE status = 'PENDING' AND "nextAttemptAt" <= ${at} AND channel::text = ANY(${channels}::text[])
                     AND (${only}::uuid[] IS NULL OR id = ANY(${only}::uuid[]))
                   ORDER BY "nextAttemptAt" LIMIT ${limit} FOR UPDATE SKIP LOCKED)
    RETURNING id::text`;
  const counts = { delivered: 0, retrying: 0, failed: 0, postponed: 0 };
  if (taken.length === 0) return counts;
  const deliveries = await prisma.notificationDelivery.findMany({
    where: { id: { in: taken.map((t) => t.id) } },
    include: { notification: true, endpoint: true },
    orderBy: { nextAttemptAt: 'asc' },
  });
  // One lane per endpoint (every mail is a lane of its own): a lane's deliveries go one after another.
  const byLane = new Map<string, typeof deliveries>();
  for (const delivery of deliveries) byLane.set(delivery.endpointId ?? delivery.id, [...(byLane.get(delivery.endpointId ?? delivery.id) ?? []), delivery]);
  const lanes = [...byLane.values()];
  const postpone: string[] = [];
  const worker = async () => {
    for (let lane = lanes.shift(); lane; lane = lanes.shift()) {
      for (const [index, delivery] of lane.entries()) {
        if (nowMs() - at.getTime() > budgetMs) {
          postpone.push(...lane.slice(index).map((d) => d.id));
          break;
        }
        const outcome = await deliver(services, deps, delivery);
        counts[outcome.status === 'DELIVERED' ? 'delivered' : outcome.status === 'PENDING' ? 'retrying' : 'failed'] += 1;
        if (outcome.timedOut) {
          postpone.push(...lane.slice(index + 1).map((d) => d.id));
          break;
        }
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, lanes.length) }, worker));
  if (postpone.length) {
    // Not attempted this run: due again at once, their attempt count untouched.
    await prisma.notificationDelivery.updateMany({ where: { id: { in: postpone }, status: 'PENDING' }, data: { nextAttemptAt: at } });
    counts.postponed = postpone.length;
  }
  return counts;
}

/** One attempt at one delivery, recorded with its outcome and audited. */
async function deliver(services: Services, deps: DeliveryDeps, delivery: Loaded): Promise<{ status: 'DELIVERED' | 'PENDING' | 'FAILED'; timedOut: boolean }> {
  const { prisma } = services;
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
  deliveryAttempts.inc({ channel: delivery.channel, result: status === 'DELIVERED' ? 'delivered' : status === 'PENDING' ? 'retry' : 'failed' });
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
  return { status, timedOut: !outcome.ok && outcome.timedOut === true };
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
      { ...deps.policy, maxBytes: 16 * 1024, timeoutMs: Math.min(deps.policy.timeoutMs, WEBHOOK_TIMEOUT_MS) },
    );
    if (response.ok) return { ok: true, status: response.status };
    return { ok: false, retry: true, status: response.status, error: `The endpoint answered ${response.status}.` };
  } catch (error) {
    if (error instanceof OutboundError) return { ok: false, retry: !['url_refused', 'address_refused', 'redirect_refused'].includes(error.code), error: error.message, timedOut: error.code === 'timeout' };
    throw error;
  }
}
