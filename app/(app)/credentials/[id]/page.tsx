import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { z } from 'zod';
import { ZPageNumber } from '@/lib/schemas/paging';
import { CredentialDangerZone } from '@/components/credential-danger-zone';
import { HealthBadge } from '@/components/health-badge';
import { KsefEnrolment } from '@/components/ksef-enrolment';
import { KsefRenewButton } from '@/components/ksef-renew-button';
import { LatencyChart } from '@/components/latency-chart';
import { RunTestButton } from '@/components/run-test-button';
import { ADMINS, AUDIT_READERS, STATUS_READERS, TESTERS } from '@/lib/roles';
import { listConnectionTests } from '@/lib/server/connection-tests/list-connection-tests';
import { services } from '@/lib/server/services';
import { getTokenState, type TokenStateDto } from '@/lib/server/tokens/get-token-state';
import { requireRole } from '@/lib/server/auth/session';
import { getCredentialStatus } from '@/lib/server/credentials/get-credential-status';
import { formatDateTime, countOf } from '@/lib/format';
import { fieldLabel } from '@/lib/schemas/credential-profiles';
import { now } from '@/lib/server/clock';
import { CredentialWatchForm } from '@/components/credential-watch-form';
import { NOTIFICATION_EVENTS } from '@/lib/notifications';
import { getCredentialWatch, listPossibleOwners } from '@/lib/server/credentials/get-credential-watch';
import { ChangeRequestTable } from '@/components/change-request-table';
import { NextStepText } from '@/components/next-step-text';
import { nextStep, type NeedsSomeone } from '@/lib/next-step';
import { SecretVersionActions } from '@/components/secret-version-actions';
import { listChangeRequests } from '@/lib/server/approvals/list-change-requests';
import { getApprovalPolicy } from '@/lib/server/approvals/approval-policy';
import { listSecretVersions } from '@/lib/server/credentials/list-secret-versions';
import { listServiceCalls } from '@/lib/server/api/list-service-calls';
import { profileDefinition } from '@/lib/schemas/credential-profiles';

export const metadata: Metadata = { title: 'Credential' };

const VERSION_STATES = { PENDING: 'Pending', CURRENT: 'In use', PREVIOUS: 'Previous', RETIRED: 'Destroyed' } as const;

const DELIVERY_LABELS = { PENDING: 'queued', DELIVERED: 'delivered', FAILED: 'not sent' } as const;

const when = (date: Date | null) => (date ? `${formatDateTime(date)} UTC` : '—');

/** Tokens that live less than this are refreshed often enough to be worth explaining. */
const SHORT_TOKEN_SECONDS = 120;

function describeToken(token: TokenStateDto): string {
  const failing = token.lastError ? ` · last refresh failed: ${token.lastError}${token.nextAttemptAt ? ` (next attempt ${when(token.nextAttemptAt)})` : ''}` : '';
  if (!token.expiresAt) return `None held${failing}`;
  return `Valid until ${when(token.expiresAt)}${token.refreshAt ? ` · next refresh ${when(token.refreshAt)} (by the scheduler, ahead of expiry)` : ''}${failing}`;
}

const needsSomeone = (health: string): health is NeedsSomeone['category'] => ['EXPIRED', 'EXPIRING', 'FAILING', 'NEVER_TESTED'].includes(health);

