import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { z } from 'zod';
import { ArchiveEntityButton } from '@/components/archive-entity-button';
import { CredentialTable } from '@/components/credential-table';
import { ADMINS, STATUS_READERS } from '@/lib/roles';
import { requireRole } from '@/lib/server/auth/session';
import { getLegalEntity } from '@/lib/server/dashboard/get-legal-entity';
import { services } from '@/lib/server/services';
import { formatDate } from '@/lib/format';
import { countryName } from '@/lib/tax-ids';

export const metadata: Metadata = { title: 'Legal entity' };

export default async function LegalEntityPage({ params }: { params: Promise<{ id: string }> }) {
  const user = await requireRole(STATUS_READERS, 'page:/entities');
  const id = z.uuid().safeParse((await params).id);
  if (!id.success) notFound();
  const entity = await getLegalEntity(await services(), { organizationId: user.organizationId, legalEntityId: id.data });
  if (!entity) notFound();
  const admin = ADMINS.includes(user.role);

  return (
    <>
      <p>
        <Link href="/dashboard">← Dashboard</Link>
      </p>
      <h1>{entity.name}</h1>
      {entity.archivedAt && (
        <p className="form-error" role="status">
          Archived on {formatDate(entity.archivedAt)}: its credentials are kept sealed but not served to services.
        </p>
      )}
      <section className="panel" aria-label="Entity details">
        <dl className="facts">
          <dt>Country</dt>
          <dd>
            {countryName(entity.country)} ({entity.country})
          </dd>
          <dt>Tax id</dt>
          <dd>{entity.taxId}</dd>
          {entity.externalRef && (
            <>
              <dt>Your reference</dt>
              <dd>{entity.externalRef}</dd>
            </>
          )}
          <dt>Credentials</dt>
          <dd>{entity.credentials.length}</dd>
        </dl>
        {admin && (
          <span className="actions">
            <Link className="button secondary" href={`/entities/${entity.id}/edit`}>
              Edit entity
            </Link>
            <ArchiveEntityButton legalEntityId={entity.id} archived={entity.archivedAt !== null} />
          </span>
        )}
      </section>
      <section className="panel" aria-labelledby="credentials-heading">
        <div className="entity-head">
          <h2 id="credentials-heading">Credentials</h2>
          {admin && !entity.archivedAt && (
            <Link className="button" href={`/entities/${entity.id}/credentials/new`}>
              Add credential
            </Link>
          )}
        </div>
        {entity.credentials.length === 0 ? (
          <p className="muted">No credentials for this entity yet. An administrator can add one.</p>
        ) : (
          <CredentialTable credentials={entity.credentials} caption={`Credentials of ${entity.name}`} />
        )}
      </section>
    </>
  );
}
