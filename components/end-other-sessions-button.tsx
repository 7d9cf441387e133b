'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { endOtherSessionsAction } from '@/app/(app)/settings/security/actions';

export function EndOtherSessionsButton() {
  const router = useRouter();
  const [message, setMessage] = useState<string | null>(null);
  return (
    <>
      <button
        type="button"
        className="secondary"
        onClick={async () => {
          const result = await endOtherSessionsAction();
          if (result.ok) setMessage(`${result.data.sessionsEnded} other session${result.data.sessionsEnded === 1 ? '' : 's'} signed out.`);
          router.refresh();
        }}
      >
        Sign out everywhere else
      </button>
      {message && <p role="status">{message}</p>}
    </>
  );
}