export default async function CredentialPage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<Record<string, string | string[]>>;
}) {
  const user = await requireRole(STATUS_READERS, 'page:/credentials');
  const id = z.uuid().safeParse((await params).id);
  if (!id.success) notFound();
  const credential = await getCredentialStatus(await services(), { organizationId: user.organizationId, credentialId: id.data });
  if (!credential) notFound();
  const query = await searchParams;
  const outcome = query.outcome === 'SUCCESS' || query.outcome === 'FAILURE' ? query.outcome : undefined;
  const parsedPage = ZPageNumber.safeParse(query.page);
  if (!parsedPage.success) notFound();
  const page = parsedPage.data;
  const root = await services();
  const [history, token, watch, people, versions, requests, { rollbackDays }, serviceCalls] = await Promise.all([
    listConnectionTests(root, { organizationId: user.organizationId, credentialId: credential.id, outcome, page }),
    getTokenState(root, { organizationId: user.organizationId, credentialId: credential.id }),
    getCredentialWatch(root, { organizationId: user.organizationId, credentialId: credential.id }),
    ADMINS.includes(user.role) ? listPossibleOwners(root, { organizationId: user.organizationId }) : Promise.resolve([]),
    listSecretVersions(root, { organizationId: user.organizationId, credentialId: credential.id }),
    listChangeRequests(root, { organizationId: user.organizationId, credentialId: credential.id, decidedTake: 5 }),
    getApprovalPolicy(root, { organizationId: user.organizationId }),
    listServiceCalls(root, { organizationId: user.organizationId, credentialId: credential.id }),
  ]);
  const definition = profileDefinition(credential.profile);
  const usedWithoutHolding = Boolean(definition?.proxy || definition?.signing?.length);
  const pendingVersion = versions.find((v) => v.state === 'PENDING');
  const previousVersion = versions.find((v) => v.state === 'PREVIOUS' && v.destroyAfter && v.destroyAfter > now());
  const currentVersion = versions.find((v) => v.state === 'CURRENT');
  /** The secret version that was in use at a moment (a test's start), as the versions table numbers them. */
  const versionAt = (at: Date) => versions.find((v) => v.currentFrom && v.currentFrom <= at && (!v.currentUntil || at < v.currentUntil))?.number;
  const testable = credential.status === 'ACTIVE' || credential.status === 'NEEDS_ATTENTION' || credential.status === 'REFRESHING';
  const pageLink = (p: number) => `/credentials/${credential.id}?${new URLSearchParams({ ...(outcome ? { outcome } : {}), page: String(p) })}`;
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
          Deleted on {when(credential.deletedAt)}{credential.deletedBy ? ` by ${credential.deletedBy}` : ''}. It can be restored for 30 days.
        </p>
      )}
      {credential.notice && (
        <p className="notice" role="note">
          {credential.notice}
        </p>
      )}
      {credential.lastError && (
        <p className="form-error" role="status">
          {credential.lastError}
        </p>
      )}
      {needsSomeone(credential.health) && !credential.deletedAt && (
        <div className="notice" role="note">
          <strong>What to do: </strong>
          <NextStepText
            step={nextStep(
              { id: credential.id, profile: credential.profile, category: credential.health, errorCode: credential.lastTest?.errorCode, httpStatus: credential.lastTest?.httpStatus, testEveryHours: watch?.testEveryHours },
              { canChange: isAdmin && credential.status !== 'REVOKED', canTest: TESTERS.includes(user.role) },
            )}
          />
        </div>
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
          <dt>Scheduled tests</dt>
          <dd>
            {watch?.testEveryHours == null
              ? 'Off'
              : `Every ${watch.testEveryHours === 24 ? 'day' : watch.testEveryHours === 168 ? 'week' : `${watch.testEveryHours} h`} · next ${testable ? (watch.nextTestAt ? when(watch.nextTestAt) : 'at the scheduler’s next run') : 'once it is configured and not expired'}`}
          </dd>
          <dt>Owner</dt>
          <dd>{watch?.owner ? `${watch.owner.name} (${watch.owner.email})` : 'Nobody (administrators are told)'}</dd>
          <dt>Secrets in use</dt>
          <dd>{currentVersion ? `Version ${currentVersion.number}${pendingVersion ? `; version ${pendingVersion.number} pending` : ''}` : credential.status === 'DRAFT' ? 'None yet' : '—'}</dd>
          {token && (
            <>
              <dt>Access token</dt>
              <dd>{describeToken(token)}</dd>
            </>
          )}
        </dl>
        {AUDIT_READERS.includes(user.role) && (
          <p>
            <Link href={`/audit?${new URLSearchParams({ credential: credential.id })}`}>Audit trail of this credential</Link>
          </p>
        )}
        {token?.lifetimeSeconds != null && token.lifetimeSeconds < SHORT_TOKEN_SECONDS && (
          <p className="muted">
            This provider issues tokens that live only {token.lifetimeSeconds} s, so Strongroom asks for a new one about every {Math.max(1, Math.round(token.lifetimeSeconds / 2))} s. Ask
            the provider for longer-lived tokens if that is more often than it allows.
          </p>
        )}
      </section>
      {isAdmin && watch && !credential.deletedAt && credential.status !== 'REVOKED' && (
        <section className="panel" aria-labelledby="watch-heading">
          <h2 id="watch-heading">Owner and scheduled tests</h2>
          <CredentialWatchForm credentialId={credential.id} ownerId={watch.owner?.id ?? null} testEveryHours={watch.testEveryHours} people={people} />
        </section>
      )}
      {credential.certificate && (
        <section className="panel" aria-labelledby="certificate-heading">
          <h2 id="certificate-heading">Certificate</h2>
          {credential.certificate.pkiGeneration === 'G2' && (
            <p className="form-error" role="status">
              Dead: this certificate chains to the OpenPeppol G2 CA, and every G2 certificate was revoked on 1 April 2026, whatever its end date says. Request a G3 certificate.
            </p>
          )}
          <dl className="facts">
            <dt>Subject</dt>
            <dd>{credential.certificate.subject}</dd>
            <dt>Issuer</dt>
            <dd>{credential.certificate.issuer}</dd>
            <dt>Serial number</dt>
            <dd>
              <code>{credential.certificate.serialNumber}</code>
            </dd>
            <dt>Valid</dt>
            <dd>
              {when(new Date(credential.certificate.notBefore))} – {when(new Date(credential.certificate.notAfter))}
            </dd>
            <dt>SHA-256 fingerprint</dt>
            <dd>
              <code className="fingerprint">{credential.certificate.sha256}</code>
            </dd>
            {credential.certificate.pkiGeneration && (
              <>
                <dt>OpenPeppol PKI</dt>
                <dd>{credential.certificate.pkiGeneration}</dd>
              </>
            )}
          </dl>
          <p className="muted">The private key stays sealed; only the certificate, which is public, is shown.</p>
        </section>
      )}
      {changeable && credential.profile === 'ksef-certificate' && credential.status === 'DRAFT' && (
        <section className="panel" aria-labelledby="enrol-heading">
          <h2 id="enrol-heading">Enrol in KSeF</h2>
          <p className="muted">
            The first KSeF certificate is requested in KSeF’s own application (it wants a qualified signature). Strongroom makes the key, keeps it sealed, and gives you the
            request to upload there; then attach the certificate KSeF issues.
          </p>
          <KsefEnrolment credentialId={credential.id} version={credential.version} nip={credential.fields.find((f) => f.name === 'nip')?.value ?? ''} keyWaiting={Boolean(pendingVersion)} />
        </section>
      )}
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
      {(requests.pending.length > 0 || requests.decided.length > 0) && (
        <section className="panel" aria-labelledby="requests-heading">
          <h2 id="requests-heading">Change requests</h2>
          <ChangeRequestTable requests={[...requests.pending, ...requests.decided]} viewerId={user.id} canDecide={isAdmin} caption={`Change requests for ${credential.label}`} />
        </section>
      )}
      <section className="panel" aria-labelledby="versions-heading">
        <h2 id="versions-heading">Secret versions</h2>
        {versions.length === 0 ? (
          <p className="muted">
            {credential.fields.some((f) => f.secret && f.set)
              ? 'The secrets in use (fingerprints above) were set before versions were kept; they are kept as a version when they are next replaced.'
              : 'No secrets set yet.'}
          </p>
        ) : (
          <table>
            <caption className="visually-hidden">Versions of the secrets of {credential.label}, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Version</th>
                <th scope="col">State</th>
                <th scope="col">Set by</th>
                <th scope="col">When</th>
                <th scope="col">Fingerprints</th>
                <th scope="col">Test before promotion</th>
              </tr>
            </thead>
            <tbody>
              {versions.map((v) => (
                <tr key={v.number}>
                  <td>{v.number}</td>
                  <td>
                    {VERSION_STATES[v.state]}
                    {v.state === 'PREVIOUS' && v.destroyAfter && <div className="muted">restorable until {when(v.destroyAfter)}</div>}
                    {v.state === 'RETIRED' && v.retiredReason && <div className="muted">{v.retiredReason}</div>}
                  </td>
                  <td>
                    {v.setBy ?? '—'}
                    {v.approvedBy && <div className="muted">approved by {v.approvedBy}</div>}
                  </td>
                  <td>
                    set {when(v.createdAt)}
                    {v.currentFrom && <div className="muted">in use from {when(v.currentFrom)}{v.currentUntil ? ` to ${when(v.currentUntil)}` : ''}</div>}
                  </td>
                  <td>
                    {Object.entries(v.fingerprints).map(([field, fp]) => (
                      <div key={field}>
                        {fieldLabel(credential.profile, field)} <code>{fp}</code>
                      </div>
                    ))}
                  </td>
                  <td>{v.lastTestAt ? `${v.lastTestOutcome === 'SUCCESS' ? 'Passed' : 'Failed'} ${when(v.lastTestAt)}: ${v.lastTestMessage ?? ''}` : v.state === 'PENDING' ? 'Not tested yet' : '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {/* Kept on the page when nothing is left to promote or roll back, so its last message stays. */}
        {changeable && versions.length > 0 && (
          <SecretVersionActions
            credentialId={credential.id}
            version={credential.version}
            current={currentVersion?.number ?? null}
            pending={pendingVersion && credential.status !== 'DRAFT' ? pendingVersion.number : null}
            previous={previousVersion ? { number: previousVersion.number, until: when(previousVersion.destroyAfter) } : null}
            rollbackDays={rollbackDays}
          />
        )}
      </section>
      <section className="panel" aria-labelledby="history-heading">
        <div className="entity-head">
          <h2 id="history-heading">Connection tests</h2>
          {TESTERS.includes(user.role) && credential.status !== 'REVOKED' && credential.status !== 'DRAFT' && !credential.deletedAt && (
            <RunTestButton credentialId={credential.id} />
          )}
        </div>
        {history && history.total + (outcome ? 1 : 0) > 0 ? (
          <>
            <LatencyChart points={history.chart} />
            <form method="get" className="filters">
              <div>
                <label htmlFor="outcome">Outcome</label>
                <select id="outcome" name="outcome" defaultValue={outcome ?? ''}>
                  <option value="">All</option>
                  <option value="SUCCESS">Succeeded</option>
                  <option value="FAILURE">Failed</option>
                </select>
              </div>
              <button type="submit" className="secondary">
                Show
              </button>
            </form>
            <table>
              <caption className="visually-hidden">Connection tests, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">When (UTC)</th>
                  <th scope="col">Outcome</th>
                  <th scope="col">Latency</th>
                  <th scope="col">HTTP</th>
                  <th scope="col">Message</th>
                  <th scope="col">By</th>
                </tr>
              </thead>
              <tbody>
                {history.tests.map((test) => (
                  <tr key={test.id}>
                    <td>{when(test.startedAt)}</td>
                    <td>{test.outcome === 'SUCCESS' ? 'Succeeded' : `Failed${test.errorCode ? ` (${test.errorCode})` : ''}`}</td>
                    <td>{test.durationMs} ms</td>
                    <td>{test.httpStatus ?? '—'}</td>
                    <td>{test.message}</td>
                    <td>
                      {test.trigger.toLowerCase()}
                      {versionAt(test.startedAt) !== undefined && <div className="muted">secrets version {versionAt(test.startedAt)}</div>}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            <nav aria-label="History pages" className="actions">
              {page > 1 && <Link href={pageLink(page - 1)}>← Newer</Link>}
              <span className="muted">
                Page {page} of {history.pages} ({countOf(history.total, 'test')})
              </span>
              {page < history.pages && <Link href={pageLink(page + 1)}>Older →</Link>}
            </nav>
          </>
        ) : (
          <p className="muted">Never tested.</p>
        )}
      </section>
      {usedWithoutHolding && (
        <section className="panel" aria-labelledby="service-calls-heading">
          <h2 id="service-calls-heading">Used by services</h2>
          {serviceCalls.length > 0 ? (
            <table>
              <caption className="visually-hidden">The latest calls through the proxy and signatures with {credential.label}, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">When (UTC)</th>
                  <th scope="col">Service account</th>
                  <th scope="col">What</th>
                  <th scope="col">Status</th>
                  <th scope="col">Size</th>
                  <th scope="col">Time</th>
                </tr>
              </thead>
              <tbody>
                {serviceCalls.map((c) => (
                  <tr key={c.id}>
                    <td>{when(c.at)}</td>
                    <td>{c.serviceAccount ?? '—'}</td>
                    <td>
                      {c.kind === 'signature' ? `Signature ${c.what}` : <code>{c.what}</code>}
                      {c.retried && <div className="muted">retried with a new token</div>}
                      {c.refused && <div className="muted">refused by Strongroom: nothing was sent</div>}
                    </td>
                    <td>{c.status ?? '—'}</td>
                    <td>{c.bytes === null ? '—' : `${c.bytes.toLocaleString('en')} bytes${c.complete ? '' : ' (cut off)'}`}</td>
                    <td>{c.durationMs === null ? '—' : `${c.durationMs} ms`}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : (
            <p className="muted">
              No service has {definition?.proxy ? `called ${definition.signing?.length ? 'or signed ' : ''}through Strongroom` : 'signed'} with this credential yet. A service account with the{' '}
              {[definition?.proxy && '“Call providers through the proxy”', definition?.signing?.length && '“Sign digests with certificate keys”'].filter(Boolean).join(' or ')} permission can, without
              ever holding the secret.
            </p>
          )}
          {AUDIT_READERS.includes(user.role) && serviceCalls.length > 0 && (
            <p>
              <Link href={`/audit?${new URLSearchParams({ credential: credential.id })}`}>All of them in the audit trail</Link>
            </p>
          )}
        </section>
      )}
      {isAdmin && (
        <section className="panel actions" aria-label="Change this credential">
          {changeable && (
            <Link className="button" href={`/credentials/${credential.id}/edit`}>
              {credential.status === 'DRAFT' ? 'Configure' : 'Edit or replace secrets'}
            </Link>
          )}
          {changeable && credential.status !== 'DRAFT' && (
            <Link className="button secondary" href={`/credentials/${credential.id}/rotate`}>
              Set pending secrets
            </Link>
          )}
          {changeable && credential.profile === 'ksef-certificate' && credential.status !== 'DRAFT' && <KsefRenewButton credentialId={credential.id} version={credential.version} />}
          {changeable && credential.profile === 'zatca-csid' && (
            <Link className="button secondary" href={`/credentials/${credential.id}/zatca`}>
              Onboard or renew with ZATCA
            </Link>
          )}
          <CredentialDangerZone credentialId={credential.id} version={credential.version} revoked={credential.status === 'REVOKED'} deleted={Boolean(credential.deletedAt)} />
        </section>
      )}
      <section className="panel" aria-labelledby="notifications-heading">
        <h2 id="notifications-heading">Notifications</h2>
        {watch && watch.notifications.length > 0 ? (
          <table>
            <caption className="visually-hidden">What people were told about {credential.label}, newest first</caption>
            <thead>
              <tr>
                <th scope="col">When (UTC)</th>
                <th scope="col">Event</th>
                <th scope="col">Sent to</th>
              </tr>
            </thead>
            <tbody>
              {watch.notifications.map((n) => (
                <tr key={n.id}>
                  <td>{when(n.occurredAt)}</td>
                  <td>{NOTIFICATION_EVENTS[n.event as keyof typeof NOTIFICATION_EVENTS] ?? n.event}</td>
                  <td>
                    {n.deliveries.length === 0
                      ? 'Nobody (no administrator, owner or endpoint)'
                      : n.deliveries.map((d) => `${d.channel === 'EMAIL' ? 'mail' : 'webhook'} ${d.to}: ${DELIVERY_LABELS[d.status]}${d.status !== 'DELIVERED' && d.lastError ? ` — ${d.lastError}` : ''}`).join(' · ')}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : (
          <p className="muted">Nobody has been told anything about this credential yet: mail and webhooks go out when it is expiring, expired or failing.</p>
        )}
      </section>
    </>
  );
}
