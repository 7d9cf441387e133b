import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { VerifyChainButton } from '@/components/verify-chain-button';
import { AUDIT_READERS } from '@/lib/roles';
import { ZAuditCursor } from '@/lib/schemas/paging';
import { listAuditEvents } from '@/lib/server/audit/list-audit-events';
import { requireRole } from '@/lib/server/auth/session';
import { services } from '@/lib/server/services';
import { formatDateTime } from '@/lib/format';

export const metadata: Metadata = { title: 'Audit log' };

export default async function AuditPage({ searchParams }: { searchParams: Promise<Record<string, string | string[]>> }) {
  const user = await requireRole(AUDIT_READERS, 'page:/audit');
  const before = ZAuditCursor.safeParse((await searchParams).before);
  if (!before.success) notFound();
  const beforeSeq = before.data;
  const { events, nextBeforeSeq } = await listAuditEvents(await services(), { organizationId: user.organizationId, beforeSeq });

  return (
    <>
      <h1>Audit log</h1>
      <section className="panel actions" aria-label="Verify and export">
        <VerifyChainButton />
        <a className="button secondary" href="/audit/export?format=csv">
          Export CSV
        </a>
        <a className="button secondary" href="/audit/export?format=json">
          Export JSON
        </a>
      </section>
      <section className="panel">
        {events.length === 0 ? (
          <p className="empty">No events yet.</p>
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
                <th scope="col">Details</th>
              </tr>
            </thead>
            <tbody>
              {events.map((event) => (
                <tr key={event.seq}>
                  <td>{event.seq}</td>
                  <td>{formatDateTime(event.at)}</td>
                  <td>
                    {event.actorLabel ?? event.actorType.toLowerCase()}
                    {event.ip && <div className="muted">{event.ip}</div>}
                  </td>
                  <td>
                    {event.action}
                    {event.targetType && (
                      <div className="muted">
                        {event.targetType === 'Credential' && event.targetId ? <Link href={`/credentials/${event.targetId}`}>credential</Link> : event.targetType}
                      </div>
                    )}
                  </td>
                  <td>{event.outcome.toLowerCase()}</td>
                  <td>
                    <code>{JSON.stringify(event.details)}</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {nextBeforeSeq && (
          <p>
            <Link href={`/audit?before=${nextBeforeSeq}`}>Older events →</Link>
          </p>
        )}
      </section>
    </>
  );
}
