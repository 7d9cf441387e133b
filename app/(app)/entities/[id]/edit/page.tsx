import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { z } from 'zod';
import { LegalEntityForm } from '@/components/legal-entity-form';
import { ADMINS } from '@/lib/roles';
import { requireRole } from '@/lib/server/auth/session';
import { getLegalEntity } from '@/lib/server/dashboard/get-legal-entity';
import { services } from '@/lib/server/services';
import { countryOptions } from '@/lib/tax-ids';

export const metadata: Metadata = { title: 'Edit legal entity' };

export default async function EditLegalEntityPage({ params }: { params: Promise<{ id: string }> }) {
  const user = await requireRole(ADMINS, 'page:/entities/edit');
  const id = z.uuid().safeParse((await params).id);
  if (!id.success) notFound();
  const entity = await getLegalEntity(await services(), { organizationId: user.organizationId, legalEntityId: id.data });
  if (!entity) notFound();
  return (
    <>
      <p>
        <Link href={`/entities/${entity.id}`}>← {entity.name}</Link>
      </p>
      <h1>Edit {entity.name}</h1>
      <section className="panel">
        <LegalEntityForm entity={{ id: entity.id, name: entity.name, country: entity.country, taxId: entity.taxId, externalRef: entity.externalRef ?? '' }} countries={countryOptions()} />
      </section>
    </>
  );
}
