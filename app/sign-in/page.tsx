import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { SignInForm } from '@/components/sign-in-form';
import { SsoSignInForm } from '@/components/sso-sign-in-form';
import { SSO_REFUSALS, ZSsoStart, type TSsoRefusal } from '@/lib/schemas/sso';
import { currentUser } from '@/lib/server/auth/session';
import { services } from '@/lib/server/services';
import { isSetUp } from '@/lib/server/setup/setup-link';
import { signInNotice } from '@/lib/server/sso/sso-connection';

export const metadata: Metadata = { title: 'Sign in' };

const first = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);

/** Why a sign-in through the provider came back refused (our reason, or next-auth's error code), or null. */
function ssoMessage(params: Record<string, string | string[] | undefined>): string | null {
  const reason = first(params.reason);
  if (reason && reason in SSO_REFUSALS) return SSO_REFUSALS[reason as TSsoRefusal];
  const error = first(params.error);
  return error && error !== 'CredentialsSignin' ? SSO_REFUSALS.provider_error : null;
}

export default async function SignInPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  if (await currentUser()) redirect('/dashboard');
  const params = await searchParams;
  const { prisma } = await services();
  const setUp = await isSetUp(prisma);
  const organization = ZSsoStart.safeParse({ organization: first(params.organization) ?? '' });
  const slug = organization.success ? organization.data.organization : '';
  // Named in the link (`/sign-in?organization=…`), an organization that signs in through its provider only says so here.
  const notice = slug ? await signInNotice({ prisma }, { slug }) : null;
  const refused = ssoMessage(params);
  return (
    <main id="main" className="sign-in">
      <h1>Sign in to Strongroom</h1>
      {setUp ? (
        <>
          {refused && (
            <p className="notice" role="alert">
              {refused}
            </p>
          )}
          {notice?.ssoOnly && (
            <p className="notice" role="note">
              {notice.name} signs in through its identity provider only. Passwords work for its break-glass administrators alone.
            </p>
          )}
          <div className="panel">
            <h2>Single sign-on</h2>
            <SsoSignInForm organization={slug} />
          </div>
          <div className="panel">
            <h2>Email and password</h2>
            <SignInForm />
          </div>
        </>
      ) : (
        <div className="panel">
          <p role="status">
            This installation has no organization yet, so there is nobody to sign in as. Open the setup link the server printed to its log when it
            started (restart it for a new one), or run <code>npm run setup</code> on the server.
          </p>
        </div>
      )}
    </main>
  );
}
