import type { Metadata } from 'next';
import Link from 'next/link';
import { AttentionCounts } from '@/components/attention-counts';
import { CredentialFilterSelects, FilterSelect } from '@/components/filter-select';
import { HealthBadge } from '@/components/health-badge';
import { relativeDays } from '@/lib/expiry';
import { formatInZone } from '@/lib/format';
import { NextStepText } from '@/components/next-step-text';
import { nextStep } from '@/lib/next-step';
import { ADMINS, STATUS_READERS, TESTERS } from '@/lib/roles';
import { ZAttentionFilters } from '@/lib/schemas/dashboard-filters';
import { countryName } from '@/lib/tax-ids';
import { requireRole } from '@/lib/server/auth/session';
import { now } from '@/lib/server/clock';
import { entityCountries } from '@/lib/server/dashboard/get-organization-overview';
import { listAttention } from '@/lib/server/dashboard/list-attention';
import { listLegalEntities } from '@/lib/server/entities/list-legal-entities';
import { getOrganizationSettings } from '@/lib/server/organization/organization-settings';
import { services } from '@/lib/server/services';

export const metadata: Metadata = { title: 'Expiring and failing' };

const SHOW = { EXPIRED: 'Expired', EXPIRING: 'Expiring', FAILING: 'Failing', NEVER_TESTED: 'Never tested' } as const;

/** Every credential that needs someone, most urgent first: by days to expiry, then by failing tests. */
export default async function ExpiringPage({ searchParams }: { searchParams: Promise<Record<string, string | string[]>> }) {
  const user = await requireRole(STATUS_READERS, 'page:/expiring');
  const filters = ZAttentionFilters.parse(await searchParams);
  const v = await services();
  const at = now();
  const [{ items, counts }, settings, entities, countries] = await Promise.all([
    listAttention(v, { organizationId: user.organizationId, filters, now: at }),
    getOrganizationSettings(v, { organizationId: user.organizationId }),
    listLegalEntities(v, { organizationId: user.organizationId, archived: false }),
    entityCountries(v, { organizationId: user.organizationId }),
  ]);
  const zone = settings.timeZone;
  const filtering = Object.values(filters).some(Boolean);
  const link = (show: string) => `/expiring?${new URLSearchParams({ ...Object.fromEntries(Object.entries(filters).filter(([, value]) => value)), show })}`;

  return (
    <>
      <h1>Expiring and failing</h1>
      <p className="muted">
        Dates in {zone} (Admin → Settings). A credential is expiring inside its lead time (its regime’s renewal time: 30 days, Peppol and SDI certificates 45, KSeF tokens 60, unless your organization chose otherwise) and is not served once expired.
      </p>
      <AttentionCounts counts={counts} href={link} label="Counts" />
      <section className="panel" aria-labelledby="attention-filters-heading">
        <h2 id="attention-filters-heading" className="muted filters-heading">
          Filter
        </h2>
        <form className="filters" method="get">
          <FilterSelect name="entity" label="Legal entity" all="All entities" value={filters.entity} options={entities.map((entity) => ({ value: entity.id, label: entity.name }))} />
          <CredentialFilterSelects countries={countries} filters={filters} />
          <FilterSelect name="show" label="Show" all="Everything that needs someone" value={filters.show} options={Object.entries(SHOW).map(([value, label]) => ({ value, label }))} />
          <button type="submit">Apply</button>
          {filtering && (
            <Link href="/expiring" className="button secondary">
              Clear
            </Link>
          )}
        </form>
      </section>
      {items.length === 0 ? (
        <section className="panel empty">
          <p>{filtering ? 'Nothing matches these filters.' : 'Nothing needs attention: no credential is expired, expiring, failing or waiting for its first test.'}</p>
        </section>
      ) : (
        <section className="panel">
          <table>
            <caption className="visually-hidden">Credentials that need attention, most urgent first</caption>
            <thead>
              <tr>
                <th scope="col">Credential</th>
                <th scope="col">Legal entity</th>
                <th scope="col">State</th>
                <th scope="col">Expiry</th>
                <th scope="col">Connection tests</th>
                <th scope="col">What to do</th>
              </tr>
            </thead>
            <tbody>
              {items.map((item) => (
                <tr key={item.id}>
                  <td>
                    <Link href={`/credentials/${item.id}`}>{item.label}</Link>
                    <div className="muted">
                      {item.profileTitle} · {item.environment === 'PRODUCTION' ? 'Production' : 'Sandbox'}
                    </div>
                    {item.notice && <p className="notice">{item.notice}</p>}
                  </td>
                  <td>
                    {item.legalEntity.name}
                    <div className="muted">{countryName(item.legalEntity.country)}</div>
                  </td>
                  <td>
                    <HealthBadge health={item.category} />
                  </td>
                  <td>
                    {item.expiresAt ? (
                      <>
                        {item.expiresAt.getTime() <= at.getTime() ? `Expired ${relativeDays(item.expiresAt, at.getTime())}` : `Expires ${relativeDays(item.expiresAt, at.getTime())}`}
                        <div className="muted">
                          <time dateTime={item.expiresAt.toISOString()}>{formatInZone(item.expiresAt, zone, { time: true })}</time>
                        </div>
                      </>
                    ) : (
                      <span className="muted">No known expiry</span>
                    )}
                  </td>
                  <td>
                    {item.failingTests > 0 && item.failingSince ? (
                      <>
                        {item.failingTests} failed in a row
                        <div className="muted">since {formatInZone(item.failingSince, zone, { time: true })} ({relativeDays(item.failingSince, at.getTime())})</div>
                      </>
                    ) : item.category === 'NEVER_TESTED' ? (
                      'Never tested'
                    ) : item.lastError ? (
                      item.lastError
                    ) : (
                      <span className="muted">—</span>
                    )}
                  </td>
                  <td>
                    <NextStepText step={nextStep(item, { canChange: ADMINS.includes(user.role), canTest: TESTERS.includes(user.role) })} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
    </>
  );
}
