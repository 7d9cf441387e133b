import Link from 'next/link';
import { ChangeRequestActions } from '@/components/change-request-actions';
import { formatDateTime } from '@/lib/format';
import { fieldLabel } from '@/lib/schemas/credential-profiles';
import { CHANGE_KINDS, CHANGE_STATUSES } from '@/lib/schemas/governance';
import type { ChangeRequestDto } from '@/lib/server/approvals/list-change-requests';

const when = (date: Date | null) => (date ? `${formatDateTime(date)} UTC` : '—');

/** What a request changes: settings old → new (a changed host marked), secrets and versions by fingerprint. Never a secret value. */
function Changes({ request }: { request: ChangeRequestDto }) {
  const { secrets = [], configFields = [], settings, versions, label, target } = request.summary ?? {};
  const name = (field: string) => fieldLabel(request.profile, field);
  const back = request.kind === 'ROLLBACK' ? versions?.previous : null;
  return (
    <ul className="plain changes">
      {target && <li>{target}</li>}
      {label && (
        <li>
          Label: <Change from={label.from} to={label.to} />
        </li>
      )}
      {back && (
        <li>
          Secrets: version {versions?.current?.number ?? '?'} (in use) → version {back.number}
          {Object.entries(back.fingerprints).map(([field, fingerprint]) => (
            <div key={field}>
              {name(field)}: <Change from={versions?.current?.fingerprints[field] ?? null} to={fingerprint} code />
            </div>
          ))}
        </li>
      )}
      {secrets.map((s) => (
        <li key={s.field}>
          {name(s.field)} (secret): <Change from={s.from} to={s.to} code />
        </li>
      ))}
      {settings
        ? settings.map((s) => (
            <li key={s.field}>
              {name(s.field)}: <Change from={s.from} to={s.to} />
              {s.host && (
                <div>
                  <mark>
                    Host changes from {s.host.from ?? 'none'} to {s.host.to ?? 'none'}
                  </mark>
                </div>
              )}
            </li>
          ))
        : configFields.length > 0 && <li>Settings: {configFields.map(name).join(', ')}</li>}
    </ul>
  );
}

function Change({ from, to, code = false }: { from: string | null; to: string | null; code?: boolean }) {
  const show = (value: string | null) => (value === null ? <span className="muted">not set</span> : code ? <code>{value}</code> : <span className="value">{value}</span>);
  return (
    <>
      {show(from)} → {show(to)}
    </>
  );
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
              {r.summary?.versions?.current && <div className="muted">asked while secrets version {r.summary.versions.current.number} was in use</div>}
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
