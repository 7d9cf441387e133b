import type { Metadata } from 'next';
import Link from 'next/link';
import { CredentialDangerZone } from '@/components/credential-danger-zone';
import { formatDateTime } from '@/lib/format';
import { ADMINS, AUDIT_READERS } from '@/lib/roles';
import { requireRole } from '@/lib/server/auth/session';
import { listDeletedCredentials } from '@/lib/server/credentials/list-deleted-credentials';
import { services } from '@/lib/server/services';

export const metadata: Metadata = { title: 'Deleted credentials' };

export default async function DeletedCredentialsPage() {
  const user = await requireRole(AUDIT_READERS, 'page:/credentials/deleted');
  const deleted = await listDeletedCredentials(await services(), { organizationId: user.organizationId });
  const canRestore = ADMINS.includes(user.role);
  return (
    <>
      <h1>Deleted credentials</h1>
      <p className="muted">A deleted credential keeps its sealed secrets for 30 days and can be restored until then; after that it is purged with its secrets.</p>
      <section className="panel">
        {deleted.length === 0 ? (
          <p className="empty">No credential was deleted in the last 30 days.</p>
        ) : (
          <table>
            <caption className="visually-hidden">Deleted credentials, most recently deleted first</caption>
            <thead>
              <tr>
                <th scope="col">Credential</th>
                <th scope="col">Entity</th>
                <th scope="col">Deleted</th>
                <th scope="col">Purged after</th>
                {canRestore && <th scope="col">Restore</th>}
              </tr>
            </thead>
            <tbody>
              {deleted.map((c) => (
                <tr key={c.id}>
                  <td>
                    <Link href={`/credentials/${c.id}`}>{c.label}</Link>
                    <div className="muted">
                      {c.profileTitle} · {c.environment === 'PRODUCTION' ? 'Production' : 'Sandbox'}
                    </div>
                  </td>
                  <td>{c.legalEntity.name}</td>
                  <td>
                    {formatDateTime(c.deletedAt!)} UTC
                    <div className="muted">by {c.deletedBy ?? 'unknown'}</div>
                  </td>
                  <td>{formatDateTime(c.purgeAfter)} UTC</td>
                  {canRestore && (
                    <td>
                      <CredentialDangerZone credentialId={c.id} version={c.version} revoked={false} deleted />
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </>
  );
}
