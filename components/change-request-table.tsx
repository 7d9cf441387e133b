import Link from 'next/link';
import { ChangeRequestActions } from '@/components/change-request-actions';
import { formatDateTime } from '@/lib/format';
import { fieldLabel } from '@/lib/schemas/credential-profiles';
import { CHANGE_KINDS, CHANGE_STATUSES } from '@/lib/schemas/governance';
import type { ChangeRequestDto } from '@/lib/server/approvals/list-change-requests';

const when = (date: Date | null) => (date ? `${formatDateTime(date)} UTC` : '—');

/** What a request changes: secrets by fingerprint (old → new), settings and label by name. Never a value. */
function Changes({ request }: { request: ChangeRequestDto }) {
  const { secrets = [], configFields = [], label, target } = request.summary ?? {};
  const name = (field: string) => fieldLabel(request.profile, field);
  const lines = [
    ...(target ? [target] : []),
    ...(label ? [`label “${label.from ?? '—'}” → “${label.to}”`] : []),
    ...secrets.map((s) => `${name(s.field)} ${s.from ?? 'not set'} → ${s.to}`),
    ...(configFields.length ? [`settings: ${configFields.map(name).join(', ')}`] : []),
  ];
  return lines.length ? (
    <ul className="plain">
      {lines.map((line) => (
        <li key={line}>
          <code>{line}</code>
        </li>
      ))}
    </ul>
  ) : null;
}

/** Change requests, with Approve / Reject / Withdraw for administrators on the pending ones. */
export function ChangeRequestTable({ requests, viewerId, canDecide, caption }: { requests: ChangeRequestDto[]; viewerId: string; canDecide: boolean; caption: string }) {
  return (
    <table>
      <caption className="visually-hidden">{caption}</caption>
      <thead>
        <tr>
          <th scope="col">Change</th>
          <th scope="col">About</th>
          <th scope="col">Asked by</th>
          <th scope="col">State</th>
          <th scope="col">What changes</th>
        </tr>
      </thead>
      <tbody>
        {requests.map((r) => (
          <tr key={r.id} data-request-id={r.id}>
            <td>{CHANGE_KINDS[r.kind]}</td>
            <td>
              {r.credential ? <Link href={`/credentials/${r.credential.id}`}>{r.label}</Link> : r.label}
              {r.entityName && <div className="muted">{r.entityName}</div>}
              {r.baseVersion !== null && <div className="muted">made against version {r.baseVersion}</div>}
            </td>
            <td>
              {r.requestedBy}
              <div className="muted">{when(r.requestedAt)}</div>
            </td>
            <td>
              {r.status === 'PENDING' ? (
                r.expired ? (
                  'expired (not approved in time)'
                ) : (
                  <>
                    {r.stale ? 'stale: the credential changed since; approving it will be refused' : `waiting, until ${when(r.expiresAt)}`}
                    {canDecide && (
                      <div>
                        <ChangeRequestActions requestId={r.id} mine={r.requestedById === viewerId} label={r.label} />
                      </div>
                    )}
                  </>
                )
              ) : (
                <>
                  {CHANGE_STATUSES[r.status]}
                  {r.decidedBy && <div className="muted">by {r.decidedBy}, {when(r.decidedAt)}</div>}
                  {r.reason && <div className="muted">{r.reason}</div>}
                </>
              )}
            </td>
            <td>
              <Changes request={r} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
