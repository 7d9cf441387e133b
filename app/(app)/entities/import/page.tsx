import type { Metadata } from 'next';
import Link from 'next/link';
import { ImportEntitiesForm } from '@/components/import-entities-form';
import { ADMINS } from '@/lib/roles';
import { requireRole } from '@/lib/server/auth/session';

export const metadata: Metadata = { title: 'Import legal entities' };

export default async function ImportEntitiesPage() {
  await requireRole(ADMINS, 'page:/entities/import');
  return (
    <>
      <p>
        <Link href="/dashboard">← Dashboard</Link>
      </p>
      <h1>Import legal entities</h1>
      <section className="panel">
        <p>
          A CSV file in UTF-8 (up to 1 MB) whose first line names the columns <code>name</code>, <code>country</code> (ISO code such as AE or
          PL), <code>tax_id</code> and, if you like, <code>external_reference</code>. Every row is checked and shown before anything is
          written; the import then adds all rows or none.
        </p>
        <ImportEntitiesForm />
      </section>
    </>
  );
}
