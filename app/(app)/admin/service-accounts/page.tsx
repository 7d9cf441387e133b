import type { Metadata } from 'next';
import { RevokeServiceAccountButton } from '@/components/revoke-service-account-button';
import { ServiceAccountForm } from '@/components/service-account-form';
import { ADMINS } from '@/lib/roles';
import { requireRole } from '@/lib/server/auth/session';
import { services } from '@/lib/server/services';
import { listLegalEntities } from '@/lib/server/entities/list-legal-entities';
import { listServiceAccounts } from '@/lib/server/service-accounts/list-service-accounts';
import { formatDate } from '@/lib/format';

export const metadata: Metadata = { title: 'Service accounts' };

export default async function ServiceAccountsPage() {
  const admin = await requireRole(ADMINS, 'page:/admin/service-accounts');
  const root = await services();
  const [accounts, entities] = await Promise.all([
    listServiceAccounts(root, { organizationId: admin.organizationId }),
    listLegalEntities(root, { organizationId: admin.organizationId }),
  ]);
  const entityName = new Map(entities.map((e) => [e.id, e.name]));
  return (
    <>
      <h1>Service accounts</h1>
      <p className="muted">
        Your own services (the transmission service) use these keys on the API (<a href="/api/v1/openapi.json">OpenAPI</a>). Creating or revoking one asks
        for a code from your authenticator.
      </p>
      <section className="panel">
        {accounts.length === 0 ? (
          <p className="empty">No service accounts yet.</p>
        ) : (
          <table>
            <caption className="visually-hidden">Service accounts</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Key</th>
                <th scope="col">Permissions</th>
                <th scope="col">Legal entities</th>
                <th scope="col">Status</th>
              </tr>
            </thead>
            <tbody>
              {accounts.map((account) => (
                <tr key={account.id}>
                  <td>{account.name}</td>
                  <td>
                    <code>{account.keyPrefix}…</code>
                  </td>
                  <td>{account.scopes.join(', ')}</td>
                  <td>{account.legalEntityIds.map((id) => entityName.get(id) ?? id).join(', ')}</td>
                  <td>
                    {account.revokedAt ? (
                      `Revoked ${formatDate(account.revokedAt)}`
                    ) : (
                      <>
                        Active since {formatDate(account.createdAt)} <RevokeServiceAccountButton id={account.id} name={account.name} />
                      </>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <section className="panel" aria-labelledby="new-sa">
        <h2 id="new-sa">New service account</h2>
        <ServiceAccountForm entities={entities} />
      </section>
    </>
  );
}
