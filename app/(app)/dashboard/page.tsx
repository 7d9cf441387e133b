import type { Metadata } from 'next';
import Link from 'next/link';
import { AttentionCounts } from '@/components/attention-counts';
import { CredentialTable } from '@/components/credential-table';
import { CredentialFilterSelects, FilterSelect } from '@/components/filter-select';
import { CREDENTIAL_HEALTH } from '@/lib/credential-health';
import { ADMINS, STATUS_READERS } from '@/lib/roles';
import { ZDashboardFilters, ZPage } from '@/lib/schemas/dashboard-filters';
import { requireRole } from '@/lib/server/auth/session';
import { entityCountries, getOrganizationOverview } from '@/lib/server/dashboard/get-organization-overview';
import { listLegalEntities } from '@/lib/server/entities/list-legal-entities';
import { services } from '@/lib/server/services';
import { now } from '@/lib/server/clock';
import { countAttention } from '@/lib/server/dashboard/list-attention';

export const metadata: Metadata = { title: 'Dashboard' };

const PAGE_SIZE = 20;

export default async function DashboardPage({ searchParams }: { searchParams: Promise<Record<string, string | string[]>> }) {
  const user = await requireRole(STATUS_READERS, 'page:/dashboard');
  const query = await searchParams;
  const filters = ZDashboardFilters.parse(query);
  const pageNumber = ZPage.parse(query.page);
  const v = await services();
  const [{ entities, total }, archived, countries, counts] = await Promise.all([
    getOrganizationOverview(v, { organizationId: user.organizationId, filters, page: { number: pageNumber, size: PAGE_SIZE } }),
    listLegalEntities(v, { organizationId: user.organizationId, archived: true }),
    entityCountries(v, { organizationId: user.organizationId }),
    countAttention(v, { organizationId: user.organizationId, now: now() }),
  ]);
  const filtering = Object.values(filters).some(Boolean);
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
  // The filters stay in the URL of every page link, so a page can be shared as it is seen.
  const pageHref = (n: number) => `/dashboard?${new URLSearchParams({ ...Object.fromEntries(Object.entries(filters).filter(([, value]) => value)), page: String(n) })}`;
  const admin = ADMINS.includes(user.role);

  return (
    <>
      <div className="entity-head">
        <h1>{user.organizationName}: credentials</h1>
        <span className="actions">
          {admin && (
            <>
              <Link className="button" href="/entities/new">
                Add legal entity
              </Link>
              <Link className="button secondary" href="/entities/import">
                Import CSV
              </Link>
            </>
          )}
          <a className="button secondary" href="/entities/export" download>
            Export CSV
          </a>
        </span>
      </div>
      <AttentionCounts counts={counts} href={(kind) => `/expiring?show=${kind}`} label="Needs attention" expiringText="expiring within lead time" />
      <section className="panel" aria-labelledby="filters-heading">
        <h2 id="filters-heading" className="muted filters-heading">
          Filter
        </h2>
        <form className="filters" method="get">
          <div>
            <label htmlFor="q">Search</label>
            <input id="q" name="q" type="search" defaultValue={filters.q ?? ''} placeholder="Name, tax id or reference" />
          </div>
          <CredentialFilterSelects countries={countries} filters={filters} />
          <FilterSelect name="health" label="Status" all="All statuses" value={filters.health} options={Object.entries(CREDENTIAL_HEALTH).map(([value, label]) => ({ value, label }))} />
          <button type="submit">Apply</button>
          {filtering && (
            <Link href="/dashboard" className="button secondary">
              Clear
            </Link>
          )}
        </form>
      </section>

      {entities.length === 0 ? (
        <section className="panel empty">
          {filtering ? (
            <p>
              Nothing matches these filters. <Link href="/dashboard">Show everything</Link>.
            </p>
          ) : (
            <p>
              This organization has no legal entities yet.{' '}
              {admin ? (
                <>
                  <Link href="/entities/new">Add the first one</Link>, then its credentials; and invite colleagues under <Link href="/admin/users">Users</Link>, among them
                  a second administrator to approve production changes.
                </>
              ) : (
                'An administrator adds them, then their credentials.'
              )}
            </p>
          )}
        </section>
      ) : (
        entities.map((entity) => (
          <section key={entity.id} className="panel" aria-labelledby={`entity-${entity.id}`}>
            <div className="entity-head">
              <h2 id={`entity-${entity.id}`}>
                <Link href={`/entities/${entity.id}`}>{entity.name}</Link>
              </h2>
              <span className="muted">
                {entity.country} · tax id {entity.taxId}
              </span>
            </div>
            {entity.credentials.length === 0 ? (
              <p className="muted">No credentials for this entity yet.</p>
            ) : (
              <CredentialTable credentials={entity.credentials} caption={`Credentials of ${entity.name}`} />
            )}
          </section>
        ))
      )}
      {total > 0 && (
        <nav className="pager" aria-label="Pages">
          <span>
            {total === 1 ? '1 entity' : `${total.toLocaleString('en')} entities`}
            {pages > 1 && `, page ${pageNumber} of ${pages}`}
          </span>
          {pageNumber > 1 && <Link href={pageHref(Math.min(pageNumber - 1, pages))}>← Previous</Link>}
          {pageNumber < pages && <Link href={pageHref(pageNumber + 1)}>Next →</Link>}
        </nav>
      )}
      {archived.length > 0 && !filtering && (
        <section className="panel" aria-labelledby="archived-heading">
          <h2 id="archived-heading" className="muted">
            Archived entities
          </h2>
          <ul>
            {archived.map((entity) => (
              <li key={entity.id}>
                <Link href={`/entities/${entity.id}`}>{entity.name}</Link>
              </li>
            ))}
          </ul>
        </section>
      )}
    </>
  );
}
