import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { VerifyChainButton } from '@/components/verify-chain-button';
import { AUDIT_ACTIONS, auditFilterParams, describeAuditEvent, ZAuditFilters } from '@/lib/audit-actions';
import { AUDIT_READERS } from '@/lib/roles';
import { ZAuditCursor } from '@/lib/schemas/paging';
import { auditFilterOptions } from '@/lib/server/audit/audit-filter-options';
import { listAuditEvents } from '@/lib/server/audit/list-audit-events';
import { requireRole } from '@/lib/server/auth/session';
import { services } from '@/lib/server/services';
import { formatDateTime } from '@/lib/format';

export const metadata: Metadata = { title: 'Audit log' };

const OUTCOMES = { SUCCESS: 'succeeded', DENIED: 'refused', FAILURE: 'failed' } as const;
const ACTION_OPTIONS = Object.entries(AUDIT_ACTIONS).sort((a, b) => a[1].localeCompare(b[1]));

export default async function AuditPage({ searchParams }: { searchParams: Promise<Record<string, string | string[]>> }) {
  const user = await requireRole(AUDIT_READERS, 'page:/audit');
  const query = await searchParams;
  const before = ZAuditCursor.safeParse(query.before);
  const filters = ZAuditFilters.safeParse(query);
  if (!before.success) notFound();
  const root = await services();
  const active = filters.success ? filters.data : {};
  const [{ events, nextBeforeSeq }, options] = await Promise.all([
    listAuditEvents(root, { organizationId: user.organizationId, beforeSeq: before.data, filters: active }),
    auditFilterOptions(root, { organizationId: user.organizationId, credentialId: active.credential }),
  ]);
  const params = auditFilterParams(active);
  const filtered = Object.keys(params).length > 0;
  const exportQuery = new URLSearchParams({ ...params, format: 'csv' });

  return (
    <>
      <h1>Audit log</h1>
      <section className="panel" aria-labelledby="filter-heading">
        <h2 id="filter-heading" className="visually-hidden">
          Filters
        </h2>
        {!filters.success && (
          <p className="form-error" role="alert">
            Some filters in the address were not understood and are ignored (dates are written 2026-12-01).
          </p>
        )}
        <form method="get" className="filters">
          <div>
            <label htmlFor="audit-actor">Who</label>
            <select id="audit-actor" name="actor" defaultValue={active.actor ?? ''}>
              <option value="">Anyone</option>
              <option value="system">Strongroom (scheduled jobs)</option>
              {options.people.map((p) => (
                <option key={p.id} value={p.id}>
                  {p.name} ({p.email})
                </option>
              ))}
            </select>
          </div>
          <div>
            <label htmlFor="audit-action">What</label>
            <select id="audit-action" name="action" defaultValue={active.action ?? ''}>
              <option value="">Any action</option>
              {ACTION_OPTIONS.map(([code, label]) => (
                <option key={code} value={code}>
                  {label}
                </option>
              ))}
            </select>
          </div>
          <div>
            <label htmlFor="audit-entity">Legal entity</label>
            <select id="audit-entity" name="entity" defaultValue={active.entity ?? ''}>
              <option value="">Any</option>
              {options.entities.map((e) => (
                <option key={e.id} value={e.id}>
                  {e.name}
                </option>
              ))}
            </select>
          </div>
          <div>
            <label htmlFor="audit-outcome">Outcome</label>
            <select id="audit-outcome" name="outcome" defaultValue={active.outcome ?? ''}>
              <option value="">Any</option>
              {Object.entries(OUTCOMES).map(([value, label]) => (
                <option key={value} value={value}>
                  {label}
                </option>
              ))}
            </select>
          </div>
          <div>
            <label htmlFor="audit-from">From (UTC day)</label>
            <input id="audit-from" name="from" type="date" defaultValue={active.from ?? ''} />
          </div>
          <div>
            <label htmlFor="audit-to">To (UTC day)</label>
            <input id="audit-to" name="to" type="date" defaultValue={active.to ?? ''} />
          </div>
          {active.credential && <input type="hidden" name="credential" value={active.credential} />}
          <button type="submit" className="secondary">
            Show
          </button>
          {filtered && <Link href="/audit">Clear filters</Link>}
        </form>
        {active.credential && <p className="muted">Only events about the credential “{options.credentialLabel ?? 'deleted'}”.</p>}
      </section>
      <section className="panel actions" aria-label="Verify and export">
        <VerifyChainButton />
        <a className="button secondary" href={`/audit/export?${exportQuery}`}>
          {filtered ? 'Export these events (CSV)' : 'Export CSV'}
        </a>
        <form method="post" action="/audit/export">
          <button type="submit" className="secondary">
            Export the whole chain (JSON, verifiable)
          </button>
        </form>
      </section>
      <section className="panel">
        <p className="muted">
          Newest first, in UTC. Your organization’s events are numbered 1, 2, 3 … with no gap{filtered ? ' (the filters show some of them)' : ''}; Verify the chain checks the numbers and the links.
        </p>
        {events.length === 0 ? (
          <p className="empty">{filtered ? 'No event matches these filters.' : 'No events yet.'}</p>
        ) : (
          <table>
            <caption className="visually-hidden">Audit events, newest first</caption>
            <thead>
              <tr>
                <th scope="col">#</th>
                <th scope="col">Time (UTC)</th>
                <th scope="col">Who</th>
                <th scope="col">What</th>
                <th scope="col">Outcome</th>
              </tr>
            </thead>
            <tbody>
              {events.map((event) => (
                <tr key={event.seq}>
                  <td>{event.number}</td>
                  <td>{formatDateTime(event.at)}</td>
                  <td>
                    {event.actorLabel ?? event.actorType.toLowerCase()}
                    {event.ip && <div className="muted">{event.ip}</div>}
                  </td>
                  <td>
                    {describeAuditEvent(event)}
                    {event.targetType === 'Credential' && event.targetId && (
                      <div className="muted">
                        <Link href={`/credentials/${event.targetId}`}>credential</Link> · <Link href={`/audit?${new URLSearchParams({ credential: event.targetId })}`}>its trail</Link>
                      </div>
                    )}
                    <details>
                      <summary className="muted">{event.action}</summary>
                      <code>{JSON.stringify(event.details)}</code>
                    </details>
                  </td>
                  <td>{OUTCOMES[event.outcome as keyof typeof OUTCOMES] ?? event.outcome.toLowerCase()}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {nextBeforeSeq && (
          <p>
            <Link href={`/audit?${new URLSearchParams({ ...params, before: nextBeforeSeq })}`}>Older events →</Link>
          </p>
        )}
      </section>
    </>
  );
}
