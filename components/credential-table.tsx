import Link from 'next/link';
import { HealthBadge } from '@/components/health-badge';
import type { CredentialSummary } from '@/lib/server/dashboard/summarize-credential';
import { formatDate, formatDateTime } from '@/lib/format';


export function CredentialTable({ credentials, caption }: { credentials: CredentialSummary[]; caption: string }) {
  return (
    <table className="credentials">
      <caption className="visually-hidden">
        {caption}
      </caption>
      <thead>
        <tr>
          <th scope="col">Credential</th>
          <th scope="col">Environment</th>
          <th scope="col">Status</th>
          <th scope="col">Expires</th>
          <th scope="col">Last test (UTC)</th>
          <th scope="col">30-day success</th>
        </tr>
      </thead>
      <tbody>
        {credentials.map((credential) => (
          <tr key={credential.id}>
            <td>
              <Link href={`/credentials/${credential.id}`}>{credential.label}</Link>
              <div className="muted">{credential.profileTitle}</div>
            </td>
            <td>{credential.environment === 'PRODUCTION' ? 'Production' : 'Sandbox'}</td>
            <td>
              <HealthBadge health={credential.health} />
            </td>
            <td>{credential.expiresAt ? formatDate(credential.expiresAt) : <span className="muted">—</span>}</td>
            <td>
              {credential.lastTest ? (
                <>
                  {formatDateTime(credential.lastTest.startedAt)} ·{' '}
                  {credential.lastTest.outcome === 'SUCCESS' ? 'succeeded' : 'failed'}
                </>
              ) : (
                <span className="muted">Never</span>
              )}
            </td>
            <td>
              {credential.successRate30d ? (
                `${Math.round(credential.successRate30d.rate * 100)}% of ${credential.successRate30d.tests}`
              ) : (
                <span className="muted">—</span>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
