import type { Metadata } from 'next';
import { ChangeTwoFactorForm } from '@/components/change-two-factor-form';
import { EnrollmentForm } from '@/components/enrollment-form';
import { requireUser } from '@/lib/server/auth/session';
import { vault } from '@/lib/server/credentials/vault';
import { getTwoFactorStatus } from '@/lib/server/step-up/get-two-factor-status';
import { pendingEnrollment } from '@/lib/server/step-up/manage-totp';
import { formatDate, safeReturnPath } from '@/lib/format';

export const metadata: Metadata = { title: 'Security' };


export default async function SecurityPage({ searchParams }: { searchParams: Promise<Record<string, string | string[]>> }) {
  const user = await requireUser();
  const next = safeReturnPath((await searchParams).next);
  const v = await vault();
  const status = await getTwoFactorStatus(v, { userId: user.id });
  // A new enrollment (first time, or after "Replace authenticator") shows its key until confirmed.
  const enrolling = !status.enabledAt || status.pending ? await pendingEnrollment(v, { user }) : null;

  return (
    <>
      <h1>Security</h1>
      {next && !status.enabledAt && (
        <p className="form-error" role="status">
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
      {status.enabledAt && !status.pending && (
        <section className="panel" aria-labelledby="change-heading">
          <h2 id="change-heading">Replace or turn off</h2>
          <p className="muted">Lost your phone? Use a recovery code here. Lost those too? Ask an administrator to reset your two-factor.</p>
          <ChangeTwoFactorForm />
        </section>
      )}
    </>
  );
}
