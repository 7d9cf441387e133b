import type { Metadata } from 'next';
import { ResetPasswordForm } from '@/components/reset-password-form';
import { ZLinkToken } from '@/lib/schemas/accounts';
import { services } from '@/lib/server/services';
import { readPasswordReset } from '@/lib/server/users/reset-password';

export const metadata: Metadata = { title: 'Choose a new password' };

export default async function ResetPasswordPage({ searchParams }: { searchParams: Promise<Record<string, string | string[]>> }) {
  const token = ZLinkToken.safeParse((await searchParams).token);
  const reset = token.success ? await readPasswordReset(await services(), token.data) : null;
  return (
    <main id="main" className="sign-in">
      <h1>Choose a new password</h1>
      <div className="panel">
        {!reset || !token.success ? (
          <p role="alert">This reset link is not valid: it is used, replaced, expired or mistyped. Ask your administrator for a new one.</p>
        ) : (
          <>
            <p>
              For <strong>{reset.email}</strong>. Every device signed in to this account is signed out.
            </p>
            <ResetPasswordForm token={token.data} email={reset.email} />
          </>
        )}
      </div>
    </main>
  );
}
