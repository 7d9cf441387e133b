import 'server-only';
import { randomBytes } from 'node:crypto';
import { lookup } from 'node:dns/promises';
import { ZWebhookEndpointCreate, type TWebhookEndpointCreate } from '@/lib/notifications';
import { appendAuditEvent, type Actor } from '@/lib/server/audit/append-audit-event';
import { recordAuditEvent } from '@/lib/server/audit/record-audit-event';
import { writeSecret } from '@/lib/server/crypto/sealed-secrets';
import { addressRefusal, checkUrl, OutboundError, type OutboundPolicy } from '@/lib/server/net/guarded-fetch';
import { webhookSecretOwner } from '@/lib/server/notifications/webhook-secret';
import { fail, fieldErrorsOf, ok, type Result } from '@/lib/server/result';
import type { Services } from '@/lib/server/services';

/** Endpoints per organization: enough for every system a finance team runs, not a way to fan out load. */
export const MAX_ENDPOINTS = 20;

/**
 * Registers an HTTPS endpoint for the chosen events and returns its signing secret (`whsec_` +
 * 32 random bytes, the Standard Webhooks form) once; the secret is sealed like every other. A URL
 * the outbound guard refuses (not https, a private or loopback address unless allowed, written or
 * resolved) is refused here already; the guard checks again at every call.
 */
export async function createWebhookEndpoint(
  { prisma, keyring }: Services,
  { actor, organizationId, input, policy }: { actor: Actor; organizationId: string; input: TWebhookEndpointCreate; policy: OutboundPolicy },
): Promise<Result<{ id: string; signingSecret: string }>> {
  const parsed = ZWebhookEndpointCreate.safeParse(input);
  if (!parsed.success) return fail('VALIDATION', 'Check the highlighted fields.', fieldErrorsOf(parsed.error));
  const refusal = await urlRefusal(parsed.data.url, policy);
  if (refusal) {
    await recordAuditEvent(prisma, { actor, action: 'webhook.create', organizationId, outcome: 'DENIED', details: { reason: refusal } });
    return fail('VALIDATION', 'This URL cannot receive webhooks.', { url: [refusal] });
  }
  if ((await prisma.webhookEndpoint.count({ where: { organizationId } })) >= MAX_ENDPOINTS) {
    return fail('INVALID_STATE', `An organization has at most ${MAX_ENDPOINTS} endpoints; remove one first.`);
  }
  const signingSecret = `whsec_${randomBytes(32).toString('base64')}`;
  const endpoint = await prisma.$transaction(async (tx) => {
    const created = await tx.webhookEndpoint.create({
      data: { organizationId, url: parsed.data.url, description: parsed.data.description, eventTypes: parsed.data.eventTypes, createdById: actor.type === 'USER' ? (actor.id ?? null) : null },
    });
    await writeSecret(tx, keyring, webhookSecretOwner(created), 'signingSecret', signingSecret);
    await appendAuditEvent(tx, {
      actor,
      action: 'webhook.create',
      target: { type: 'WebhookEndpoint', id: created.id },
      organizationId,
      outcome: 'SUCCESS',
      details: { host: new URL(parsed.data.url).host, eventTypes: parsed.data.eventTypes },
    });
    return created;
  });
  return ok({ id: endpoint.id, signingSecret });
}

type Resolve = (host: string) => Promise<{ address: string }[]>;
const resolveAll: Resolve = (host) => lookup(host, { all: true });

/**
 * Why this URL cannot be registered, or null: the guard would refuse it, its host ends in a dot (a
 * second spelling of a name, which name checks would miss), or its name does not resolve now (a typo,
 * or a name to be pointed somewhere later). The guard checks again at every call.
 */
export async function urlRefusal(url: string, policy: Pick<OutboundPolicy, 'allowLoopback' | 'allowPrivate'>, resolve: Resolve = resolveAll): Promise<string | null> {
  let parsed: URL;
  try {
    parsed = checkUrl(url, policy);
  } catch (error) {
    if (error instanceof OutboundError) return error.message;
    throw error;
  }
  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  if (host.endsWith('.')) return `Write the host name without the dot at its end (${host.replace(/\.+$/, '')}).`;
  const addresses = await resolve(host).catch(() => []);
  if (!addresses.length) return `${host} does not resolve to an address: check the name.`;
  for (const { address } of addresses) {
    const refused = addressRefusal(address, policy);
    if (refused) return `${host} resolves to ${refused}; refused.`;
  }
  return null;
}
