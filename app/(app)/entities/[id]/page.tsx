import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { z } from 'zod';
import { CredentialTable } from '@/components/credential-table';
import { ADMINS, STATUS_READERS } from '@/lib/roles';
import { requireRole } from '@/lib/server/auth/session';
import { getLegalEntity } from '@/lib/server/dashboard/get-legal-entity';
import { services } from '@/lib/server/services';

export const metadata: Metadata = { title: 'Legal entity' };

export default async function LegalEntityPage({ params }: { params: Promise<{ id: string }> }) {
  const user = await requireRole(STATUS_READERS, 'page:/entities');
  const id = z.uuid().safeParse((await params).id);
  if (!id.success) notFound();
  const entity = await getLegalEntity(await services(), { organizationId: user.organizationId, legalEntityId: id.data });
  if (!entity) notFound();

  return (
    <>
      <p>
        <Link href="/dashboard">← Dashboard</Link>
      </p>
      <h1>{entity.name}</h1>
      <section className="panel" aria-label="Entity details">
        <dl className="facts">
          <dt>Country</dt>
          <dd>{entity.country}</dd>
          <dt>Tax id</dt>
          <dd>{entity.taxId}</dd>
          <dt>Credentials</dt>
          <dd>{entity.credentials.length}</dd>
        </dl>
      </section>
      <section className="panel" aria-labelledby="credentials-heading">
        <div className="entity-head">
          <h2 id="credentials-heading">Credentials</h2>
          {ADMINS.includes(user.role) && (
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
