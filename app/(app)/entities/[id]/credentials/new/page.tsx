import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { z } from 'zod';
import { CredentialForm } from '@/components/credential-form';
import { CREDENTIAL_PROFILES, REGIMES, ZCredentialProfile } from '@/lib/schemas/credential-profiles';
import { approvalOutlook } from '@/lib/server/approvals/approval-policy';
import { getLegalEntity } from '@/lib/server/dashboard/get-legal-entity';
import { services } from '@/lib/server/services';
import { requireSecretChangePage } from '@/lib/server/step-up/require-secret-change';

export const metadata: Metadata = { title: 'New credential' };

export default async function NewCredentialPage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<Record<string, string | string[]>>;
}) {
  const id = z.uuid().safeParse((await params).id);
  if (!id.success) notFound();
  const profile = ZCredentialProfile.safeParse((await searchParams).profile);
  // After the step-up, back to this form with the type already chosen.
  const user = await requireSecretChangePage('credentials', `/entities/${id.data}/credentials/new${profile.success ? `?profile=${profile.data}` : ''}`);
  const root = await services();
  const [entity, approval] = await Promise.all([
    getLegalEntity(root, { organizationId: user.organizationId, legalEntityId: id.data }),
    approvalOutlook(root, { organizationId: user.organizationId }),
  ]);
  if (!entity) notFound();

  return (
    <>
      <p>
        <Link href={`/entities/${entity.id}`}>← {entity.name}</Link>
      </p>
      <h1>New credential for {entity.name}</h1>
      <section className="panel">
        <form method="get" className="filters">
          <div>
            <label htmlFor="profile">Credential type</label>
            <select id="profile" name="profile" defaultValue={profile.success ? profile.data : ''}>
              <option value="" disabled>
                Choose…
              </option>
              {Object.entries(REGIMES).map(([regime, regimeLabel]) => (
                <optgroup key={regime} label={regimeLabel}>
                  {Object.entries(CREDENTIAL_PROFILES)
                    .filter(([, definition]) => definition.regime === regime)
                    .map(([value, definition]) => (
                      <option key={value} value={value}>
                        {definition.title}
                      </option>
                    ))}
                </optgroup>
              ))}
            </select>
          </div>
          <button type="submit" className="secondary">
            Choose
          </button>
        </form>
      </section>
      {profile.success && (
        <section className="panel" aria-label={`${CREDENTIAL_PROFILES[profile.data].title} details`}>
          <CredentialForm key={profile.data} mode="create" approval={approval} profile={profile.data} legalEntityId={entity.id} />
        </section>
      )}
    </>
  );
}
