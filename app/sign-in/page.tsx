import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { SignInForm } from '@/components/sign-in-form';
import { currentUser } from '@/lib/server/auth/session';

export const metadata: Metadata = { title: 'Sign in' };

export default async function SignInPage() {
  if (await currentUser()) redirect('/dashboard');
  return (
    <main id="main" className="sign-in">
      <h1>Sign in to Strongroom</h1>
      <div className="panel">
        <SignInForm />
      </div>
    </main>
  );
}
