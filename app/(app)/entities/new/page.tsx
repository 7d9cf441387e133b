import type { Metadata } from 'next';
import Link from 'next/link';
import { LegalEntityForm } from '@/components/legal-entity-form';
import { ADMINS } from '@/lib/roles';
import { requireRole } from '@/lib/server/auth/session';
import { countryOptions } from '@/lib/tax-ids';

export const metadata: Metadata = { title: 'Add legal entity' };

export default async function NewLegalEntityPage() {
  await requireRole(ADMINS, 'page:/entities/new');
  return (
    <>
      <p>
        <Link href="/dashboard">← Dashboard</Link>
      </p>
      <h1>Add legal entity</h1>
      <section className="panel">
        <LegalEntityForm countries={countryOptions()} />
      </section>
    </>
  );
}
