import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { SetupForm } from '@/components/setup-form';
import { services } from '@/lib/server/services';
import { setupPageState } from '@/lib/server/setup/setup-link';

export const metadata: Metadata = { title: 'Set up Strongroom' };

/** First run only: with the link the server printed, the organization and its first administrator. */
export default async function SetupPage({ searchParams }: { searchParams: Promise<Record<string, string | string[]>> }) {
  const token = (await searchParams).token;
  const state = await setupPageState((await services()).prisma, typeof token === 'string' ? token : undefined);
  if (state === 'done') notFound();
  return (
    <main id="main" className="sign-in">
      <h1>Set up Strongroom</h1>
      <div className="panel">
        {state === 'refused' ? (
          <p role="alert">
            This page needs the setup link the server printed when it started (single use, valid 24 hours). That link is missing, used, expired or
            mistyped: restart the server for a new one, or run <code>npm run setup</code> on the server.
          </p>
        ) : (
          <>
            <p>Name your organization and create the first administrator. Two-factor authentication comes next.</p>
            <p className="muted">
              Changes to production credentials need a second administrator’s approval (four-eyes), so invite a second administrator once you are in (Users), or turn the
              approval off in Settings if you work alone.
            </p>
            <SetupForm token={token as string} />
          </>
        )}
      </div>
    </main>
  );
}
