import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { z } from 'zod';
import { CredentialForm } from '@/components/credential-form';
import { isCredentialProfile } from '@/lib/schemas/credential-profiles';
import { approvalOutlook } from '@/lib/server/approvals/approval-policy';
import { getCredentialStatus } from '@/lib/server/credentials/get-credential-status';
import { services } from '@/lib/server/services';
import { requireSecretChangePage } from '@/lib/server/step-up/require-secret-change';

export const metadata: Metadata = { title: 'Edit credential' };

export default async function EditCredentialPage({ params }: { params: Promise<{ id: string }> }) {
  const id = z.uuid().safeParse((await params).id);
  if (!id.success) notFound();
  const user = await requireSecretChangePage('credentials', `/credentials/${id.data}/edit`);
  const root = await services();
  const [credential, approval] = await Promise.all([
    getCredentialStatus(root, { organizationId: user.organizationId, credentialId: id.data }),
    approvalOutlook(root, { organizationId: user.organizationId }),
  ]);
  if (!credential || credential.deletedAt || credential.status === 'REVOKED' || !isCredentialProfile(credential.profile)) notFound();
  return (
    <>
      <p>
        <Link href={`/credentials/${credential.id}`}>← {credential.label}</Link>
      </p>
      <h1>
        {credential.status === 'DRAFT' ? 'Configure' : 'Edit'} {credential.label}
      </h1>
      <section className="panel">
        <p className="muted">
          {credential.profileTitle} for {credential.legalEntity.name}. Leave a secret as it is to keep it; replace it to change it.
        </p>
        <CredentialForm
          mode="edit"
          approval={approval}
          environment={credential.environment}
          profile={credential.profile}
          credentialId={credential.id}
          version={credential.version}
          label={credential.label}
          stored={credential.fields.map(({ name, value, set, fingerprint }) => ({ name, value, set, fingerprint }))}
        />
      </section>
    </>
  );
}
