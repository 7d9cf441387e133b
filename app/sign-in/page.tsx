import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { SignInForm } from '@/components/sign-in-form';
import { currentUser } from '@/lib/server/auth/session';
import { services } from '@/lib/server/services';
import { isSetUp } from '@/lib/server/setup/setup-link';

export const metadata: Metadata = { title: 'Sign in' };

export default async function SignInPage() {
  if (await currentUser()) redirect('/dashboard');
  const setUp = await isSetUp((await services()).prisma);
  return (
    <main id="main" className="sign-in">
      <h1>Sign in to Strongroom</h1>
      <div className="panel">
        {setUp ? (
          <SignInForm />
        ) : (
          <p role="status">
            This installation has no organization yet, so there is nobody to sign in as. Open the setup link the server printed to its log when it
            started (restart it for a new one), or run <code>npm run setup</code> on the server.
          </p>
        )}
      </div>
    </main>
  );
}
