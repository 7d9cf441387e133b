'use client';

import Link from 'next/link';
import { FailureReference } from '@/components/failure-reference';

/**
 * What a person sees when a page fails on the server. The reference is Next.js's digest of the error:
 * the server's log line `request.failed` pairs it with the request id (docs/operations.md).
 */
export default function ErrorPage({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <main id="main">
      <div className="sign-in">
        <h1>Something went wrong</h1>
        <p>This page could not be shown. The failure was logged.</p>
        <FailureReference digest={error.digest} />
        <p>
          <button type="button" onClick={reset}>
            Try again
          </button>{' '}
          <Link href="/dashboard">Back to the dashboard</Link>
        </p>
      </div>
    </main>
  );
}
