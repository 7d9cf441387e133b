import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { z } from 'zod';
import { CredentialDangerZone } from '@/components/credential-danger-zone';
import { HealthBadge } from '@/components/health-badge';
import { ADMINS, STATUS_READERS } from '@/lib/roles';
import { requireRole } from '@/lib/server/auth/session';
import { getCredentialStatus } from '@/lib/server/credentials/get-credential-status';
import { vault } from '@/lib/server/credentials/vault';

export const metadata: Metadata = { title: 'Credential' };

const dateTime = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' });
const when = (date: Date | null) => (date ? `${dateTime.format(date)} UTC` : '—');

export default async function CredentialPage({ params }: { params: Promise<{ id: string }> }) {
  const user = await requireRole(STATUS_READERS, 'page:/credentials');
  const id = z.uuid().safeParse((await params).id);
  if (!id.success) notFound();
  const credential = await getCredentialStatus(await vault(), { organizationId: user.organizationId, credentialId: id.data });
  if (!credential) notFound();
  const isAdmin = ADMINS.includes(user.role);
  const changeable = isAdmin && credential.status !== 'REVOKED' && !credential.deletedAt;

  return (
    <>
      <p>
        <Link href={`/entities/${credential.legalEntity.id}`}>← {credential.legalEntity.name}</Link>
      </p>
      <h1>
        {credential.label} <HealthBadge health={credential.health} />
      </h1>
      {credential.deletedAt && (
        <p className="form-error" role="status">
          Deleted on {when(credential.deletedAt)}. It can be restored for 30 days.
        </p>
      )}
      {credential.lastError && (
        <p className="form-error" role="status">
          {credential.lastError}
        </p>
      )}
      <section className="panel" aria-labelledby="summary-heading">
        <h2 id="summary-heading" className="visually-hidden">
          Summary
        </h2>
        <dl className="facts">
          <dt>Type</dt>
          <dd>{credential.profileTitle}</dd>
          <dt>Environment</dt>
          <dd>{credential.environment === 'PRODUCTION' ? 'Production' : 'Sandbox'}</dd>
          <dt>Lifecycle</dt>
          <dd>{credential.status.replace('_', ' ').toLowerCase()}</dd>
          <dt>Expires</dt>
          <dd>{when(credential.expiresAt)}</dd>
          <dt>Last configured</dt>
          <dd>
            {when(credential.configuredAt)}
            {credential.configuredBy ? ` by ${credential.configuredBy}` : ''}
          </dd>
          <dt>Last used</dt>
          <dd>{when(credential.lastUsedAt)}</dd>
          <dt>Last test</dt>
          <dd>{credential.lastTest ? `${when(credential.lastTest.startedAt)} · ${credential.lastTest.outcome === 'SUCCESS' ? 'succeeded' : 'failed'}` : 'Never'}</dd>
          <dt>Version</dt>
          <dd>{credential.version}</dd>
        </dl>
      </section>
      <section className="panel" aria-labelledby="fields-heading">
        <h2 id="fields-heading">Settings and secrets</h2>
        <table>
          <caption className="visually-hidden">Fields of {credential.label}</caption>
          <thead>
            <tr>
              <th scope="col">Field</th>
              <th scope="col">Value</th>
            </tr>
          </thead>
          <tbody>
            {credential.fields.map((field) => (
              <tr key={field.name}>
                <td>{field.label}</td>
                <td>
                  {field.secret ? (
                    field.set ? (
                      <span>
                        Set · fingerprint <code>{field.fingerprint}</code>
                      </span>
                    ) : (
                      <span className="muted">Not set</span>
                    )
                  ) : field.value ? (
                    <code>{field.kind === 'pem' ? `${field.value.slice(0, 40)}…` : field.value}</code>
                  ) : (
                    <span className="muted">—</span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <p className="muted">Secrets are write-only: Strongroom never shows them again. Compare fingerprints to tell whether one changed.</p>
      </section>
      {isAdmin && (
        <section className="panel actions" aria-label="Change this credential">
          {changeable && (
            <Link className="button" href={`/credentials/${credential.id}/edit`}>
              {credential.status === 'DRAFT' ? 'Configure' : 'Edit or replace secrets'}
            </Link>
          )}
          <CredentialDangerZone credentialId={credential.id} version={credential.version} revoked={credential.status === 'REVOKED'} deleted={Boolean(credential.deletedAt)} />
        </section>
      )}
    </>
  );
}
