import type { Metadata } from 'next';
import { ResendDeliveryButton, WebhookEndpointActions } from '@/components/webhook-actions';
import { WebhookEndpointForm } from '@/components/webhook-endpoint-form';
import { formatDateTime } from '@/lib/format';
import { ADMINS } from '@/lib/roles';
import { requireRole } from '@/lib/server/auth/session';
import { listWebhookEndpoints } from '@/lib/server/notifications/list-webhook-endpoints';
import { services } from '@/lib/server/services';

export const metadata: Metadata = { title: 'Webhooks' };

const STATUS = { PENDING: 'will retry', DELIVERED: 'delivered', FAILED: 'given up' } as const;

/** Endpoints the organization's events are posted to (signed, Standard Webhooks), and each one's delivery log. */
export default async function WebhooksPage() {
  const user = await requireRole(ADMINS, 'page:/admin/webhooks');
  const endpoints = await listWebhookEndpoints(await services(), { organizationId: user.organizationId });
  return (
    <>
      <h1>Webhooks</h1>
      <p className="muted">
        Strongroom posts events (expiring, expired, failing, refused) as JSON to these endpoints, signed per Standard Webhooks (<code>webhook-id</code>, <code>webhook-timestamp</code>,{' '}
        <code>webhook-signature</code>). Payloads carry status, ids and dates, never a secret. Failed calls are retried with backoff for about a day.
      </p>
      {endpoints.length === 0 && (
        <section className="panel empty">
          <p>No endpoint yet. Add one below to send events to your ticketing, chat or monitoring.</p>
        </section>
      )}
      {endpoints.map((endpoint) => {
        const host = new URL(endpoint.url).host;
        return (
          <section key={endpoint.id} className="panel" aria-labelledby={`endpoint-${endpoint.id}`}>
            <div className="entity-head">
              <h2 id={`endpoint-${endpoint.id}`}>
                <code>{endpoint.url}</code>
              </h2>
              <WebhookEndpointActions endpointId={endpoint.id} host={host} />
            </div>
            <p className="muted">
              {endpoint.description ? `${endpoint.description} · ` : ''}
              {endpoint.eventTypes.join(', ')} · added {formatDateTime(endpoint.createdAt)} UTC{endpoint.queued ? ` · ${endpoint.queued} queued` : ''}
            </p>
            {endpoint.log.length === 0 ? (
              <p className="muted">Nothing sent yet.</p>
            ) : (
              <table>
                <caption className="visually-hidden">Delivery log of {host}, newest first</caption>
                <thead>
                  <tr>
                    <th scope="col">When (UTC)</th>
                    <th scope="col">Event</th>
                    <th scope="col">Attempt</th>
                    <th scope="col">Response</th>
                    <th scope="col">Latency</th>
                    <th scope="col">Delivery</th>
                  </tr>
                </thead>
                <tbody>
                  {endpoint.log.map((attempt) => (
                    <tr key={attempt.id}>
                      <td>{formatDateTime(attempt.at)}</td>
                      <td>
                        <code>{attempt.event}</code>
                      </td>
                      <td>{attempt.attempt}</td>
                      <td>{attempt.responseStatus ?? attempt.error ?? '—'}</td>
                      <td>{attempt.latencyMs} ms</td>
                      <td>
                        {STATUS[attempt.deliveryStatus]} <ResendDeliveryButton deliveryId={attempt.deliveryId} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </section>
        );
      })}
      <section className="panel" aria-labelledby="new-endpoint-heading">
        <h2 id="new-endpoint-heading">Add an endpoint</h2>
        <WebhookEndpointForm />
      </section>
    </>
  );
}
