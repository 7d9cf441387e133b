'use client';

import { FailureReference } from '@/components/failure-reference';

/** The last resort, when the root layout itself fails: its own document, the same reference as app/error.tsx. */
export default function GlobalError({ error }: { error: Error & { digest?: string } }) {
  return (
    <html lang="en">
      <body>
        <main id="main">
          <h1>Something went wrong</h1>
          <p>Strongroom could not show this page. The failure was logged.</p>
          <FailureReference digest={error.digest} />
          <p>
            <a href="/dashboard">Back to the dashboard</a>
          </p>
        </main>
      </body>
    </html>
  );
}
