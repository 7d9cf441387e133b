'use client';

import { useState } from 'react';
import { formatDateTime } from '@/lib/format';

/** A link shown once to the administrator, to pass on by a channel they trust (only its hash is stored). */
export function IssuedLink({ id, what, url, expiresAt, mailedTo, onDone }: { id: string; what: string; url: string; expiresAt: Date; mailedTo: string | null; onDone: () => void }) {
  const [copied, setCopied] = useState(false);
  return (
    <div role="status" className="issued-link">
      <p>
        {what} {mailedTo ? `It was mailed to ${mailedTo}; here it is as well, ` : 'Send it to them yourself; '}
        <strong>it is shown only now</strong>, works once, and expires {formatDateTime(new Date(expiresAt))} UTC.
      </p>
      <p>
        <code id={id}>{url}</code>
      </p>
      <span className="actions">
        <button
          type="button"
          className="secondary"
          onClick={async () => {
            await navigator.clipboard.writeText(url);
            setCopied(true);
          }}
        >
          {copied ? 'Copied' : 'Copy link'}
        </button>
        <button type="button" onClick={onDone}>
          Done
        </button>
      </span>
    </div>
  );
}
