import type { Metadata } from 'next';
import { ChangePasswordForm } from '@/components/change-password-form';
import { ChangeTwoFactorForm } from '@/components/change-two-factor-form';
import { DailyDigestToggle } from '@/components/daily-digest-toggle';
import { EndOtherSessionsButton } from '@/components/end-other-sessions-button';
import { PasskeysSection } from '@/components/passkeys-section';
import { listPasskeys } from '@/lib/server/passkeys/passkeys';
import { mailer } from '@/lib/server/mail/mailer';
import { hasDailyDigest } from '@/lib/server/users/set-daily-digest';
import { EnrollmentForm } from '@/components/enrollment-form';
import { StartEnrollmentForm } from '@/components/start-enrollment-form';
import { FRESH_PROVIDER_SIGN_IN_MINUTES } from '@/lib/server/auth/reauthenticate';
import { requireUser } from '@/lib/server/auth/session';
import { services } from '@/lib/server/services';
import { getTwoFactorStatus } from '@/lib/server/step-up/get-two-factor-status';
import { readPendingEnrollment } from '@/lib/server/step-up/pending-enrollment';
import { formatDate, formatDateTime, safeReturnPath } from '@/lib/format';
import { listOtherSessions } from '@/lib/server/users/end-other-sessions';

export const metadata: Metadata = { title: 'Security' };

export default async function SecurityPage({ searchParams }: { searchParams: Promise<Record<string, string | string[]>> }) {
  const user = await requireUser();
  const next = safeReturnPath((await searchParams).next);
  const v = await services();
  const status = await getTwoFactorStatus(v, { userId: user.id });
  // A started enrollment (first time, or after "Replace authenticator") shows its key until confirmed.
  // Starting one is an action (with the password): this page only reads.
  const enrolling = status.pending ? await readPendingEnrollment(v, { user }) : null;
  const otherSessions = await listOtherSessions(v, { userId: user.id, sessionId: user.sessionId });
  const dailyDigest = await hasDailyDigest(v, { userId: user.id });
  const passkeys = status.enabledAt ? await listPasskeys(v, { userId: user.id }) : [];

  return (
    <>
      <h1>Security</h1>
      {next && !status.enabledAt && (
        <p className="form-error needs-two-factor" role="status">
          Changing secrets needs two-factor authentication. Set it up below to continue.
        </p>
      )}
      <section className="panel" aria-labelledby="two-factor-heading">
        <h2 id="two-factor-heading">Two-factor authentication</h2>
        {status.enabledAt && (
          <p>
            On since {formatDate(status.enabledAt)}. {status.unusedRecoveryCodes} of 10 recovery codes left.
          </p>
        )}
        {!status.enabledAt && !enrolling && (
          <>
            <p>
              {status.hasPassword
                ? 'Two-factor is off. Enter your password to get a key for your authenticator app.'
                : `Two-factor is off. Your account signs in through your identity provider: within ${FRESH_PROVIDER_SIGN_IN_MINUTES} minutes of signing in there, get a key for your authenticator app here.`}
            </p>
            <StartEnrollmentForm hasPassword={status.hasPassword} />
          </>
        )}
        {enrolling && (
          <div className="enroll">
            <p>
              {status.enabledAt ? 'Your current authenticator keeps working until you confirm the new one.' : ''} Scan this code with an authenticator app
              (or type the key), then enter the 6-digit code it shows.
            </p>
            <div className="qr" role="img" aria-label="QR code for your authenticator app" dangerouslySetInnerHTML={{ __html: enrolling.qrSvg }} />
            <p>
              Key: <code id="totp-key">{enrolling.secret.replace(/(.{4})/g, '$1 ').trim()}</code>
            </p>
            <EnrollmentForm next={next} />
          </div>
        )}
      </section>
      {status.enabledAt && (
        <section className="panel" aria-labelledby="passkeys-heading">
          <h2 id="passkeys-heading">Passkeys</h2>
          <PasskeysSection
            passkeys={passkeys.map((passkey) => ({
              id: passkey.id,
              name: passkey.name,
              added: formatDate(passkey.createdAt),
              lastUsed: passkey.lastUsedAt ? `${formatDateTime(passkey.lastUsedAt)} UTC` : null,
            }))}
          />
        </section>
      )}
      {status.enabledAt && !status.pending && (
        <section className="panel" aria-labelledby="change-heading">
          <h2 id="change-heading">Replace or turn off</h2>
          <p className="muted">
            Lost your phone? Use a recovery code here. Lost those too? Ask an administrator to reset your two-factor. Turning two-factor off removes your passkeys too.
          </p>
          <ChangeTwoFactorForm hasPassword={status.hasPassword} />
        </section>
      )}
      {/* Sent here to set up two-factor first (a new administrator, a form that changes secrets): only that. */}
      {!(next && !status.enabledAt) && (
        <>
          <section className="panel" aria-labelledby="password-heading">
            <h2 id="password-heading">{status.hasPassword ? 'Change password' : 'Password'}</h2>
            {status.hasPassword ? (
              <ChangePasswordForm email={user.email} />
            ) : (
              <p>None: your account signs in through your identity provider, which decides your password and when you leave.</p>
            )}
          </section>
          <section className="panel" aria-labelledby="digest-heading">
            <h2 id="digest-heading">Daily digest</h2>
            <DailyDigestToggle enabled={dailyDigest} mail={mailer() !== null} />
          </section>
          <section className="panel" aria-labelledby="sessions-heading">
            <h2 id="sessions-heading">Where you are signed in</h2>
            {otherSessions.length === 0 ? (
              <p>Only here.</p>
            ) : (
              <>
                <p>Besides this one, {otherSessions.length === 1 ? '1 other session is' : `${otherSessions.length} other sessions are`} open:</p>
                <ul>
                  {otherSessions.map((session) => (
                    <li key={session.createdAt.toISOString()}>
                      signed in {formatDateTime(session.createdAt)} UTC, ends {formatDateTime(session.expiresAt)} UTC
                    </li>
                  ))}
                </ul>
                <EndOtherSessionsButton />
              </>
            )}
          </section>
        </>
      )}
    </>
  );
}
